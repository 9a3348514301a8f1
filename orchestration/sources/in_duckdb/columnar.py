"""Columnar parsing in DuckDB: the big exports (AWS CUR, Azure cost details and FOCUS files, CSV or Parquet).

A CSV may arrive gzip-compressed (`.csv.gz`: legacy CUR's default, a Data Exports or Azure export with compression on).

The row-by-row parsers (`aws_cur.parse`, `azure_cost.parse`, `focus.parse`) define the raw layer's text
(docs/raw-layer.md). This module produces the same text with SQL over the whole file at once, into a temporary table
or view on the warehouse connection, so a file of tens of millions of lines never passes through Python objects:
DuckDB reads it in parallel and spills to its temp directory when it does not fit in memory. What needs Python's
exact semantics (timestamps in any provider form, tag JSON without braces, a FOCUS `null` cell) is converted once per
distinct value and joined back.

It never refuses a file. Whenever a file does not fit this path (Parquet tag columns to fold, a nested type it does
not know, a value it cannot vouch for) it returns None and the row-by-row parser reads the file: that
parser's behaviour, and its one-line refusal, stay the reference. `tests/unit/test_columnar_parsing.py` holds both
paths to the same text on every fixture.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.sources import aws_cur, azure_cost, focus, gcp_billing, oci_cost
from orchestration.sources.common import (
    LINEAGE_ROW,
    ParsedFile,
    RejectedFile,
    column_names,
    decimal_text,
    iso_utc,
    key_value_json,
    month_of,
    period_start,
    single_value,
)
from orchestration.sources.csv_reader import csv_rows, delivered_suffix, open_text
from orchestration.sql_text import identifier as _quoted
from orchestration.sql_text import literal as _literal

# Numbers Python's Decimal reads (after strip()); anything else goes to the row-by-row parser.
_NUMBER = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
_CANONICAL_TIMESTAMP = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
_COUNTER = itertools.count(1)
# Rows read to tell a file's billing period before probing all of it (_pending_elsewhere).
PROBE_HEAD_ROWS = 10_000

_ISO_DAY = "[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_ISO_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"

# Decimal text as orchestration/sources/common.decimal_text writes it (`1.0` -> `1`, `-0.0` -> `0`, `5.64902e-05` ->
# `0.0000564902`).
_MACROS = (
    "create or replace temp macro billing_num_strip(t) as case "
    "when (case when contains(t, '.') then rtrim(rtrim(t, '0'), '.') else t end) in ('-0', '', '+0') then '0' "
    "else (case when contains(t, '.') then rtrim(rtrim(t, '0'), '.') else t end) end",
    # The digits of a mantissa with the decimal point after the first `point` of them (zeros added either side).
    "create or replace temp macro billing_place_point(digits, point) as case "
    "when point <= 0 then '0.' || repeat('0', -point) || digits "
    "when point >= length(digits) then digits || repeat('0', point - length(digits)) "
    "else left(digits, point) || '.' || substr(digits, point + 1) end",
    # DuckDB's shortest text of a double in exponent form (`-5.64902e-05`, `1e+20`) as plain decimal text: the same
    # digits, the point moved, as Python's format(Decimal(text), 'f') writes them. Millions of distinct tiny amounts
    # (a month of request-priced lines) went through Python one by one before (a ten-million-line CUR: +98 s).
    # Its mantissa never ends in a zero (shortest digits), so nothing is left to strip.
    "create or replace temp macro billing_expand_exponent(s) as "
    "(case when starts_with(s, '-') then '-' else '' end) || billing_place_point("
    "replace(split_part(ltrim(s, '-'), 'e', 1), '.', ''), "
    "length(split_part(split_part(ltrim(s, '-'), 'e', 1), '.', 1)) + cast(split_part(s, 'e', 2) as integer))",
    # A binary float's shortest text (DuckDB writes the digits Python's repr writes). Without an exponent DuckDB
    # writes `24.0` and `-0.0` but never another trailing zero: two replacements reading the text once (the general
    # billing_num_strip reads it six times, each a formatting of the float: 2.2 times the cost).
    "create or replace temp macro billing_double_text(s) as case when contains(s, 'e') then "
    "billing_expand_exponent(s) else regexp_replace(regexp_replace(s, '\\.0$', ''), '^-0$', '0') end",
    # Delivered number text as _number_text writes it (trimmed; scientific notation as plain decimal text, as
    # decimal_text(Decimal(text))): `mantissa` and `exponent` of a trimmed text the _NUMBER pattern accepted.
    "create or replace temp macro billing_scientific_text(negative, mantissa, exponent) as billing_num_strip("
    "(case when negative then '-' else '' end) || regexp_replace(billing_place_point("
    "replace(mantissa, '.', ''), length(split_part(mantissa, '.', 1)) + exponent), '^0+([0-9])', '\\1'))",
    # `s` with `t`, itself trimmed (Python's strip() for what _NUMBER accepts). Anything else is left as it came: a
    # value the pattern refuses sends the file to the row-by-row parser, and an exponent beyond ±1000 (thousands of
    # zeros) is still rewritten by Python.
    "create or replace temp macro billing_number_trimmed(s, t) as case "
    "when t = s and not contains(lower(s), 'e') then s "
    "when not regexp_matches(s, '" + _NUMBER + "') then s "
    "when not contains(lower(t), 'e') then t "
    "when abs(cast(split_part(lower(t), 'e', 2) as integer)) > 1000 then s "
    "else billing_scientific_text(starts_with(t, '-'), split_part(lower(ltrim(t, '+-')), 'e', 1), "
    "cast(split_part(lower(t), 'e', 2) as integer)) end",
    "create or replace temp macro billing_number_text(s) as "
    "billing_number_trimmed(s, regexp_replace(s, '^\\s+|\\s+$', '', 'g'))",
    # Delivered date text as common.iso_utc writes it, for the two date-only forms Azure exports use (`10/01/2026`,
    # `2026-10-01`): midnight UTC; FOCUS's ISO 8601 UTC to the second (`2026-10-01T00:00:00Z`); and the same with
    # zero milliseconds (`2026-10-01T00:00:00.000Z`), as AWS writes a CUR's usage dates in CSV. Every line of a month
    # carries them, so Python's rewrite cost an update of each date column of the staged table (~3 s of 33 on four
    # million lines). Any other text (a time, a zone, whitespace, a year before 1000, a day the month lacks) is left
    # as it came, for Python to rewrite or refuse. Each form has its own length, which picks the one pattern to try,
    # and a valid date's text is rearranged rather than parsed and formatted again (a canonical timestamp, which
    # no branch takes, costs next to nothing: 2 million of them 0.41 -> 0.05 s; ISO forms 0.57-0.68 -> 0.39 s).
    "create or replace temp macro billing_timestamp_text(s) as coalesce(case length(s) "
    "when 10 then case "
    "when regexp_full_match(s, '(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/[1-9][0-9]{3}') "
    "and try_strptime(s, '%m/%d/%Y') is not null "
    "then substr(s, 7, 4) || '-' || left(s, 2) || '-' || substr(s, 4, 2) || ' 00:00:00' "
    f"when regexp_full_match(s, '{_ISO_DAY}') and try_strptime(s, '%Y-%m-%d') is not null then s || ' 00:00:00' end "
    f"when 20 then case when regexp_full_match(s, '{_ISO_DAY}T{_ISO_TIME}Z') "
    "and try_strptime(s, '%Y-%m-%dT%H:%M:%SZ') is not null then left(s, 10) || ' ' || substr(s, 12, 8) end "
    f"when 24 then case when regexp_full_match(s, '{_ISO_DAY}T{_ISO_TIME}\\.000Z') "
    "and try_strptime(s, '%Y-%m-%dT%H:%M:%S.000Z') is not null then left(s, 10) || ' ' || substr(s, 12, 8) end "
    "end, s)",
)


@dataclass
class StagedTable:
    """A parsed table on the warehouse connection (all text): a temporary view over the file (a Parquet file is then
    read once more, straight into raw; a view with rewritten values looks them up through a join, so its rows need
    not come in file order and carry their row numbers), or a temporary table in delivered order (a CSV file).

    `row_numbered`: the rows carry `_source_row` (a Parquet file's row number). Otherwise `_source_row` is the
    table's insertion order (rowid + 1), added when the rows are written to raw (orchestration/ingest/raw_load.py).
    `layers`: what a view's rewritten values are built from (the views below it and their value maps), dropped with it.
    A file spanning several billing periods names each row's period in `period_column` (its normalised text) and
    counts them in `period_rows`; `of_period` is one period's rows (`where`), read from the same staged rows.
    """

    name: str
    column_names: list[str]
    num_rows: int = 0
    is_view: bool = False
    row_numbered: bool = False
    layers: list[tuple[str, str]] = field(default_factory=list)  # (view | table, name), bottom first
    where: str = "true"
    period_column: str | None = None
    period_rows: dict[date, int] = field(default_factory=dict)
    # The text of each period in `period_column` when it is not the period's normalised timestamp (GCP's `202611`).
    period_values: dict[date, str] = field(default_factory=dict)
    # Staged columns that are not written to raw (a credit's period, read from its parent row).
    hidden: tuple[str, ...] = ()

    def of_period(self, period: date) -> StagedTable:
        """The rows of one billing period of a file spanning several (ParsedFile.for_period). Not dropped on its own:
        the file's staged rows are, once every period is written."""
        if self.period_column is None or period not in self.period_rows:
            raise ValueError(f"{period} is not a period of this staged file")
        text = _literal(self.period_values.get(period, f"{period.isoformat()} 00:00:00"))
        return replace(
            self, where=f"{_quoted(self.period_column)} = {text}", num_rows=self.period_rows[period], layers=[]
        )

    def written_columns(self) -> str:
        """The select list of the staged columns written to raw."""
        return f"* exclude ({', '.join(map(_quoted, self.hidden))})" if self.hidden else "*"

    def replace_values(self, con: duckdb.DuckDBPyConnection, column: str, pairs: list[tuple[str, str | None]]) -> None:
        """Rewrite the values of `column` through (old value, new value) pairs, the old values distinct. A table is
        updated in place. A view gets a view on top that looks its values up: materializing the file's rows into a
        table to update a few of them cost more than the rest of the ingest (a six-million-line CUR with float
        amounts in exponent form: ~11 s of 40)."""
        c = _quoted(column)
        mapping = f"billing_value_map_{next(_COUNTER)}"
        # Registered before it exists: whatever fails from here on, drop() removes it with the staged rows.
        self.layers.append(("table", mapping))
        con.execute(f"create temp table {mapping} (old_value varchar, new_value varchar)")
        con.executemany(f"insert into {mapping} values (?, ?)", pairs)
        if not self.is_view:
            con.execute(
                f"update {self.name} set {c} = {mapping}.new_value from {mapping} "
                f"where {self.name}.{c} = {mapping}.old_value"
            )
            con.execute(f"drop table {mapping}")
            self.layers.pop()
            return
        layered = f"billing_staged_{next(_COUNTER)}"
        con.execute(
            f"create temp view {layered} as select delivered.* replace (case when found.old_value is null "
            f"then delivered.{c} else found.new_value end as {c}) "
            f"from {self.name} as delivered left join {mapping} as found on delivered.{c} = found.old_value"
        )
        self.layers.append(("view", self.name))
        self.name = layered

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"drop {'view' if self.is_view else 'table'} if exists {self.name}")
        for kind, name in reversed(self.layers):
            con.execute(f"drop {kind} if exists {name}")
        self.layers = []


