"""What every export parser shares: the parsed-file shape, the refusal, and the text normalisations.

Parsers keep every value as text, exactly as delivered, except for the normalisations documented in
docs/raw-layer.md (timestamps to ISO 8601 UTC, binary floats to their shortest decimal text, key/value
collections to compact JSON objects). Typing and every business rule happen later, in dbt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

LINEAGE_ROW = "_source_row"
# Per-row billing period (ISO date text) in the tables of a file that spans several periods (ParsedFile.periods).
LINEAGE_PERIOD = "_billing_period_start"


class RejectedFile(Exception):
    """A file that cannot be loaded; the message is the one line shown to people and kept in the audit."""


@dataclass
class ParsedFile:
    source: str
    billing_period_start: date
    billing_account_id: str
    row_count: int
    # raw table name -> all-text Arrow table, or a DuckDB temporary table or view for a file parsed in the engine
    # (orchestration/sources/in_duckdb/columnar.StagedTable); the main table first.
    tables: dict[str, Any] = field(default_factory=dict)
    # Every billing period the file covers, sorted; the first is billing_period_start. A file spanning several
    # periods carries each row's period in the LINEAGE_PERIOD column of every Arrow table (a staged table names its
    # period column: StagedTable.of_period) and each period's delivery key in period_accounts; the ingest loads and
    # supersedes it period by period (for_period).
    periods: list[date] = field(default_factory=list)
    period_accounts: dict[date, str] = field(default_factory=dict)
    # The export dataset, where one billing account and period has several deliveries that complement each other
    # (Azure ActualCost / AmortizedCost); a delivery replaces only earlier deliveries of its own dataset.
    dataset: str | None = None

    def __post_init__(self) -> None:
        if not self.periods:
            self.periods = [self.billing_period_start]

    @property
    def multi_period(self) -> bool:
        return len(self.periods) > 1

    def for_period(self, period: date) -> ParsedFile:
        """The rows of one period as a single-period ParsedFile (lineage `_source_row` kept from the file)."""
        if period not in self.periods:
            raise ValueError(f"{period} is not a period of this file")
        if not self.multi_period:
            return self
        tables: dict[str, Any] = {}
        for name, table in self.tables.items():
            if not isinstance(table, pa.Table):
                # Staged in DuckDB (sources/in_duckdb/columnar.StagedTable): it selects its period's rows itself.
                tables[name] = table.of_period(period)
                continue
            rows = table.filter(pc.equal(table.column(LINEAGE_PERIOD), period.isoformat()))
            tables[name] = rows.drop([LINEAGE_PERIOD])
        main = next(iter(tables.values()))
        return ParsedFile(
            self.source,
            period,
            self.period_accounts.get(period, self.billing_account_id),
            main.num_rows,
            tables,
            dataset=self.dataset,
        )


def with_row_periods(table: pa.Table, periods: Sequence[date]) -> pa.Table:
    """Append each row's billing period (ISO text) as LINEAGE_PERIOD, for a file spanning several periods."""
    return table.append_column(LINEAGE_PERIOD, pa.array([p.isoformat() for p in periods], type=pa.string()))


@lru_cache(maxsize=4096)
def column_name(header: str) -> str:
    """`BillingAccountId` -> `billingaccountid`, `service.description` -> `service_description`. Cached: a JSON-lines
    export names its fields again on every line (a million GCP lines: five million names)."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", header.strip().lstrip("\ufeff").lower()).strip("_")
    if not cleaned:
        raise RejectedFile(f"header {header!r} has no usable characters")
    return cleaned


def column_names(headers: Sequence[str]) -> list[str]:
    names = [column_name(h) for h in headers]
    check_unique(headers, names)
    return names


def check_unique(headers: Sequence[str], names: Sequence[str]) -> None:
    """Refuse a header in which two delivered columns end up with the same name."""
    seen: set[str] = set()
    for header, name in zip(headers, names, strict=True):
        if name in seen:
            raise RejectedFile(f"two columns normalise to the same name {name!r} (one is {header!r})")
        seen.add(name)


def require_columns(columns: Iterable[str], required: Sequence[str], what: str) -> None:
    present = set(columns)
    missing = [c for c in required if c not in present]
    if missing:
        article = "an" if what[:1].lower() in "aeiou" else "a"
        raise RejectedFile(f"missing required column(s) {', '.join(missing)} for {article} {what} file")


_DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M%z",  # OCI interval starts: `2023-11-13T10:00Z` (the Z is rewritten to +0000 first)
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m/%d/%Y %H:%M:%S",
)


def parse_timestamp(value: str) -> datetime:
    """Parse the timestamp forms providers deliver; naive values are UTC. Raises ValueError."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+0000"
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed
    raise ValueError(value)


def iso_utc(value: Any) -> str | None:
    """A timestamp (text or datetime) as `YYYY-MM-DD HH:MM:SS` in UTC; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        return _iso_from_text(str(value))
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@lru_cache(maxsize=65_536)
def _iso_from_text(text: str) -> str:
    # An export repeats the same few thousand timestamps on every row; strptime over several formats is slow.
    return parse_timestamp(text).strftime("%Y-%m-%d %H:%M:%S")


def decimal_text(value: Any) -> str | None:
    """Shortest exact decimal text of a number: floats via repr (what the binary value denotes), no exponent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return str(value)


