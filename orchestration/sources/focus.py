"""FOCUS 1.2 cost and usage files (CSV) from any provider, e.g. a SaaS vendor."""

from __future__ import annotations

from pathlib import Path

from orchestration.sources.common import (
    ParsedFile,
    check_numbers,
    normalise_timestamps,
    period_start,
    require_columns,
    require_rows,
    single_value,
    text_table,
)
from orchestration.sources.csv_reader import read_csv_rows

SOURCE = "focus"
RAW_TABLE = "focus"
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
TIMESTAMP_COLUMNS = ("billingperiodstart", "billingperiodend", "chargeperiodstart", "chargeperiodend")
NUMBER_COLUMNS = (
    "billedcost",
    "effectivecost",
    "listcost",
    "contractedcost",
    "pricingquantity",
    "consumedquantity",
    "listunitprice",
    "contractedunitprice",
)


def parse(path: Path) -> ParsedFile:
    columns, rows = read_csv_rows(path)
    require_columns(columns, REQUIRED_COLUMNS, "FOCUS")
    require_rows(rows, path)
    normalise_timestamps(rows, [c for c in TIMESTAMP_COLUMNS if c in columns])
    check_numbers(rows, [c for c in NUMBER_COLUMNS if c in columns])
    period = period_start(single_value(rows, "billingperiodstart", "billing period"), "BillingPeriodStart")
    account = single_value(rows, "billingaccountid", "billing account")
    return ParsedFile(SOURCE, period, account, len(rows), {RAW_TABLE: text_table(rows, columns)})
