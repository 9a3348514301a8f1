"""AWS CUR 2.0 / Data Exports in Parquet: snake_case columns, map columns, double-precision costs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.sources.common import (
    ParsedFile,
    RejectedFile,
    check_numbers,
    column_names,
    compact_json,
    decimal_text,
    iso_utc,
    key_value_json,
    period_start,
    require_columns,
    require_rows,
    single_value,
    text_table,
)

SOURCE = "aws_cur"
RAW_TABLE = "aws_cur"
REQUIRED_COLUMNS = (
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_unblended_cost",
    "line_item_currency_code",
)
MONEY_COLUMNS = ("line_item_unblended_cost",)


def _text_values(column: pa.ChunkedArray, name: str) -> list[str | None]:
    kind = column.type
    values = column.to_pylist()
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return [iso_utc(v) for v in values]
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind) or pa.types.is_integer(kind):
        return [decimal_text(v) for v in values]
    if pa.types.is_map(kind):
        try:
            return [key_value_json(v) for v in values]
        except ValueError as error:
            raise RejectedFile(f"column {name}: {error}") from None
    if pa.types.is_struct(kind) or pa.types.is_list(kind):
        return [None if v is None else compact_json(v) for v in values]
    if pa.types.is_boolean(kind):
        return [decimal_text(v) for v in values]
    return [None if v is None or v == "" else _string(v) for v in values]


def _string(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def parse(path: Path) -> ParsedFile:
    if path.stat().st_size == 0:
        raise RejectedFile("empty file (0 bytes); ask the provider to re-deliver")
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RejectedFile(f"not a readable Parquet file (truncated or corrupt): {first_line}") from None
    columns = column_names(table.column_names)
    require_columns(columns, REQUIRED_COLUMNS, "AWS CUR 2.0 Parquet")
    by_name = {name: _text_values(table.column(i), name) for i, name in enumerate(columns)}
    rows = [{name: by_name[name][i] for name in columns} for i in range(table.num_rows)]
    require_rows(rows, path)
    check_numbers(rows, MONEY_COLUMNS)
    for column in ("line_item_usage_start_date", "line_item_usage_end_date"):
        for number, row in enumerate(rows, start=1):
            if row[column] is None:
                raise RejectedFile(f"row {number}, column {column}: empty; every CUR line has a usage period")
    period = period_start(
        single_value(rows, "bill_billing_period_start_date", "billing period"), "bill_billing_period_start_date"
    )
    account = single_value(rows, "bill_payer_account_id", "payer account")
    return ParsedFile(SOURCE, period, account, len(rows), {RAW_TABLE: text_table(rows, columns)})