def compact_json(value: Any) -> str:
    return _COMPACT_JSON.encode(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, datetime | date):
        return iso_utc(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


# What json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=_json_default) writes,
# without building an encoder per value (a GCP export: one per line with credits).
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=_json_default)


def key_value_json(value: Any) -> str | None:
    """A map, a list of {key, value} records or Azure's brace-less tag text -> compact JSON object text."""
    if value is None:
        return None
    if isinstance(value, list):  # first: a GCP line carries four, and Mapping's check below is slow
        if not value:
            return "{}"
        # BigQuery's label arrays: the same few sets on every line of an export, each written once. Text only:
        # equal numbers hash alike (Decimal 1.10 and 1.1) but are written as delivered.
        pairs_of_text = _text_pairs(value)
        if pairs_of_text is not None:
            return _key_value_pairs_json(pairs_of_text)
        pairs: dict[str, str] = {}
        for item in value:
            if isinstance(item, Mapping) and "key" in item:
                pairs[str(item["key"])] = "" if item.get("value") is None else str(item["value"])
            elif isinstance(item, tuple | list) and len(item) == 2:
                pairs[str(item[0])] = "" if item[1] is None else str(item[1])
            else:
                raise ValueError(f"not a key/value list: {value!r}")
        return compact_json(pairs)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if not text.startswith("{"):
            text = "{" + text + "}"
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"tags are not key/value JSON: {value!r}") from error
        if not isinstance(loaded, dict):
            raise ValueError(f"tags are not key/value JSON: {value!r}")
        return compact_json({str(k): "" if v is None else str(v) for k, v in loaded.items()})
    if isinstance(value, Mapping):
        return compact_json({str(k): "" if v is None else str(v) for k, v in value.items()})
    raise ValueError(f"not a key/value collection: {value!r}")


def _text_pairs(items: list[Any]) -> tuple[tuple[str, str | None], ...] | None:
    """(key, value) of a list of records of exactly `key` and `value`, keys text and values text or null; None
    otherwise."""
    pairs = []
    for item in items:
        if type(item) is not dict or len(item) != 2:
            return None
        key, text = item.get("key", _NO_VALUE), item.get("value", _NO_VALUE)
        if type(key) is not str or not (text is None or type(text) is str):
            return None
        pairs.append((key, text))
    return tuple(pairs)


_NO_VALUE = object()


@lru_cache(maxsize=65_536)
def _key_value_pairs_json(pairs: tuple[tuple[Any, Any], ...]) -> str:
    return compact_json({str(k): "" if v is None else str(v) for k, v in pairs})


def check_decimal(value: str | None, column: str, row: int) -> None:
    if value is None or value == "":
        return
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise RejectedFile(f"row {row}, column {column}: {value!r} is not a number") from None
    if not number.is_finite():
        raise RejectedFile(f"row {row}, column {column}: {value!r} is not a number")


# Plain decimal text, already what normalise_decimals keeps (most values): skips building a Decimal to check it.
_plain_decimal = re.compile(r"-?[0-9]+(?:\.[0-9]+)?").fullmatch


def normalise_decimals(rows: list[dict[str, str | None]], columns: Sequence[str], first_row: int = 1) -> None:
    """Check the named number columns; scientific notation (`5.64902E-05`) becomes plain decimal text.

    Plain decimal text is kept exactly as delivered (trailing zeros included). One bad value refuses the file.
    `first_row`: the number of `rows[0]` in the file, for the message (a file read a batch at a time).
    """
    for index, row in enumerate(rows, start=first_row):
        for column in columns:
            value = row.get(column)
            if value is None or _plain_decimal(value):
                continue
            check_decimal(value, column, index)
            text = value.strip()
            if "e" in text.lower():
                row[column] = decimal_text(Decimal(text))
            elif text != value:
                row[column] = text


def require_values(rows: list[dict[str, str | None]], columns: Sequence[str], what: str) -> None:
    """Refuse a file in which a mandatory column is empty: money is never NULL-filled silently."""
    for column in columns:
        empty = [index for index, row in enumerate(rows, start=1) if row.get(column) in (None, "")]
        if empty:
            raise empty_values(column, len(empty), len(rows), empty[0], what)


def empty_values(column: str, empty: int, rows: int, first: int, what: str) -> RejectedFile:
    """The refusal of a file whose mandatory `column` is empty on `empty` of its `rows` rows, the first `first`."""
    return RejectedFile(
        f"column {column} is empty on {empty} of {rows} rows (first: row {first}); "
        f"every {what} line carries it — re-export the file from the provider"
    )


_CURRENCY = re.compile(r"^[A-Z]{3}$")