class NotColumnar(Exception):
    """The file is left to the row-by-row parser (internal: never shown to people)."""


def _nonempty(field: str) -> str:
    """A delivered text field with its empty string read as no value (what the parsers' readers do)."""
    return f"nullif({field}, '')"


def _create_macros(con: duckdb.DuckDBPyConnection) -> None:
    for macro in _MACROS:
        con.execute(macro)


def _prepare(con: duckdb.DuckDBPyConnection) -> str:
    _create_macros(con)
    return f"billing_staged_{next(_COUNTER)}"


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0


def _number_text(value: str) -> str | None:
    """common.normalise_decimals for one value: trimmed, scientific notation as plain decimal text."""
    text = value.strip()
    return decimal_text(Decimal(text)) if "e" in text.lower() else text


def _map_distinct(
    con: duckdb.DuckDBPyConnection,
    staged: StagedTable,
    column: str,
    where: str,
    convert: Callable[[str], str | None],
) -> None:
    """Rewrite the values of `column` selected by `where` through a Python function, once per distinct value."""
    c = _quoted(column)
    selected = f"select distinct {c} from {staged.name} where {c} is not null and {where}"
    values = [value for (value,) in con.execute(selected).fetchall()]
    try:
        pairs = [(value, new) for value in values if (new := convert(value)) != value]
    except (ValueError, RejectedFile) as error:
        raise NotColumnar(f"{column}: {error}") from None
    if pairs:
        staged.replace_values(con, column, pairs)


@dataclass
class _Rewrite:
    column: str
    where: str
    convert: Callable[[str], str | None]
    # A macro rewriting most such values in SQL first, in place (a staged table: a delivered CSV's text). Inline in
    # the staging select, billing_number_text cost ~0.7 µs a value even where no value needed it (a 200,000-line CUR
    # CSV: 3.2 s against 1.1 s to read it), as though DuckDB evaluated its untaken branches on every chunk.
    in_sql: str | None = None


