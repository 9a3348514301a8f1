"""GCP BigQuery billing export as JSON lines: nested records flattened, credits as rows of their own."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from orchestration.sources.common import (
    LINEAGE_ROW,
    ParsedFile,
    RejectedFile,
    column_name,
    compact_json,
    decimal_text,
    key_value_json,
    normalise_timestamps,
    require_columns,
    require_rows,
    single_value,
    text_table,
)

SOURCE = "gcp_billing"
RAW_TABLE = "gcp_billing"
CREDITS_TABLE = "gcp_billing_credits"
REQUIRED_COLUMNS = (
    "billing_account_id",
    "service_description",
    "usage_start_time",
    "usage_end_time",
    "project_id",
    "cost",
    "currency",
    "invoice_month",
    "cost_type",
)
TIMESTAMP_COLUMNS = ("usage_start_time", "usage_end_time", "export_time")
KEY_VALUE_COLUMNS = ("labels", "system_labels", "project_labels", "tags")
CREDIT_COLUMNS = ("credit_index", "name", "amount", "full_name", "id", "type")


def _flatten(record: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for key, value in record.items():
        name = column_name(f"{prefix}{key}")
        if isinstance(value, dict):
            _flatten(value, f"{name}_", out)
        else:
            out[name] = value


def _text(name: str, value: Any) -> str | None:
    if name in KEY_VALUE_COLUMNS:
        return key_value_json(value)
    if isinstance(value, list | dict):
        return compact_json(value)
    return decimal_text(value)


def parse(path: Path) -> ParsedFile:
    if path.stat().st_size == 0:
        raise RejectedFile("empty file (0 bytes); ask the provider to re-deliver")
    rows: list[dict[str, str | None]] = []
    credits: list[dict[str, str | None]] = []
    columns: dict[str, None] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line, parse_float=Decimal)
            except json.JSONDecodeError as error:
                raise RejectedFile(f"line {line_number}: not valid JSON ({error.msg}); truncated file?") from None
            if not isinstance(record, dict):
                raise RejectedFile(f"line {line_number}: expected a JSON object per line")
            flat: dict[str, Any] = {}
            _flatten(record, "", flat)
            row_number = len(rows) + 1
            try:
                row = {name: _text(name, value) for name, value in flat.items()}
            except ValueError as error:
                raise RejectedFile(f"line {line_number}: {error}") from None
            for index, credit in enumerate(flat.get("credits") or [], start=1):
                if not isinstance(credit, dict):
                    raise RejectedFile(f"line {line_number}: credits must be records")
                credit_row = {column_name(k): _text(column_name(k), v) for k, v in credit.items()}
                credit_row["credit_index"] = str(index)
                credit_row["parent_row"] = str(row_number)
                credits.append(credit_row)
            columns.update(dict.fromkeys(row))
            rows.append(row)
    require_columns(columns, REQUIRED_COLUMNS, "GCP billing export")
    require_rows(rows, path)
    normalise_timestamps(rows, [c for c in TIMESTAMP_COLUMNS if c in columns])
    for number, row in enumerate(rows, start=1):
        for column in ("cost", "cost_at_list"):
            value = row.get(column)
            if value is not None:
                try:
                    Decimal(value)
                except ArithmeticError:
                    raise RejectedFile(f"row {number}, column {column}: {value!r} is not a number") from None
    month = single_value(rows, "invoice_month", "invoice month")
    if len(month) != 6 or not month.isdigit() or not 1 <= int(month[4:]) <= 12:
        raise RejectedFile(f"column invoice.month: {month!r} is not YYYYMM")
    period = date(int(month[:4]), int(month[4:]), 1)
    account = single_value(rows, "billing_account_id", "billing account")
    credit_table = text_table(credits, ["parent_row", *CREDIT_COLUMNS])
    # A credit's lineage row is its parent's row; its own position is credit_index.
    credit_table = credit_table.set_column(
        credit_table.column_names.index(LINEAGE_ROW), LINEAGE_ROW, credit_table.column("parent_row")
    ).drop(["parent_row"])
    return ParsedFile(
        SOURCE,
        period,
        account,
        len(rows),
        {RAW_TABLE: text_table(rows, list(columns)), CREDITS_TABLE: credit_table},
    )
