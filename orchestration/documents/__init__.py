"""Documents rendered from the marts for people: department statements (and, later, invoices)."""
