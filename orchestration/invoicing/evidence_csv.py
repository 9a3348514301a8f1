"""An issued document's evidence files as CSV: warehouse rows rendered one way, frozen at issue and hashed.

The rendering is Python's csv module's (minimal quoting, "\\n" line ends) over the values DuckDB hands Python: a
missing value and an empty text are empty, a date and a timestamp in ISO 8601 (a `T`, microseconds only when there
are some), a boolean `True`/`False`, an exact decimal as `str(Decimal)` writes it (plain as stored, or
`-1E-10`/`0E-10` when it is that small). Once issued, the bytes are what the audit package holds and hashes.

A client's allocated charges at ten million lines are ~775,000 rows and ~290 MB: building the Python objects and
writing them took ~12 s of the finalization. When every column is of a type whose text is the same either way (text,
whole numbers, exact decimals, dates, timestamps, booleans), DuckDB writes the same bytes itself (`COPY ... TO`, ~4 s),
each value first turned into the text Python would write; any other column type (a float, a list, a JSON value, a
timestamp with a zone) is rendered by Python. tests/unit/test_invoice_evidence_csv.py holds both paths to the same
bytes.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.sql_text import identifier as _quoted

_BATCH = 100_000
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")
_WHOLE_NUMBERS = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
)


def evidence_csv(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> bytes:
    """The rows of `sql` (in its order) as CSV bytes, header first."""
    relation = con.sql(sql, params=params)  # not run: its columns and their types
    columns = [(str(name), str(kind)) for name, kind in zip(relation.columns, relation.types, strict=True)]
    fields = [field for name, kind in columns if (field := _python_field(name, kind)) is not None]
    # One column: Python's csv writes an empty value alone on its line as "" (not nothing). Two columns of one name
    # cannot both be read by name from the query.
    if len(columns) < 2 or len(fields) < len(columns) or len({name for name, _ in columns}) < len(columns):
        return python_csv(con, sql, params)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([name for name, _ in columns])
    with tempfile.TemporaryDirectory(prefix="billing-evidence-") as directory:
        path = Path(directory) / "evidence.csv"
        literal = "'" + str(path).replace("'", "''") + "'"
        # Each row is one text, quoted as Python's csv quotes it, which DuckDB writes as it is (no quote character of
        # its own: DuckDB also quotes a value holding a carriage return or starting with `#`, Python does not). The
        # projection keeps the order of the query's own ORDER BY (DuckDB preserves row order through a projection of
        # one subquery; the tests order rows unlike their insertion order to hold it to that).
        line = " || ',' || ".join(fields)
        con.execute(
            f"copy (select {line} as line from ({sql}) as evidence) to {literal} "
            "(format csv, header false, quote '', escape '', delimiter '\t', new_line '\n', nullstr '')",
            params,
        )
        return header.getvalue().encode() + path.read_bytes()


def python_csv(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> bytes:
    """The reference rendering: Python's csv module over the fetched values (timestamps in ISO 8601)."""
    cursor = con.execute(sql, params)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([d[0] for d in cursor.description])
    timestamps = [i for i, column in enumerate(cursor.description) if str(column[1]).startswith("TIMESTAMP")]
    while rows := cursor.fetchmany(_BATCH):
        if timestamps:
            rows = [_iso_timestamps(row, timestamps) for row in rows]
        writer.writerows(rows)
    return buffer.getvalue().encode()


def _iso_timestamps(row: tuple[object, ...], columns: list[int]) -> list[object]:
    values = list(row)
    for i in columns:
        value = values[i]
        if isinstance(value, datetime):
            values[i] = value.isoformat()
    return values


def _python_field(name: str, kind: str) -> str | None:
    """SQL giving the column's value as Python's csv writes it (never null); None when DuckDB cannot vouch for it."""
    c = f"evidence.{_quoted(name)}"
    if kind == "VARCHAR":
        # QUOTE_MINIMAL with "\n" line ends: quoted when it holds the delimiter, the quote or a line feed.
        return (
            f"(case when {c} is null then '' "
            f"when contains({c}, ',') or contains({c}, '\"') or contains({c}, chr(10)) "
            f"then '\"' || replace({c}, '\"', '\"\"') || '\"' else {c} end)"
        )
    if kind in _WHOLE_NUMBERS or kind == "DATE":
        return f"coalesce(cast({c} as varchar), '')"
    if kind == "BOOLEAN":
        return f"(case when {c} then 'True' when not {c} then 'False' else '' end)"
    if kind == "TIMESTAMP":
        # datetime.isoformat(): a four-digit year, a `T`, the fraction only when it is not zero.
        return (
            f"coalesce(lpad(cast(year({c}) as varchar), 4, '0') || strftime({c}, '-%m-%dT%H:%M:%S') "
            f"|| (case when strftime({c}, '%f') = '000000' then '' else strftime({c}, '.%f') end), '')"
        )
    decimal = _DECIMAL.fullmatch(kind)
    if decimal:
        return f"coalesce({_decimal_text(c, int(decimal.group(2)))}, '')"
    return None


def _decimal_text(c: str, scale: int) -> str:
    """str(Decimal) of a DECIMAL(p, scale) value as DuckDB hands it to Python (exponent -scale): plain as stored while
    its adjusted exponent (digits - 1 - scale) is -6 or more, else scientific (`-1.5E-9`, `0E-10`)."""
    plain = f"cast({c} as varchar)"
    if scale == 0:
        return plain
    # The coefficient's digits without sign, point or leading zeros ('0' for zero).
    digits = f"coalesce(nullif(ltrim(replace(ltrim({plain}, '-'), '.', ''), '0'), ''), '0')"
    adjusted = f"(length({digits}) - 1 - {scale})"
    scientific = (
        f"(case when {c} < 0 then '-' else '' end) || left({digits}, 1) "
        f"|| (case when length({digits}) > 1 then '.' || substr({digits}, 2) else '' end) "
        f"|| 'E' || cast({adjusted} as varchar)"
    )
    return f"case when {c} is null then null when {adjusted} >= -6 then {plain} else {scientific} end"