@dataclass
class Checks:
    """What a staged file must pass and which of its values Python rewrites. Over a Parquet file they are counted in
    one scan (`_survey`): a scan per check decoded a column once per check reading it. A refusal leaves the file to
    the row-by-row parser; a rewrite runs only where a value was counted for it."""

    refusals: dict[str, str] = field(default_factory=dict)  # SQL condition -> why the file is left
    rewrites: list[_Rewrite] = field(default_factory=list)

    def require_values(self, columns: Sequence[str]) -> None:
        for column in columns:
            self.refusals[f"{_quoted(column)} is null"] = f"{column} is empty on some rows"

    def numbers(self, columns: Sequence[str]) -> None:
        """common.normalise_decimals: plain decimal text kept as delivered (trimmed), scientific notation expanded."""
        for column in columns:
            c = _quoted(column)
            self.refusals[f"not regexp_matches({c}, '{_NUMBER}')"] = f"{column}: a value that is not a plain number"
            self.rewrites.append(
                _Rewrite(
                    column,
                    f"(contains(lower({c}), 'e') or regexp_matches({c}, '^\\s|\\s$'))",
                    _number_text,
                    in_sql="billing_number_text",
                )
            )

    def plain_numbers(self, columns: Sequence[str]) -> None:
        """common.check_numbers: every value a number Decimal reads, kept as delivered."""
        for column in columns:
            c = _quoted(column)
            self.refusals[f"not regexp_matches({c}, '{_NUMBER}')"] = f"{column}: a value that is not a plain number"

    def timestamps(self, columns: Sequence[str]) -> None:
        """common.normalise_timestamps: every provider form to `YYYY-MM-DD HH:MM:SS` UTC (Python decides the forms)."""
        for column in columns:
            c = _quoted(column)
            canonical = (
                f"regexp_matches({c}, '{_CANONICAL_TIMESTAMP}') and try_strptime({c}, '%Y-%m-%d %H:%M:%S') is not null"
            )
            self.rewrites.append(_Rewrite(column, f"not ({canonical})", iso_utc))

    def formatted_timestamps(self, columns: Sequence[str]) -> None:
        """Timestamps the staging SQL wrote itself (strftime of a typed Parquet column): canonical whenever the year
        has four digits; any other year goes to Python, which refuses it (the row-by-row parser then decides)."""
        for column in columns:
            c = _quoted(column)
            self.rewrites.append(_Rewrite(column, f"(length({c}) <> 19 or starts_with({c}, '-'))", iso_utc))

    def currency(self, column: str) -> None:
        c = _quoted(column)
        self.refusals[f"not regexp_full_match({c}, '[A-Z]{{3}}')"] = f"{column}: not an ISO 4217 code"

    def every_value(self, column: str, convert: Callable[[str], str | None]) -> None:
        self.rewrites.append(_Rewrite(column, "true", convert))

    def run(self, con: duckdb.DuckDBPyConnection, staged: StagedTable) -> None:
        conditions = [*self.refusals, *(f"{_quoted(r.column)} is not null and {r.where}" for r in self.rewrites)]
        if staged.is_view:
            # A Parquet file: every scan decodes the columns it reads again, so one scan counts everything (~30 %
            # less staging time on a million-line CUR than a scan per check).
            counts = _survey(con, staged, conditions)
        else:
            # A table in memory: a scan per check is cheaper (DuckDB skips what a column's statistics rule out,
            # e.g. a column that is null throughout; counts filtered inside one aggregate cannot), and a rewrite's
            # own query finds its values.
            rows = _count(con, f"select count(*) from {staged.name}")
            refused = [_count(con, f"select count(*) from {staged.name} where {c}") for c in self.refusals]
            # A rewrite in SQL is counted first: an update that changes nothing still cost ~0.17 s a column on a
            # million lines, a count ~0.02 s.
            rewritten = [
                1
                if r.in_sql is None
                else _count(
                    con, f"select count(*) from {staged.name} where {_quoted(r.column)} is not null and {r.where}"
                )
                for r in self.rewrites
            ]
            counts = [rows, *refused, *rewritten]
        staged.num_rows = counts[0]
        if not staged.num_rows:
            raise NotColumnar("no rows")
        for message, count in zip(self.refusals.values(), counts[1 : 1 + len(self.refusals)], strict=True):
            if count:
                raise NotColumnar(message)
        for rewrite, count in zip(self.rewrites, counts[1 + len(self.refusals) :], strict=True):
            if not count:
                continue
            if rewrite.in_sql is not None and not staged.is_view:
                c = _quoted(rewrite.column)
                con.execute(
                    f"update {staged.name} set {c} = {rewrite.in_sql}({c}) where {c} is not null and {rewrite.where}"
                )
            _map_distinct(con, staged, rewrite.column, rewrite.where, rewrite.convert)


def _survey(con: duckdb.DuckDBPyConnection, staged: StagedTable, conditions: Sequence[str]) -> list[int]:
    """The staged rows, and the rows meeting each condition, in one scan."""
    aggregates = ["count(*)", *(f"count(*) filter (where {condition})" for condition in conditions)]
    row = con.execute(f"select {', '.join(aggregates)} from {staged.name}").fetchone()
    return [int(value or 0) for value in row] if row else [0] * len(aggregates)


def _column_rows(con: duckdb.DuckDBPyConnection, staged: StagedTable, column: str) -> list[dict[str, str | None]]:
    """The distinct values of one column, shaped as rows for the shared single-value checks."""
    c = _quoted(column)
    return [{column: value} for (value,) in con.execute(f"select distinct {c} from {staged.name} limit 3").fetchall()]


# --- AWS CUR 2.0 Parquet -------------------------------------------------------------------------------------------

_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}


def _is_temporal(kind: str) -> bool:
    return kind.startswith("TIMESTAMP") or kind == "DATE"


def _is_exact_number(kind: str) -> bool:
    return kind in _INTEGER_TYPES or kind.startswith("DECIMAL")


def _parquet_text(source: str, kind: str) -> str:
    """The SQL of one Parquet column as raw-layer text (common.parquet_column_text)."""
    c = _quoted(source)
    if kind == "VARCHAR":
        return _nonempty(c)
    if kind in ("TIMESTAMP WITH TIME ZONE",):
        return f"strftime(timezone('UTC', {c}), '%Y-%m-%d %H:%M:%S')"
    if _is_temporal(kind):
        return f"strftime(cast({c} as timestamp), '%Y-%m-%d %H:%M:%S')"
    if kind in ("DOUBLE", "FLOAT"):
        return f"billing_double_text(cast(cast({c} as double) as varchar))"
    if kind in _INTEGER_TYPES:
        return f"cast({c} as varchar)"
    if kind.startswith("DECIMAL"):
        return f"billing_num_strip(cast({c} as varchar))"
    if kind == "BOOLEAN":
        return f"cast({c} as varchar)"
    if kind == '"NULL"':
        # A column null throughout, written without a type (focus-converter does): nothing to convert.
        return "cast(null as varchar)"
    if kind == "MAP(VARCHAR, VARCHAR)":
        # Python writes the keys sorted and a missing value as "". A map already so (the usual case) is written as
        # it is; rebuilding every map costs ~2 s per million lines of a CUR's four map columns.
        rebuilt = (
            f"to_json(map_from_entries(list_sort(list_transform(map_entries({c}), "
            "lambda e: struct_pack(key := e.key, value := coalesce(e.value, ''))))))"
        )
        as_delivered = f"list_sort(map_keys({c})) = map_keys({c}) and list_position(map_values({c}), null) is null"
        return f"case when {as_delivered} then to_json({c}) else {rebuilt} end"
    raise NotColumnar(f"column {source} of type {kind}")


def _probe(
    con: duckdb.DuckDBPyConnection, relation: str, period_column: str, account_column: str
) -> tuple[date, str] | None:
    """The one (billing period, account) of a file, from two of its columns; None when that is not clear-cut."""
    rows = con.execute(
        f"select distinct {_quoted(period_column)}, {_quoted(account_column)} from {relation} limit 2"
    ).fetchall()
    if len(rows) != 1 or None in rows[0] or "" in rows[0]:
        return None
    try:
        return period_start(iso_utc(rows[0][0]) or "", period_column), rows[0][1]
    except (ValueError, RejectedFile):
        return None


