"""Exports parsed inside DuckDB, into temporary tables on the warehouse connection, to the raw text the per-format
parsers write: the big columnar formats by SQL over the whole file (columnar.py), the others by their own parser's
per-row code a batch at a time (spooled.py)."""
