"""Landing zone → raw tables, with the file manifest in audit.ingested_files."""
