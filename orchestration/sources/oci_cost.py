"""Oracle Cloud Infrastructure (OCI) cost reports, CSV (`.csv` or `.csv.gz`), onto the `raw.oci_cost` table.

OCI writes `category/attribute` headers (`lineItem/intervalUsageStart`, `cost/myCost`); each becomes its
normalised raw name (`lineitem_intervalusagestart`, `cost_mycost`, docs/raw-layer.md). The `tags/<key>`
columns are folded into one JSON object column `tags`, keyed exactly as OCI names the tag
(`tags/Oracle-Tags.CreatedBy` -> key `Oracle-Tags.CreatedBy`); a row without tags has `{}`.

Parsing rules (all documented in docs/raw-layer.md):

* Timestamps: OCI writes interval starts without seconds (`2023-11-13T10:00Z`) and ends with them
  (`2023-11-13T11:00:00Z`); both become `YYYY-MM-DD HH:MM:SS` UTC.
* Numbers: amounts may be in scientific notation (`2.323760000E-9`), which becomes plain decimal text.
* Billing period: a cost report has no billing-period column. OCI bills usage by calendar month (UTC), so the
  period is the calendar month every `lineItem/intervalUsageStart` falls in; a file whose usage spans two
  months is refused, and so is a row whose interval ends after the end of that month.
* Billing account: `lineItem/tenantId`, the tenancy (one per file).
* Every line carries its cost (`cost/myCost`, which OCI states is inclusive of any overage), its currency,
  its usage interval and its tenancy; an empty one refuses the file (money is never NULL-filled).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from orchestration.sources.common import (
    ParsedFile,
    RejectedFile,
    check_currency,
    check_unique,
    column_name,
    compact_json,
    month_of,
    normalise_decimals,
    normalise_timestamps,
    require_columns,
    require_rows,
    require_values,
    single_value,
    text_table,
)
from orchestration.sources.csv_reader import read_csv_rows

SOURCE = "oci_cost"
RAW_TABLE = "oci_cost"
SUFFIXES = (".csv", ".gz")
START = "lineitem_intervalusagestart"
END = "lineitem_intervalusageend"
TENANT = "lineitem_tenantid"
COST = "cost_mycost"
CURRENCY = "cost_currencycode"
REQUIRED_COLUMNS = (
    "lineitem_referenceno",
    TENANT,
    START,
    END,
    "product_service",
    "product_region",
    COST,
    CURRENCY,
)
# Every cost-report line carries these; an empty one refuses the file.
REQUIRED_VALUES = (TENANT, START, END, COST, CURRENCY)
# Columns dbt types as numbers; a value that is not a number refuses the file, naming the column.
NUMBER_COLUMNS = (
    "usage_billedquantity",
    "usage_billedquantityoverage",
    "cost_unitprice",
    "cost_unitpriceoverage",
    COST,
    "cost_mycostoverage",
)
TIMESTAMP_COLUMNS = (START, END)
TAGS = "tags"
_TAG_PREFIX = "tags/"
# A tag column is held under "tags/<key>" until it is folded (never a valid raw column name).
_FOLD = "/"


def oci_column_name(header: str) -> str:
    """`cost/myCost` -> `cost_mycost`; `tags/Oracle-Tags.CreatedBy` -> the fold marker `tags/Oracle-Tags.CreatedBy`."""
    text = header.strip().lstrip("\ufeff")
    if text.lower().startswith(_TAG_PREFIX):
        key = text[len(_TAG_PREFIX) :]
        if not key.strip():
            raise RejectedFile(f"header {header!r} names no tag key")
        return f"{TAGS}{_FOLD}{key}"
    return column_name(text)


def oci_column_names(headers: Sequence[str]) -> list[str]:
    names = [oci_column_name(h) for h in headers]
    check_unique(headers, names)
    return names


def folded_columns(columns: list[str]) -> list[str]:
    """The raw table's columns: the delivered ones with the `tags/<key>` columns folded into `tags`."""
    kept = [c for c in columns if _FOLD not in c]
    if TAGS in kept:
        raise RejectedFile("a column named 'tags' is delivered beside tags/<key> columns; cannot fold the tags")
    return [*kept, TAGS]


def fold_tags(columns: list[str], rows: list[dict[str, str | None]]) -> None:
    """Fold the `tags/<key>` columns into one `tags` JSON object per row (always present; `{}` without tags)."""
    folded = [c for c in columns if _FOLD in c]
    for row in rows:
        pairs: dict[str, str] = {}
        for column in folded:
            value = row.pop(column, None)
            if value not in (None, ""):
                pairs[column.split(_FOLD, 1)[1]] = str(value)
        row[TAGS] = compact_json(pairs)


def _next_month(period: date) -> str:
    year, month = (period.year + 1, 1) if period.month == 12 else (period.year, period.month + 1)
    return f"{year:04d}-{month:02d}-01 00:00:00"


def check_intervals_end_in_month(rows: list[dict[str, str | None]], period: date, first_row: int = 1) -> None:
    """A usage interval ends at the latest at the first instant of the next month (ISO text compares in order)."""
    limit = _next_month(period)
    for number, row in enumerate(rows, start=first_row):
        start, end = row.get(START) or "", row.get(END) or ""
        if end > limit:
            raise RejectedFile(
                f"row {number}: the usage interval {start} - {end} ends after the billing period "
                f"{period:%Y-%m} (usage of two months); deliver one month per file"
            )
        if end < start:
            raise RejectedFile(f"row {number}: the usage interval ends ({end}) before it starts ({start})")


def normalise(rows: list[dict[str, str | None]], columns: list[str], first_row: int = 1) -> None:
    """The raw layer's decimal text and timestamps and the currency check, in place (`columns`: the raw table's;
    `first_row`: the number of `rows[0]` in the file, for the messages)."""
    normalise_decimals(rows, [c for c in NUMBER_COLUMNS if c in columns], first_row)
    normalise_timestamps(rows, TIMESTAMP_COLUMNS, first_row)
    check_currency(rows, CURRENCY, first_row)


# No billing-period column: OCI bills calendar months (UTC), so the period is the month of the usage.
PERIOD_WHAT = "billing period (the month of lineItem/intervalUsageStart)"
ACCOUNT_WHAT = "tenancy (lineItem/tenantId, the billing account)"


def parse(path: Path) -> ParsedFile:
    delivered, rows = read_csv_rows(path, oci_column_names)
    columns = folded_columns(delivered)
    fold_tags(delivered, rows)
    require_columns(columns, REQUIRED_COLUMNS, "OCI cost report")
    require_rows(rows, path)
    require_values(rows, REQUIRED_VALUES, "OCI cost report")
    normalise(rows, columns)
    period = month_of(rows, START, PERIOD_WHAT)
    check_intervals_end_in_month(rows, period)
    account = single_value(rows, TENANT, ACCOUNT_WHAT)
    return ParsedFile(SOURCE, period, account, len(rows), {RAW_TABLE: text_table(rows, columns)})