def _elsewhere(
    source: str, probed: tuple[date, str] | None, wanted: date | None, dataset: str | None = None
) -> ParsedFile | None:
    """A file of another billing period than the one being ingested: left pending without being parsed."""
    if wanted is None or probed is None or probed[0] == wanted:
        return None
    return ParsedFile(source, probed[0], probed[1], 0, {}, dataset=dataset)


def _pending_elsewhere(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    columns: tuple[str, str],
    source: str,
    wanted: date | None,
    dataset: str | None = None,
) -> ParsedFile | None:
    """The file left pending when it plainly belongs to another period than `wanted` (see _elsewhere). Its first rows
    are read first: when they are all of the wanted period, the file is parsed whole whatever the rest holds (as it
    would be after probing every row), so only a file starting in another period is probed whole. Probing a
    four-million-line Azure CSV whole took 2.4 s of its ingest."""
    if wanted is None:
        return None
    head = _probe(con, f"(select * from {relation} limit {PROBE_HEAD_ROWS})", *columns)
    if head is not None and head[0] == wanted:
        return None
    return _elsewhere(source, _probe(con, relation, *columns), wanted, dataset)


def _refuse_floats_not_finite(
    con: duckdb.DuckDBPyConnection,
    source: str,
    described: list[tuple[str, str]],
    names: list[str],
    columns: list[str],
) -> None:
    """A NaN or infinite float in a number column leaves the file to the row-by-row parser. Counted on the file's own
    floats: through the staged view's text every float would be formatted once more (~2.8 s a column on six million
    lines of varied amounts)."""
    if not columns:
        return
    original = {name: delivered for (delivered, _), name in zip(described, names, strict=True)}
    counts = (
        con.execute(
            "select "
            + ", ".join(f"count(*) filter (where not isfinite({_quoted(original[c])}))" for c in columns)
            + f" from {source}"
        ).fetchone()
        or ()
    )
    for column, count in zip(columns, counts, strict=True):
        if count:
            raise NotColumnar(f"{column}: a value that is not a finite number")


def _cur_period_and_payer(con: duckdb.DuckDBPyConnection, staged: StagedTable) -> tuple[date, str]:
    """A staged CUR's one billing period and payer account, as aws_cur.parse tells them (NotColumnar otherwise)."""
    try:
        period = period_start(
            single_value(
                _column_rows(con, staged, "bill_billing_period_start_date"),
                "bill_billing_period_start_date",
                "billing period",
            ),
            "bill_billing_period_start_date",
        )
        account = single_value(
            _column_rows(con, staged, "bill_payer_account_id"), "bill_payer_account_id", "payer account"
        )
    except RejectedFile as error:
        raise NotColumnar(str(error)) from None
    return period, account


def stage_aws_parquet(con: duckdb.DuckDBPyConnection, path: Path, wanted: date | None = None) -> ParsedFile:
    """aws_cur.parse for a CUR 2.0 Parquet delivery whose columns are already canonical; NotColumnar otherwise.
    With `wanted`, a file of another billing period is only probed (ParsedFile without tables)."""
    if path.suffix.lower() != ".parquet" or path.stat().st_size == 0:
        raise NotColumnar("not a Parquet file")
    source = f"read_parquet({_literal(str(path))}, hive_partitioning = false, file_row_number = true)"
    try:
        described = con.execute(
            f"select column_name, column_type from (describe select * exclude (file_row_number) from {source})"
        ).fetchall()
        names = aws_cur.cur_column_names([name for name, _ in described])
    except (duckdb.Error, RejectedFile) as error:
        raise NotColumnar(str(error)) from None
    if any(aws_cur._FOLD in name for name in names):
        raise NotColumnar("tag columns to fold")
    table = _prepare(con)
    select = ", ".join(
        f"{_parquet_text(original, kind)} as {_quoted(name)}"
        for (original, kind), name in zip(described, names, strict=True)
    )
    # A view: the checks below read only the columns they need; the rows are read once more, into raw.
    staged = StagedTable(table, names, is_view=True, row_numbered=True)
    try:
        con.execute(
            f"create temp view {table} as select {select}, "
            f"cast(file_row_number + 1 as varchar) as {LINEAGE_ROW} from {source}"
        )
    except duckdb.Error as error:
        raise NotColumnar(str(error)) from None
    try:
        missing = [c for c in aws_cur.REQUIRED_COLUMNS if c not in names]
        if missing:
            raise NotColumnar(f"missing {missing}")
        period_and_account = ("bill_billing_period_start_date", "bill_payer_account_id")
        if (pending := _pending_elsewhere(con, table, period_and_account, aws_cur.SOURCE, wanted)) is not None:
            staged.drop(con)
            return pending
        checks = Checks()
        checks.require_values(aws_cur.REQUIRED_VALUES)
        checks.currency("line_item_currency_code")
        # What _parquet_text wrote from a typed column needs fewer checks than delivered text (~1 s less per million
        # lines): integers, decimals and floats are plain numbers already (billing_double_text moves a float's
        # exponent).
        kinds = {name: kind for (_, kind), name in zip(described, names, strict=True)}
        floats = [name for name, kind in kinds.items() if kind in ("DOUBLE", "FLOAT")]
        numbers = [c for c in aws_cur.NUMBER_COLUMNS if c in names]
        timestamps = [c for c in aws_cur.TIMESTAMP_COLUMNS if c in names]
        _refuse_floats_not_finite(con, source, described, names, [c for c in numbers if c in floats])
        checks.numbers([c for c in numbers if c not in floats and not _is_exact_number(kinds[c])])
        checks.formatted_timestamps([c for c in timestamps if _is_temporal(kinds[c])])
        checks.timestamps([c for c in timestamps if not _is_temporal(kinds[c])])
        checks.run(con, staged)
        period, account = _cur_period_and_payer(con, staged)
    except (NotColumnar, duckdb.Error):
        staged.drop(con)
        raise
    return ParsedFile(aws_cur.SOURCE, period, account, staged.num_rows, {aws_cur.RAW_TABLE: staged})


# --- CSV files, plain or gzip ------------------------------------------------------------------------------------


def _is_csv(path: Path) -> bool:
    """A CSV file, plain or gzip-compressed (`.csv.gz`: the parsers' readers take any `.gz` as gzip CSV)."""
    return path.suffix.lower() in (".csv", ".gz") and path.stat().st_size > 0


def _csv_header(path: Path) -> list[str]:
    try:
        with open_text(path) as handle:
            return next(csv.reader(handle))
    except (StopIteration, UnicodeDecodeError, csv.Error, EOFError, OSError) as error:
        raise NotColumnar(f"header: {error}") from None


def _positions(names: Sequence[str]) -> list[str]:
    return [f"c{index}" for index in range(len(names))]


def _csv_reader(path: Path, positional: Sequence[str]) -> str:
    """The CSV's rows after its header, every field as text, refused by DuckDB where Python's csv module would not
    read the same fields (strict mode, no padding)."""
    columns_spec = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in positional) + "}"
    compression = "gzip" if path.suffix.lower() == ".gz" else "none"
    return (
        f"read_csv({_literal(str(path))}, header = false, skip = 1, auto_detect = false, delim = ',', "
        f"quote = '\"', escape = '\"', columns = {columns_spec}, strict_mode = true, null_padding = false, "
        f"compression = '{compression}')"
    )


# --- AWS CUR CSV: CUR 2.0 / Data Exports or legacy CUR, plain or gzip ----------------------------------------------


