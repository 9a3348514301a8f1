"""On-premises VM meter CSV: one row per VM and metering interval, priced at internal rates."""

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

SOURCE = "onprem"
RAW_TABLE = "onprem"
REQUIRED_COLUMNS = ("datacenter_id", "billing_period_start", "usage_start", "usage_end", "project", "cost", "currency")
TIMESTAMP_COLUMNS = ("billing_period_start", "usage_start", "usage_end")
NUMBER_COLUMNS = (
    "cost",
    "vcpu_hours",
    "memory_gb_hours",
    "storage_gb_months",
    "rate_vcpu_hour",
    "rate_memory_gb_hour",
    "rate_storage_gb_month",
)


def parse(path: Path) -> ParsedFile:
    columns, rows = read_csv_rows(path)
    require_columns(columns, REQUIRED_COLUMNS, "on-premises meter")
    require_rows(rows, path)
    normalise_timestamps(rows, [c for c in TIMESTAMP_COLUMNS if c in columns])
    check_numbers(rows, [c for c in NUMBER_COLUMNS if c in columns])
    period = period_start(single_value(rows, "billing_period_start", "billing period"), "billing_period_start")
    account = single_value(rows, "datacenter_id", "datacenter")
    return ParsedFile(SOURCE, period, account, len(rows), {RAW_TABLE: text_table(rows, columns)})
