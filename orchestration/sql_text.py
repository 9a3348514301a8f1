"""SQL text built in Python: a quoted identifier and a string literal, as DuckDB and Spark SQL both read them."""


def identifier(name: str) -> str:
    """`name` as a quoted identifier (a column or table name with any characters)."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