def _cur_csv_text(position: str, name: str) -> str:
    """One delivered CUR CSV field as raw-layer text (see _azure_text)."""
    field = _nonempty(position)
    if name in aws_cur.TIMESTAMP_COLUMNS:
        return f"billing_timestamp_text({field})"
    return field


def _folded_map(pairs: Sequence[tuple[str, str]]) -> str:
    """aws_cur._fold_tag_columns for one map: the (key, CSV field) tag columns as one compact JSON object, keys sorted
    as Python sorts them, empty values left out (`{}` for a line without tags)."""
    entries = ", ".join(
        f"struct_pack(key := {_literal(key)}, value := {_nonempty(position)})" for key, position in sorted(pairs)
    )
    return f"to_json(map_from_entries(list_filter([{entries}], lambda e: e.value is not null)))"


def stage_aws_csv(con: duckdb.DuckDBPyConnection, path: Path, wanted: date | None = None) -> ParsedFile:
    """aws_cur.parse for a CUR CSV (CUR 2.0 snake_case or legacy `lineItem/UnblendedCost` headers, `.csv` or
    `.csv.gz`); NotColumnar where the row-by-row parser must decide. A legacy CUR's `resourceTags/<key>` and
    `costCategory/<name>` columns are folded into the `resource_tags` / `cost_category` JSON maps in SQL. With
    `wanted`, a file of another billing period is only probed (ParsedFile without tables)."""
    if not _is_csv(path):
        raise NotColumnar("not a CSV file")
    header = _csv_header(path)
    try:
        delivered = aws_cur.cur_column_names(header)
    except RejectedFile as error:
        raise NotColumnar(str(error)) from None
    positional = _positions(delivered)
    kept: list[tuple[str, str]] = []
    folds: dict[str, list[tuple[str, str]]] = {}
    for name, position in zip(delivered, positional, strict=True):
        target, fold, key = name.partition(aws_cur._FOLD)
        if fold:
            folds.setdefault(target, []).append((key, position))
        else:
            kept.append((name, position))
    names = [name for name, _ in kept]
    if set(folds) & set(names):
        raise NotColumnar("tag columns to merge into a delivered map")
    targets = sorted(folds)
    names += targets
    missing = [c for c in aws_cur.REQUIRED_COLUMNS if c not in names]
    if missing:
        raise NotColumnar(f"missing {missing}")
    select = ", ".join(
        [
            *(f"{_cur_csv_text(position, name)} as {_quoted(name)}" for name, position in kept),
            *(f"{_folded_map(folds[target])} as {_quoted(target)}" for target in targets),
        ]
    )
    table = _prepare(con)
    reader = _csv_reader(path, positional)
    try:
        rows = f"(select {select} from {reader})"
        period_and_account = ("bill_billing_period_start_date", "bill_payer_account_id")
        if (pending := _pending_elsewhere(con, rows, period_and_account, aws_cur.SOURCE, wanted)) is not None:
            return pending
        con.execute(f"create temp table {table} as select {select} from {reader}")
    except duckdb.Error as error:
        raise NotColumnar(str(error)) from None
    try:
        staged = StagedTable(table, names)
        checks = Checks()
        checks.require_values(aws_cur.REQUIRED_VALUES)
        checks.currency("line_item_currency_code")
        checks.timestamps([c for c in aws_cur.TIMESTAMP_COLUMNS if c in names])
        checks.numbers([c for c in aws_cur.NUMBER_COLUMNS if c in names])
        for column in (c for c in aws_cur.MAP_COLUMNS if c in names and c not in folds):
            checks.every_value(column, key_value_json)
        for target in targets:
            # DuckDB writes a control character's escape in upper case (`\u001F`), Python in lower: left to Python.
            checks.refusals[f"contains({_quoted(target)}, '\\u00')"] = f"{target}: a control character in a tag"
        checks.run(con, staged)
        period, account = _cur_period_and_payer(con, staged)
    except (NotColumnar, duckdb.Error):
        con.execute(f"drop table if exists {table}")
        raise
    return ParsedFile(aws_cur.SOURCE, period, account, staged.num_rows, {aws_cur.RAW_TABLE: staged})


def stage_aws_cur(con: duckdb.DuckDBPyConnection, path: Path, wanted: date | None = None) -> ParsedFile:
    """A CUR delivery, Parquet or CSV."""
    if path.suffix.lower() == ".parquet":
        return stage_aws_parquet(con, path, wanted)
    return stage_aws_csv(con, path, wanted)


# --- Azure cost details, CSV or Parquet -------------------------------------------------------------------------------


def _azure_text(position: str, name: str) -> str:
    """One delivered CSV field as raw-layer text: dates as the row-by-row parser writes them where SQL can
    (billing_timestamp_text). Numbers are rewritten afterwards, only where one needs it (Checks.numbers)."""
    field = _nonempty(position)
    if name in azure_cost.TIMESTAMP_COLUMNS:
        return f"billing_timestamp_text({field})"
    return field


@dataclass
class _AzureFile:
    delivered: list[str]  # the delivered columns' names before aliases (a pay-as-you-go export is told by them)
    names: list[str]
    select: str  # every column as raw-layer text (SQL), named
    reader: str  # the file as DuckDB reads it


def _azure_file(con: duckdb.DuckDBPyConnection, path: Path) -> _AzureFile:
    """A cost-details export, CSV (plain or gzip) or Parquet, as SQL over the file."""
    try:
        if path.suffix.lower() == ".parquet" and path.stat().st_size:
            reader = f"read_parquet({_literal(str(path))}, hive_partitioning = false)"
            describe = f"select column_name, column_type from (describe select * from {reader})"
            described = con.execute(describe).fetchall()
            header = [name for name, _ in described]
            names = azure_cost.azure_column_names(header)
            select = ", ".join(
                f"{_azure_parquet_text(original, kind, name)} as {_quoted(name)}"
                for (original, kind), name in zip(described, names, strict=True)
            )
        elif _is_csv(path):
            header = _csv_header(path)
            names = azure_cost.azure_column_names(header)
            positional = _positions(names)
            select = ", ".join(f"{_azure_text(p, n)} as {_quoted(n)}" for p, n in zip(positional, names, strict=True))
            reader = _csv_reader(path, positional)
        else:
            raise NotColumnar("not a CSV or Parquet file")
    except (duckdb.Error, RejectedFile) as error:
        raise NotColumnar(str(error)) from None
    return _AzureFile([azure_cost.azure_column_name(h) for h in header], names, select, reader)


def _azure_parquet_text(original: str, kind: str, name: str) -> str:
    """A Parquet column as raw-layer text (_parquet_text); a date delivered as text as from a CSV (_azure_text)."""
    if kind == "VARCHAR" and name in azure_cost.TIMESTAMP_COLUMNS:
        return f"billing_timestamp_text({_nonempty(_quoted(original))})"
    return _parquet_text(original, kind)


