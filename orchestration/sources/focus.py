"""FOCUS cost and usage files (CSV, `.csv.gz` or Parquet) from any provider, FOCUS 1.0-preview to 1.3.

The raw layer keeps every delivered column under its delivered name (docs/raw-layer.md); the FOCUS version is
detected from the columns and recorded per row in ``x_detected_focus_version``, and the older column names
(``ALIASES``) are mapped to their FOCUS 1.2 names in dbt (stg_focus__charges), not here.

Parsing normalisations specific to FOCUS: a cell holding the literal ``null`` (any case; the FOCUS
specification's own examples and several exporters write it) is an empty cell.

A file may carry several billing accounts (one consolidated export for an organisation); its delivery key is
then the sorted, comma-separated list of its accounts (``ACCOUNT_SEPARATOR``), and a new delivery supersedes
every earlier delivery of the same period that shares an account (orchestration/ingest/raw_load.py).

A file may span several billing periods (one export covering September and October): every row then must name
its BillingPeriodStart, and the ingest loads, supersedes and records the file period by period
(``ParsedFile.periods``); each period's delivery key is the accounts of that period's rows.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa

from orchestration.sources.common import (
    ParsedFile,
    RejectedFile,
    check_numbers,
    normalise_timestamps,
    parquet_rows,
    period_start,
    require_rows,
    single_value,
    text_table,
    with_row_periods,
)
from orchestration.sources.csv_reader import read_csv_rows

SOURCE = "focus"
RAW_TABLE = "focus"
SUFFIXES = (".csv", ".parquet", ".gz")
ACCOUNT_SEPARATOR = ","
VERSION_COLUMN = "x_detected_focus_version"

# The columns the pipeline cannot do without, under their FOCUS 1.2 names (the raw table always has them).
REQUIRED_COLUMNS = (
    "billingaccountid",
    "billingperiodstart",
    "billingperiodend",
    "chargeperiodstart",
    "chargeperiodend",
    "billedcost",
    "effectivecost",
    "billingcurrency",
    "chargecategory",
)

# FOCUS 1.2 name -> names earlier versions used for the same column (FOCUS 0.5 / 1.0-preview, as written by
# focus-converter 1.0.0). Mapped in stg_focus__charges; a file carrying either satisfies a required column.
ALIASES: dict[str, tuple[str, ...]] = {
    "providername": ("provider",),
    "publishername": ("publisher",),
    "invoiceissuername": ("invoiceissuer",),
    "chargecategory": ("chargetype",),
    "effectivecost": ("amortizedcost",),
}

# Columns that first appear in a version: the newest version whose columns a file carries is its version.
VERSION_MARKERS: tuple[tuple[str, frozenset[str]], ...] = (
    ("1.3", frozenset({"serviceprovidername", "hostprovidername"})),
    (
        "1.2",
        frozenset(
            {
                "invoiceid",
                "pricingcurrency",
                "pricingcurrencycontractedunitprice",
                "pricingcurrencyeffectivecost",
                "pricingcurrencylistunitprice",
            }
        ),
    ),
    (
        "1.1",
        frozenset(
            {
                "capacityreservationid",
                "capacityreservationstatus",
                "commitmentdiscountquantity",
                "commitmentdiscountunit",
                "servicesubcategory",
                "skumeter",
                "skupricedetails",
            }
        ),
    ),
    ("1.0-preview", frozenset({"provider", "publisher", "invoiceissuer", "chargetype", "amortizedcost"})),
    ("1.0", frozenset({"providername", "publishername", "invoiceissuername", "chargecategory"})),
)

TIMESTAMP_COLUMNS = ("billingperiodstart", "billingperiodend", "chargeperiodstart", "chargeperiodend")
NUMBER_COLUMNS = (
    "billedcost",
    "effectivecost",
    "amortizedcost",
    "listcost",
    "contractedcost",
    "pricingquantity",
    "consumedquantity",
    "listunitprice",
    "contractedunitprice",
    "commitmentdiscountquantity",
    "pricingcurrencycontractedunitprice",
    "pricingcurrencyeffectivecost",
    "pricingcurrencylistunitprice",
)


def detect_version(columns: list[str]) -> str:
    """The FOCUS version a file's columns denote (see VERSION_MARKERS); refuses a file that is not FOCUS."""
    present = set(columns)
    for version, markers in VERSION_MARKERS:
        if present & markers:
            return version
    raise RejectedFile("no FOCUS column found (ProviderName, ChargeCategory, ...); not a FOCUS file")


