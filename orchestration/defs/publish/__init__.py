"""Publication of the marts after a green close."""