def stage_azure(con: duckdb.DuckDBPyConnection, path: Path, wanted: date | None = None) -> ParsedFile:
    """azure_cost.parse for a cost-details export (CSV, plain or gzip, or Parquet); NotColumnar where the row-by-row
    parser must decide. With `wanted`, a file of another billing period is only probed (ParsedFile without tables)."""
    delivered_file = _azure_file(con, path)
    names, select, reader = delivered_file.names, delivered_file.select, delivered_file.reader
    payg = azure_cost.PAYG_MARKER in delivered_file.delivered
    required = [
        c for c in azure_cost.REQUIRED_COLUMNS if not (payg and c.startswith("billing") and c != "billingcurrency")
    ]
    if [c for c in required if c not in names]:
        raise NotColumnar("missing required columns")
    dataset = azure_cost.dataset_of(path)
    table = _prepare(con)
    try:
        if wanted is not None and {"billingperiodstartdate", "billingaccountid"} <= set(names):
            rows = f"(select {select} from {reader})"
            period_and_account = ("billingperiodstartdate", "billingaccountid")
            pending = _pending_elsewhere(con, rows, period_and_account, azure_cost.SOURCE, wanted, dataset)
            if pending is not None:
                return pending
        con.execute(
            f"create temp table {table} as select {select}, "
            f"{_literal(dataset)} as {azure_cost.DATASET_COLUMN} from {reader}"
        )
    except duckdb.Error as error:
        raise NotColumnar(str(error)) from None
    columns = [*names, azure_cost.DATASET_COLUMN]
    try:
        staged = StagedTable(table, columns)
        checks = Checks()
        checks.require_values(azure_cost.REQUIRED_VALUES)
        checks.currency("billingcurrency")
        checks.timestamps([c for c in azure_cost.TIMESTAMP_COLUMNS if c in names])
        checks.numbers([c for c in azure_cost.NUMBER_COLUMNS if c in names])
        if "tags" in names:
            checks.every_value("tags", key_value_json)
        checks.run(con, staged)
        if dataset == azure_cost.ACTUAL and {"pricingmodel", "costinbillingcurrency"} <= set(names):
            usage = "coalesce(chargetype, 'Usage') = 'Usage'" if "chargetype" in names else "true"
            if _count(
                con,
                f"select count(*) from {staged.name} where pricingmodel in ('Reservation', 'SavingsPlan') and {usage} "
                "and cast(coalesce(costinbillingcurrency, '0') as double) <> 0",
            ):
                raise NotColumnar("commitment usage with cost in an actual-cost export")
        try:
            if "billingperiodstartdate" in names and _count(
                con, f"select count(*) from {staged.name} where billingperiodstartdate is not null"
            ):
                period = period_start(
                    single_value(
                        _column_rows(con, staged, "billingperiodstartdate"), "billingperiodstartdate", "billing period"
                    ),
                    "BillingPeriodStartDate",
                )
            else:
                months = [
                    {"date": month}
                    for (month,) in con.execute(f"select distinct left(date, 7) from {staged.name} limit 3").fetchall()
                ]
                period = month_of(months, "date", "billing period")
            key = "subscriptionid" if payg and "billingaccountid" not in names else "billingaccountid"
            account = single_value(_column_rows(con, staged, key), key, "billing account")
        except RejectedFile as error:
            raise NotColumnar(str(error)) from None
    except (NotColumnar, duckdb.Error):
        con.execute(f"drop table if exists {table}")
        raise
    return ParsedFile(
        azure_cost.SOURCE, period, account, staged.num_rows, {azure_cost.RAW_TABLE: staged}, dataset=dataset
    )


# --- FOCUS CSV or Parquet --------------------------------------------------------------------------------------------


def _null_literal(value: str) -> str | None:
    """focus.parse's reading of a cell: the literal `null` (any case, any surrounding whitespace) is no value."""
    return None if value.strip().lower() == "null" else value


def _drop_null_literals(con: duckdb.DuckDBPyConnection, staged: StagedTable, columns: Sequence[str]) -> None:
    """Rewrite `null` cells of the text columns to no value, before any check reads them (as focus.parse does).
    Found in one scan, then rewritten column by column by Python itself: testing every cell in the staging select
    cost 3.5 s a million lines of 59 columns, the scan ~0.6 s."""
    if not columns:
        return
    found = (
        con.execute(
            "select " + ", ".join(f"bool_or({_quoted(c)} ilike '%null%')" for c in columns) + f" from {staged.name}"
        ).fetchone()
        or ()
    )
    for column, has_null in zip(columns, found, strict=True):
        if has_null:
            _map_distinct(con, staged, column, f"{_quoted(column)} ilike '%null%'", _null_literal)


@dataclass
class _FocusFile:
    names: list[str]
    rows: str  # the file's rows as raw-layer text (SQL)
    source: str  # the file as DuckDB reads it
    described: list[tuple[str, str]]  # (delivered name, DuckDB type) per column, in order
    row_numbered: bool  # a Parquet file: its rows carry their file row number

    @property
    def kinds(self) -> dict[str, str]:
        return {name: kind for (_, kind), name in zip(self.described, self.names, strict=True)}


def _focus_text(text: str, name: str, kind: str) -> str:
    """A FOCUS column's raw-layer text: delivered timestamps in the forms SQL converts as Python does
    (billing_timestamp_text), the rest as it came (a `null` cell is found later: _drop_null_literals)."""
    return f"billing_timestamp_text({text})" if kind == "VARCHAR" and name in focus.TIMESTAMP_COLUMNS else text


def _focus_file(con: duckdb.DuckDBPyConnection, path: Path) -> _FocusFile:
    suffix = path.suffix.lower()
    if suffix not in focus.SUFFIXES or path.stat().st_size == 0:
        raise NotColumnar("not a FOCUS CSV or Parquet file")
    try:
        if suffix == ".parquet":
            source = f"read_parquet({_literal(str(path))}, hive_partitioning = false, file_row_number = true)"
            described = con.execute(
                f"select column_name, column_type from (describe select * exclude (file_row_number) from {source})"
            ).fetchall()
            names = column_names([name for name, _ in described])
            select = ", ".join(
                f"{_focus_text(_parquet_text(*column), name, column[1])} as {_quoted(name)}"
                for column, name in zip(described, names, strict=True)
            )
            rows = f"select {select}, cast(file_row_number + 1 as varchar) as {LINEAGE_ROW} from {source}"
            return _FocusFile(names, rows, source, described, row_numbered=True)
        header = _csv_header(path)
        names = column_names(header)
    except (duckdb.Error, RejectedFile) as error:
        raise NotColumnar(str(error)) from None
    positional = _positions(names)
    select = ", ".join(
        f"{_focus_text(_nonempty(p), n, 'VARCHAR')} as {_quoted(n)}" for p, n in zip(positional, names, strict=True)
    )
    reader = _csv_reader(path, positional)
    described = [(h, "VARCHAR") for h in header]
    return _FocusFile(names, f"select {select} from {reader}", reader, described, row_numbered=False)


def _focus_periods_of(con: duckdb.DuckDBPyConnection, relation: str, at_most: int) -> set[date] | None:
    """The billing periods a FOCUS relation's `billingperiodstart` names; None when it names none, `at_most` or more,
    or a value that says nothing plain (empty, `null`, not the start of a month)."""
    values = [
        v for (v,) in con.execute(f"select distinct billingperiodstart from {relation} limit {at_most}").fetchall()
    ]
    if not values or len(values) == at_most or any(_blank(value) for value in values):
        return None
    try:
        return {period_start(iso_utc(value) or "", "BillingPeriodStart") for value in values}
    except (ValueError, RejectedFile):
        return None


def _blank(value: str | None) -> bool:
    return value is None or _null_literal(value) is None or not value.strip()