def _present(columns: list[str], name: str) -> bool:
    return name in columns or any(alias in columns for alias in ALIASES.get(name, ()))


def require_focus_columns(columns: list[str], version: str) -> None:
    missing = [name for name in REQUIRED_COLUMNS if not _present(columns, name)]
    if missing:
        raise RejectedFile(f"missing required column(s) {', '.join(missing)} for a FOCUS {version} file")


def value(row: dict[str, str | None], name: str) -> str | None:
    """A row's value of a FOCUS 1.2 column, read through its older names."""
    for candidate in (name, *ALIASES.get(name, ())):
        found = row.get(candidate)
        if found is not None:
            return found
    return None


def _drop_null_literals(rows: list[dict[str, str | None]]) -> None:
    for row in rows:
        for name, cell in row.items():
            if cell is not None and cell.strip().lower() == "null":
                row[name] = None


def parse(path: Path) -> ParsedFile:
    if path.suffix.lower() == ".parquet":
        columns, rows = parquet_rows(path)
    else:
        columns, rows = read_csv_rows(path)
    version = detect_version(columns)
    require_focus_columns(columns, version)
    require_rows(rows, path)
    _drop_null_literals(rows)
    normalise_timestamps(rows, [c for c in TIMESTAMP_COLUMNS if c in columns])
    check_numbers(rows, [c for c in NUMBER_COLUMNS if c in columns])
    starts = {value(row, "billingperiodstart") for row in rows} - {None}
    period = None
    if len(starts) <= 1:
        period = period_start(single_value(rows, "billingperiodstart", "billing period"), "BillingPeriodStart")
    accounts = {value(row, "billingaccountid") for row in rows}
    if None in accounts:
        row_number = next(i for i, row in enumerate(rows, start=1) if value(row, "billingaccountid") is None)
        raise RejectedFile(f"row {row_number}: BillingAccountId is empty; every FOCUS charge names its account")
    if any(ACCOUNT_SEPARATOR in account for account in accounts if account):
        raise RejectedFile(f"a BillingAccountId contains {ACCOUNT_SEPARATOR!r}; cannot key the delivery")
    account_key = ACCOUNT_SEPARATOR.join(sorted(a for a in accounts if a))
    for row in rows:
        row[VERSION_COLUMN] = version
    table = text_table(rows, [*columns, VERSION_COLUMN])
    if period is not None:
        return ParsedFile(SOURCE, period, account_key, len(rows), {RAW_TABLE: table})
    return _multi_period(rows, table, account_key)


def _multi_period(rows: list[dict[str, str | None]], table: pa.Table, account_key: str) -> ParsedFile:
    """A file spanning several billing periods: every row names its period, each period has its own key."""
    by_text: dict[str, date] = {}
    row_periods: list[date] = []
    accounts: dict[date, set[str]] = {}
    for number, row in enumerate(rows, start=1):
        text = value(row, "billingperiodstart")
        if text is None:
            raise RejectedFile(
                f"row {number}: BillingPeriodStart is empty in a file spanning several billing periods; "
                "cannot tell the row's period"
            )
        if text not in by_text:
            by_text[text] = period_start(text, "BillingPeriodStart")
        period = by_text[text]
        row_periods.append(period)
        accounts.setdefault(period, set()).add(value(row, "billingaccountid") or "")
    periods = sorted(accounts)
    if len(periods) == 1:
        return ParsedFile(SOURCE, periods[0], account_key, len(rows), {RAW_TABLE: table})
    return ParsedFile(
        SOURCE,
        periods[0],
        account_key,
        len(rows),
        {RAW_TABLE: with_row_periods(table, row_periods)},
        periods=periods,
        period_accounts={p: ACCOUNT_SEPARATOR.join(sorted(accounts[p])) for p in periods},
    )