def check_currency(rows: list[dict[str, str | None]], column: str, first_row: int = 1) -> None:
    """Currency columns hold ISO 4217 alphabetic codes (`USD`, `CAD`, `NOK`)."""
    for index, row in enumerate(rows, start=first_row):
        value = row.get(column)
        if value is not None and not _CURRENCY.match(value):
            raise RejectedFile(f"row {index}, column {column}: {value!r} is not an ISO 4217 currency code")


def month_of(rows: list[dict[str, str | None]], column: str, what: str) -> date:
    """The one calendar month every (ISO-normalised) value of `column` falls in; refuses a file spanning two."""
    months = {value[:7] for row in rows if (value := row.get(column))}
    if not months:
        raise RejectedFile(f"column {column} is empty on every row; cannot tell the {what}")
    if len(months) > 1:
        shown = ", ".join(sorted(months)[:3])
        raise RejectedFile(
            f"cannot derive the {what}: column {column} spans {len(months)} months ({shown}); "
            "deliver one month per file"
        )
    year, month = months.pop().split("-")
    return date(int(year), int(month), 1)


def normalise_timestamps(rows: list[dict[str, str | None]], columns: Sequence[str], first_row: int = 1) -> None:
    """Rewrite the named timestamp columns in place; one bad value refuses the whole file (`first_row`: the number
    of `rows[0]` in the file, for the message)."""
    for index, row in enumerate(rows, start=first_row):
        for column in columns:
            value = row.get(column)
            if value is None or value == "":
                row[column] = None
                continue
            try:
                row[column] = iso_utc(value)
            except ValueError:
                raise RejectedFile(f"row {index}, column {column}: {value!r} is not a date or timestamp") from None


def check_numbers(rows: list[dict[str, str | None]], columns: Sequence[str], first_row: int = 1) -> None:
    for index, row in enumerate(rows, start=first_row):
        for column in columns:
            check_decimal(row.get(column), column, index)


def single_value(rows: list[dict[str, str | None]], column: str, what: str) -> str:
    values = {row.get(column) for row in rows}
    values.discard(None)
    values.discard("")
    if not values:
        raise RejectedFile(f"column {column} is empty on every row; cannot tell the {what}")
    if len(values) > 1:
        shown = ", ".join(sorted(values)[:3])
        raise RejectedFile(f"file spans {len(values)} values of {column} ({shown}); deliver one {what} per file")
    return values.pop()


def period_start(value: str, column: str) -> date:
    """The first day of the billing period a timestamp-like value denotes."""
    try:
        moment = parse_timestamp(value)
    except ValueError:
        raise RejectedFile(f"column {column}: {value!r} is not a date") from None
    if moment.day != 1 or moment.time() != datetime.min.time():
        raise RejectedFile(f"column {column}: {value!r} is not the start of a billing month")
    return moment.date()


def text_table(rows: list[dict[str, str | None]], columns: Sequence[str]) -> pa.Table:
    """All-text Arrow table with a 1-based `_source_row`, columns in delivered order."""
    data: dict[str, pa.Array] = {name: pa.array([row.get(name) for row in rows], type=pa.string()) for name in columns}
    data[LINEAGE_ROW] = pa.array([str(i) for i in range(1, len(rows) + 1)], type=pa.string())
    return pa.table(data)


def require_rows(rows: Sequence[Any], path: Path) -> None:
    if not rows:
        raise RejectedFile("no data rows (header only or empty file); ask the provider to re-deliver")


def read_parquet_table(path: Path) -> pa.Table:
    """A Parquet export as an Arrow table; an empty, truncated or corrupt file is refused in one line."""
    if path.stat().st_size == 0:
        raise RejectedFile("empty file (0 bytes); ask the provider to re-deliver")
    try:
        return pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RejectedFile(f"not a readable Parquet file (truncated or corrupt): {first_line}") from None


def parquet_column_text(column: pa.ChunkedArray, name: str) -> list[str | None]:
    """One Parquet column as raw-layer text (docs/raw-layer.md): timestamps as UTC ISO text, numbers and booleans
    as exact decimal text, maps as a JSON object, other nested values as JSON, bytes as UTF-8."""
    kind = column.type
    values = column.to_pylist()
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return [iso_utc(v) for v in values]
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind) or pa.types.is_integer(kind):
        return [decimal_text(v) for v in values]
    if pa.types.is_boolean(kind):
        return [decimal_text(v) for v in values]
    if pa.types.is_map(kind):
        try:
            return [key_value_json(v) for v in values]
        except ValueError as error:
            raise RejectedFile(f"column {name}: {error}") from None
    if pa.types.is_nested(kind):
        return [None if v is None else compact_json(v) for v in values]
    return [None if v is None or v == "" else _text(v) for v in values]


def parquet_rows(
    path: Path, names: Callable[[Sequence[str]], list[str]] = column_names
) -> tuple[list[str], list[dict[str, str | None]]]:
    """A Parquet export's columns (named by `names`, as a CSV header would be) and rows as raw-layer text."""
    table = read_parquet_table(path)
    columns = names(table.column_names)
    by_name = {name: parquet_column_text(table.column(i), name) for i, name in enumerate(columns)}
    return columns, [{name: by_name[name][i] for name in columns} for i in range(table.num_rows)]


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