def _focus_elsewhere(con: duckdb.DuckDBPyConnection, relation: str, wanted: date | None) -> ParsedFile | None:
    """A FOCUS file of one billing period other than `wanted`, left pending (see _pending_elsewhere; a consolidated
    export names several accounts, so the period is probed alone and the accounts only for the pending file's key)."""
    head = f"(select * from {relation} limit {PROBE_HEAD_ROWS})"
    if wanted is None or _focus_periods_of(con, head, at_most=2) == {wanted}:
        return None
    periods = _focus_periods_of(con, relation, at_most=2)  # one period, or None
    if periods is None or periods == {wanted}:
        return None
    accounts = [a for (a,) in con.execute(f"select distinct billingaccountid from {relation}").fetchall()]
    if any(_blank(account) or focus.ACCOUNT_SEPARATOR in account for account in accounts):
        return None
    return ParsedFile(focus.SOURCE, periods.pop(), focus.ACCOUNT_SEPARATOR.join(sorted(accounts)), 0, {})


def _focus_periods_staged(
    con: duckdb.DuckDBPyConnection,
    staged: StagedTable,
    rows_by_start: dict[str | None, int],
    periods: dict[str, date],
    accounts: list[str],
) -> ParsedFile:
    """focus.parse's reading of a file spanning several billing periods: every row names its period, and each
    period's delivery key is the accounts of that period's rows."""
    if None in rows_by_start:
        raise NotColumnar("a row without its billing period in a file spanning several")
    by_period: dict[date, set[str]] = {}
    for start, account in con.execute(
        f"select distinct billingperiodstart, billingaccountid from {staged.name}"
    ).fetchall():
        by_period.setdefault(periods[start], set()).add(account)
    staged.period_column = "billingperiodstart"
    staged.period_rows = {periods[start]: count for start, count in rows_by_start.items() if start is not None}
    ordered = sorted(by_period)
    return ParsedFile(
        focus.SOURCE,
        ordered[0],
        focus.ACCOUNT_SEPARATOR.join(accounts),
        staged.num_rows,
        {focus.RAW_TABLE: staged},
        periods=ordered,
        period_accounts={p: focus.ACCOUNT_SEPARATOR.join(sorted(by_period[p])) for p in ordered},
    )


def stage_focus(con: duckdb.DuckDBPyConnection, path: Path, wanted: date | None = None) -> ParsedFile:
    """focus.parse for a FOCUS CSV or Parquet file, of one billing period or several; NotColumnar where the
    row-by-row parser must decide. With `wanted`, a file of one other period is only probed (ParsedFile without
    tables)."""
    delivered = _focus_file(con, path)
    names, kinds, row_numbered = delivered.names, delivered.kinds, delivered.row_numbered
    try:
        version = focus.detect_version(names)
        focus.require_focus_columns(names, version)
    except RejectedFile as error:
        raise NotColumnar(str(error)) from None
    table = _prepare(con)
    version_column = f"{_literal(version)} as {focus.VERSION_COLUMN}"
    staged = StagedTable(table, [*names, focus.VERSION_COLUMN], is_view=row_numbered, row_numbered=row_numbered)
    try:
        relation = f"({delivered.rows})"
        if (pending := _focus_elsewhere(con, relation, wanted)) is not None:
            return pending
        if row_numbered:
            # A Parquet file: a view, read once more into raw (as a CUR is).
            con.execute(f"create temp view {table} as select *, {version_column} from {relation}")
        else:
            con.execute(f"create temp table {table} as select *, {version_column} from {relation}")
    except duckdb.Error as error:
        con.execute(f"drop {'view' if row_numbered else 'table'} if exists {table}")
        raise NotColumnar(str(error)) from None
    try:
        _drop_null_literals(con, staged, [name for name in names if kinds[name] == "VARCHAR"])
        checks = Checks()
        checks.require_values(["billingaccountid"])
        numbers = [c for c in focus.NUMBER_COLUMNS if c in names]
        floating = [c for c in numbers if kinds[c] in ("DOUBLE", "FLOAT")]
        _refuse_floats_not_finite(con, delivered.source, delivered.described, names, floating)
        # focus.parse checks numbers and keeps them as delivered (no rewrite, unlike the CUR's and Azure's).
        checks.plain_numbers([c for c in numbers if kinds[c] == "VARCHAR"])
        timestamps = [c for c in focus.TIMESTAMP_COLUMNS if c in names]
        checks.formatted_timestamps([c for c in timestamps if _is_temporal(kinds[c])])
        checks.timestamps([c for c in timestamps if not _is_temporal(kinds[c])])
        checks.run(con, staged)
        rows_by_start = dict(
            con.execute(
                f"select billingperiodstart, count(*) from {staged.name} group by all limit {PERIODS_READ_AT_MOST + 1}"
            ).fetchall()
        )
        starts = sorted(start for start in rows_by_start if start is not None)
        if not starts or len(rows_by_start) > PERIODS_READ_AT_MOST:
            raise NotColumnar("no billing period, or more periods than this path reads")
        accounts = sorted(
            value for (value,) in con.execute(f"select distinct billingaccountid from {staged.name}").fetchall()
        )
        if any(focus.ACCOUNT_SEPARATOR in account for account in accounts):
            raise NotColumnar("an account the delivery key cannot hold")
        try:
            periods = {start: period_start(start, "BillingPeriodStart") for start in starts}
        except RejectedFile as error:
            raise NotColumnar(str(error)) from None
        if len(starts) > 1:
            return _focus_periods_staged(con, staged, rows_by_start, periods, accounts)
        period = periods[starts[0]]
    except (NotColumnar, duckdb.Error):
        staged.drop(con)
        raise
    return ParsedFile(
        focus.SOURCE, period, focus.ACCOUNT_SEPARATOR.join(accounts), staged.num_rows, {focus.RAW_TABLE: staged}
    )


# Distinct billing periods read from a FOCUS file for the landing sensor before it is left to the parser.
PERIODS_READ_AT_MOST = 100


def delivered_periods(con: duckdb.DuckDBPyConnection, source: str, path: Path) -> set[date] | None:
    """The billing periods a big delivery names, read in DuckDB from its period column alone: what the landing sensor
    asks of a delivery (which months to close) without parsing the file. Parsing a six-million-line CUR row by row
    for it took over two minutes and gigabytes, beyond a sensor's time.

    An AWS CUR (Parquet or CSV) or Azure cost-details CSV file is of one period: its first rows name it (a file whose
    later rows name another period is the ingest's to refuse: the close of the month its first rows name quarantines
    it). A FOCUS file (CSV or Parquet) may span several: every row's BillingPeriodStart is read. None when the rows
    do not say it plainly (an empty or `null` period, a value that is not a month's start) or the file is not one
    of these: the row-by-row parser then decides, as the ingest does."""
    try:
        if source == focus.SOURCE:
            return _focus_periods(con, path)
        if (reader := {gcp_billing.SOURCE: gcp_periods, oci_cost.SOURCE: oci_periods}.get(source)) is not None:
            read = reader(con, path)
            return set(read[0]) if read is not None else None
        period = _first_rows_period(con, source, path)
    except (NotColumnar, RejectedFile, ValueError, duckdb.Error, OSError):
        return None
    return {period} if period is not None else None


