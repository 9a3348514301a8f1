"""Azure cost details (EA actual cost), CSV: PascalCase or camelCase headers, BOM, MM/DD/YYYY or ISO dates."""

from __future__ import annotations

from pathlib import Path

from orchestration.sources.common import (
    ParsedFile,
    RejectedFile,
    check_numbers,
    key_value_json,
    normalise_timestamps,
    period_start,
    require_columns,
    require_rows,
    single_value,
    text_table,
)
from orchestration.sources.csv_reader import read_csv_rows

SOURCE = "azure_cost"
RAW_TABLE = "azure_cost"
REQUIRED_COLUMNS = (
    "billingaccountid",
    "billingperiodstartdate",
    "billingperiodenddate",
    "subscriptionid",
    "date",
    "costinbillingcurrency",
    "billingcurrency",
)
# Older EA headers name the same facts differently.
ALIASES = {"cost": "costinbillingcurrency", "billingcurrencycode": "billingcurrency"}
TIMESTAMP_COLUMNS = ("billingperiodstartdate", "billingperiodenddate", "date")
NUMBER_COLUMNS = ("costinbillingcurrency", "quantity", "effectiveprice", "unitprice", "paygprice")


def parse(path: Path) -> ParsedFile:
    columns, rows = read_csv_rows(path)
    renames = {old: new for old, new in ALIASES.items() if old in columns and new not in columns}
    if renames:
        columns = [renames.get(c, c) for c in columns]
        rows = [{renames.get(k, k): v for k, v in row.items()} for row in rows]
    require_columns(columns, REQUIRED_COLUMNS, "Azure cost details")
    require_rows(rows, path)
    normalise_timestamps(rows, [c for c in TIMESTAMP_COLUMNS if c in columns])
    check_numbers(rows, [c for c in NUMBER_COLUMNS if c in columns])
    if "tags" in columns:
        for number, row in enumerate(rows, start=1):
            try:
                row["tags"] = key_value_json(row["tags"])
            except ValueError as error:
                raise RejectedFile(f"row {number}, column tags: {error}") from None
    period = period_start(single_value(rows, "billingperiodstartdate", "billing period"), "BillingPeriodStartDate")
    account = single_value(rows, "billingaccountid", "billing account")
    return ParsedFile(SOURCE, period, account, len(rows), {RAW_TABLE: text_table(rows, columns)})