def _first_rows_period(con: duckdb.DuckDBPyConnection, source: str, path: Path) -> date | None:
    if source == aws_cur.SOURCE and path.suffix.lower() == ".parquet" and path.stat().st_size:
        rows = f"read_parquet({_literal(str(path))}, hive_partitioning = false)"
        described = con.execute(f"select column_name, column_type from (describe select * from {rows})").fetchall()
        names = aws_cur.cur_column_names([name for name, _ in described])
        wanted = ("bill_billing_period_start_date", "bill_payer_account_id")
        typed = {name: column for column, name in zip(described, names, strict=True) if name in wanted}
        if len(typed) < len(wanted):
            return None
        select = ", ".join(f"{_parquet_text(*typed[name])} as {_quoted(name)}" for name in wanted)
    elif source == aws_cur.SOURCE and _is_csv(path):
        header = _csv_header(path)
        names = aws_cur.cur_column_names(header)
        wanted = ("bill_billing_period_start_date", "bill_payer_account_id")
        if not set(wanted) <= set(names):
            return None
        positions = dict(zip(names, _positions(names), strict=True))
        rows = _csv_reader(path, _positions(names))
        select = ", ".join(f"{_cur_csv_text(positions[name], name)} as {_quoted(name)}" for name in wanted)
    elif source == azure_cost.SOURCE:
        delivered = _azure_file(con, path)
        wanted = ("billingperiodstartdate", "billingaccountid")
        if not set(wanted) <= set(delivered.names):
            return None
        rows = f"(select {delivered.select} from {delivered.reader})"
        select = ", ".join(map(_quoted, wanted))
    else:
        return None
    _create_macros(con)
    probed = _probe(con, f"(select {select} from {rows} limit {PROBE_HEAD_ROWS})", *wanted)
    return probed[0] if probed is not None else None


def _focus_periods(con: duckdb.DuckDBPyConnection, path: Path) -> set[date] | None:
    column = "billingperiodstart"
    suffix = path.suffix.lower()
    if not path.stat().st_size or suffix not in focus.SUFFIXES:
        return None
    if suffix == ".parquet":
        rows = f"read_parquet({_literal(str(path))}, hive_partitioning = false)"
        described = con.execute(f"select column_name, column_type from (describe select * from {rows})").fetchall()
        names = column_names([name for name, _ in described])
        typed = {name: found for found, name in zip(described, names, strict=True)}
        if column not in typed:
            return None
        text = _parquet_text(*typed[column])
    else:
        names = column_names(_csv_header(path))
        if column not in names:
            return None
        rows = _csv_reader(path, _positions(names))
        text = _nonempty(_positions(names)[names.index(column)])
    return _focus_periods_of(con, f"(select {text} as {column} from {rows})", PERIODS_READ_AT_MOST)


def gcp_periods(
    con: duckdb.DuckDBPyConnection, path: Path, head: int | None = None
) -> tuple[list[date], list[str]] | None:
    """The billing periods (sorted) and billing accounts a GCP export's rows name, read in DuckDB from
    `invoice.month` and `billing_account_id` alone (JSON lines or CSV; the first `head` rows only, when given). None
    when they do not read plainly (a row without either, a month that is not YYYYMM, a line DuckDB cannot read):
    `gcp_billing` then reads the file and words what is wrong."""
    if not path.stat().st_size or path.suffix.lower() not in gcp_billing.SUFFIXES:
        return None
    if delivered_suffix(path) == ".csv":
        names = column_names(_csv_header(path))
        if not {"invoice_month", "billing_account_id"} <= set(names):
            return None
        positional = _positions(names)
        rows = _csv_reader(path, positional)
        month, account = (positional[names.index(name)] for name in ("invoice_month", "billing_account_id"))
    else:
        columns = "{'billing_account_id': 'VARCHAR', 'invoice': 'STRUCT(month VARCHAR)'}"
        rows = f"read_json({_literal(str(path))}, format = 'newline_delimited', columns = {columns})"
        month, account = "invoice.month", "billing_account_id"
    if head is not None:
        rows = f"(select * from {rows} limit {head})"
    blank = f"{month} is null or {month} = '' or {account} is null or {account} = ''"
    return _months_and_accounts(con, rows, month, account, blank, gcp_billing.month_start)


def _months_and_accounts(
    con: duckdb.DuckDBPyConnection,
    rows: str,
    month: str,
    account: str,
    unplain: str,
    month_start: Callable[[str], date],
) -> tuple[list[date], list[str]] | None:
    """The periods (sorted, from each distinct `month` text) and accounts of `rows`; None when a row is `unplain`, a
    month reads as none, or there are too many to be a delivery's."""
    found = con.execute(
        f"select list(distinct {month}), list(distinct {account}), bool_or({unplain}) from {rows}"
    ).fetchone()
    if found is None or found[2] is not False or len(found[0]) > PERIODS_READ_AT_MOST:
        return None
    try:
        return sorted({month_start(text) for text in found[0]}), sorted(found[1])
    except (RejectedFile, ValueError):
        return None


def oci_periods(
    con: duckdb.DuckDBPyConnection, path: Path, head: int | None = None
) -> tuple[list[date], list[str]] | None:
    """The months (sorted) an OCI cost report's usage starts in and the tenancies it names, read in DuckDB from
    `lineItem/intervalUsageStart` and `lineItem/tenantId` alone (CSV or `.csv.gz`; the first `head` rows only, when
    given). None unless every start is OCI's own UTC form (`2023-11-13T10:00Z`, seconds optional) and every row names
    a tenancy: `oci_cost` then decides."""
    if not path.stat().st_size or path.suffix.lower() not in oci_cost.SUFFIXES:
        return None
    names, _ = csv_rows(path, oci_cost.oci_column_names)
    if not {oci_cost.START, oci_cost.TENANT} <= set(names):
        return None
    positional = _positions(names)
    rows = _csv_reader(path, positional)
    if head is not None:
        rows = f"(select * from {rows} limit {head})"
    start, tenancy = (positional[names.index(name)] for name in (oci_cost.START, oci_cost.TENANT))
    unplain = (
        f"{tenancy} is null or {tenancy} = '' or not coalesce(regexp_full_match({start}, "
        "'[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?Z'), false)"
    )
    return _months_and_accounts(
        con,
        rows,
        f"left({start}, 7)",
        tenancy,
        unplain,
        lambda month: month_of([{"start": month}], "start", "month"),
    )


STAGERS: dict[str, Callable[[duckdb.DuckDBPyConnection, Path, date | None], ParsedFile]] = {
    aws_cur.SOURCE: stage_aws_cur,
    azure_cost.SOURCE: stage_azure,
    focus.SOURCE: stage_focus,
}


def stage(con: duckdb.DuckDBPyConnection, source: str, path: Path, wanted: date | None = None) -> ParsedFile | None:
    """The file parsed in DuckDB, or None when the row-by-row parser must read it. With `wanted` (the period being
    ingested), a file that plainly belongs to another period comes back without tables, its rows not read: a
    close of one month does not parse the months waiting beside it."""
    stager = STAGERS.get(source)
    if stager is None:
        return None
    try:
        return stager(con, path, wanted)
    except NotColumnar:
        return None


def drop_staged(con: duckdb.DuckDBPyConnection, parsed: ParsedFile | None) -> None:
    if parsed is None:
        return
    for table in parsed.tables.values():
        if isinstance(table, StagedTable):
            table.drop(con)
