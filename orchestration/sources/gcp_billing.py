"""GCP BigQuery billing export, as JSON lines or flattened to CSV: nested records flattened, credits as rows of
their own.

Both forms land in the same raw tables under the same column names (docs/raw-layer.md):

Either may be gzip-compressed (`.json.gz`, `.csv.gz`: a BigQuery extract to Cloud Storage with GZIP compression).

* JSON lines (`.jsonl`, `.json`, `.ndjson`): one BigQuery row per line; records are flattened with `_`
  (`service.description` -> `service_description`), arrays of `{key, value}` become JSON objects.
* CSV (`.csv`): the export flattened with dotted headers (`service.description`, `invoice.month`,
  `project.labels`), as written by BigQuery-to-CSV jobs and by project-koku; the nested columns `credits`,
  `labels`, `project.labels`, `system_labels`, `tags` hold JSON text or, as pandas writes them, Python literal
  text (`[{'name': 'x', 'amount': -5e-06, 'full_name': None}]`). Both are read as data (never evaluated as code),
  then written as compact JSON like the JSON-lines form. Numbers in scientific notation become plain decimals.

The billing period is `invoice.month`. A file whose rows carry several invoice months is loaded period by period
(ParsedFile.periods); every row must then carry its invoice month. A file carries one billing account.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Collection, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from orchestration.sources.common import (
    LINEAGE_ROW,
    ParsedFile,
    RejectedFile,
    column_name,
    compact_json,
    decimal_text,
    key_value_json,
    normalise_decimals,
    normalise_timestamps,
    require_columns,
    require_rows,
    single_value,
    text_table,
    with_row_periods,
)
from orchestration.sources.csv_reader import csv_rows, delivered_suffix, open_text, read_errors_refused

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
SUFFIXES = (".jsonl", ".json", ".ndjson", ".csv", ".gz")
TIMESTAMP_COLUMNS = ("usage_start_time", "usage_end_time", "export_time", "partition_date")
KEY_VALUE_COLUMNS = ("labels", "system_labels", "project_labels", "tags")
NUMBER_COLUMNS = ("cost", "cost_at_list", "currency_conversion_rate", "usage_amount", "usage_amount_in_pricing_units")
# CSV columns holding a nested value as text
NESTED_CSV_COLUMNS = ("credits", *KEY_VALUE_COLUMNS)
CREDIT_COLUMNS = ("credit_index", "name", "amount", "full_name", "id", "type")


def _text(name: str, value: Any) -> str | None:
    if name in KEY_VALUE_COLUMNS:
        return key_value_json(value)
    # Most fields are text, null or a number: decimal_text's answer without its type tests.
    kind = type(value)
    if kind is str:
        return value or None
    if value is None:
        return None
    if kind is Decimal:
        return decimal_text(value)
    if isinstance(value, list | dict):
        return compact_json(value)
    return decimal_text(value)


# Column names by record prefix and field: a million JSON lines name the same few dozen fields on every line. Bounded:
# a file naming thousands of fields keeps the first ones.
_FIELD_NAMES: dict[str, dict[str, str]] = {}
_FIELD_NAMES_KEPT = 1024


def _flat_text(record: dict[str, Any], prefix: str, out: dict[str, str | None]) -> Any:
    """One JSON record flattened into `out` (`service.description` -> `service_description`), each value as raw-layer
    text (_text), in one pass; returns the record's `credits` value as delivered (None when it has none). A later
    field whose name normalises to an earlier one's replaces its value, keeping its place."""
    credits = None
    names = _FIELD_NAMES.get(prefix)
    if names is None:
        names = {}
        if len(_FIELD_NAMES) < _FIELD_NAMES_KEPT:
            _FIELD_NAMES[prefix] = names
    for key, value in record.items():
        name = names.get(key)
        if name is None:
            name = column_name(prefix + key)
            if len(names) < _FIELD_NAMES_KEPT:
                names[key] = name
        if type(value) is dict:
            _flat_text(value, name + "_", out)
            continue
        if name == "credits":
            credits = value
        out[name] = _text(name, value)
    return credits


# One decoder for every line: json.loads with parse_float builds a decoder per call.
_JSON_LINE = json.JSONDecoder(parse_float=Decimal)

Rows = list[dict[str, str | None]]
# One delivered row: its text and its credits, each a row of their own (parent_row = the row's number).
Record = tuple[dict[str, str | None], Rows]


def credit_rows(value: Any, row_number: int, where: str) -> Rows:
    """The elements of one row's credits array as credit rows (parent_row = the row's number)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RejectedFile(f"{where}: credits must be a list of records")
    out: Rows = []
    for index, credit in enumerate(value, start=1):
        if not isinstance(credit, dict):
            raise RejectedFile(f"{where}: credits must be records")
        credit_row = {column_name(k): _text(column_name(k), v) for k, v in credit.items()}
        credit_row["credit_index"] = str(index)
        credit_row["parent_row"] = str(row_number)
        out.append(credit_row)
    return out


def _json_records(path: Path) -> Iterator[Record]:
    if path.stat().st_size == 0:
        raise RejectedFile("empty file (0 bytes); ask the provider to re-deliver")
    row_number = 0
    with read_errors_refused(), open_text(path) as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = _JSON_LINE.decode(line)
            except json.JSONDecodeError as error:
                raise RejectedFile(f"line {line_number}: not valid JSON ({error.msg}); truncated file?") from None
            if not isinstance(record, dict):
                raise RejectedFile(f"line {line_number}: expected a JSON object per line")
            row: dict[str, str | None] = {}
            try:
                credits = _flat_text(record, "", row)
            except ValueError as error:
                raise RejectedFile(f"line {line_number}: {error}") from None
            row_number += 1
            yield row, credit_rows(credits or None, row_number, f"line {line_number}")


def nested_value(text: str) -> Any:
    """A nested CSV cell as data: JSON, else a Python literal (pandas' repr of lists and dicts). ValueError if
    neither; ast.literal_eval only builds literals, it never runs code."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError:
        pass
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(f"not JSON or a literal list: {text[:60]!r}") from None


def _csv_records(rows: Iterator[dict[str, str | None]], columns: list[str]) -> Iterator[Record]:
    nested = [c for c in NESTED_CSV_COLUMNS if c in columns]
    for number, row in enumerate(rows, start=1):
        credits: Rows = []
        for column in nested:
            text = row.get(column)
            if text is None:
                continue
            try:
                value = nested_value(text)
                row[column] = _text(column, value)
            except ValueError as error:
                raise RejectedFile(f"row {number}, column {column}: {error}") from None
            if column == "credits":
                credits = credit_rows(value, number, f"row {number}")
        yield row, credits


def records(path: Path) -> tuple[list[str], Iterator[Record]]:
    """The file's delivered columns known before its rows (a CSV header; none for JSON lines, whose rows may each
    name other fields), and its rows as they are read: a file of millions of lines is never held whole."""
    if delivered_suffix(path) == ".csv":
        columns, rows = csv_rows(path)
        return columns, _csv_records(rows, columns)
    return [], _json_records(path)


def normalise(rows: Rows, credits: Rows, columns: Collection[str], first_row: int = 1) -> None:
    """The raw layer's timestamps and decimal text, in place (`columns`: every column of the file's rows so far;
    `first_row`: the number of `rows[0]` in the file, for the messages). A credit's amount that is no number is
    refused naming the row that carries it and its place in that row's credits (its own number among the file's
    credits meant nothing to whoever reads the file)."""
    normalise_timestamps(rows, [c for c in TIMESTAMP_COLUMNS if c in columns], first_row)
    normalise_decimals(rows, [c for c in NUMBER_COLUMNS if c in columns], first_row)
    for credit in credits:
        try:
            normalise_decimals([credit], ["amount"])
        except RejectedFile:
            raise RejectedFile(
                f"row {credit['parent_row']}, credit {credit['credit_index']}, column amount: "
                f"{credit['amount']!r} is not a number"
            ) from None


def file_periods(months: Collection[str], first_without_month: int | None) -> list[date]:
    """The billing periods of a file from the invoice months its rows carry (empty ones left out) and the number of
    its first row without one: one period, or several when every row says which."""
    if len(months) <= 1:
        return [month_start(single_value([{"invoice_month": m} for m in months], "invoice_month", "invoice month"))]
    periods = {month_start(month) for month in months}
    if first_without_month is not None:
        raise RejectedFile(
            f"row {first_without_month}: invoice.month is empty in a file spanning several invoice months; "
            "cannot tell the row's billing period"
        )
    return sorted(periods)


def parse(path: Path) -> ParsedFile:
    delivered, read = records(path)
    columns = dict.fromkeys(delivered)
    rows: Rows = []
    credits: Rows = []
    for row, row_credits in read:
        rows.append(row)
        columns.update(dict.fromkeys(row))
        credits.extend(row_credits)
    require_columns(columns, REQUIRED_COLUMNS, "GCP billing export")
    require_rows(rows, path)
    normalise(rows, credits, columns)
    months = {row.get("invoice_month") for row in rows} - {None, ""}
    empty = next((i for i, row in enumerate(rows, start=1) if not row.get("invoice_month")), None)
    periods = file_periods(cast(set[str], months), empty)
    account = single_value(rows, "billing_account_id", "billing account")
    main = text_table(rows, list(columns))
    credit_table = text_table(credits, ["parent_row", *CREDIT_COLUMNS])
    # A credit's lineage row is its parent's row; its own position is credit_index.
    credit_table = credit_table.set_column(
        credit_table.column_names.index(LINEAGE_ROW), LINEAGE_ROW, credit_table.column("parent_row")
    ).drop(["parent_row"])
    if len(periods) == 1:
        return ParsedFile(SOURCE, periods[0], account, len(rows), {RAW_TABLE: main, CREDITS_TABLE: credit_table})
    row_periods = [month_start(str(row["invoice_month"])) for row in rows]
    credit_periods = [row_periods[int(parent) - 1] for parent in credit_table.column(LINEAGE_ROW).to_pylist()]
    return ParsedFile(
        SOURCE,
        periods[0],
        account,
        len(rows),
        {
            RAW_TABLE: with_row_periods(main, row_periods),
            CREDITS_TABLE: with_row_periods(credit_table, credit_periods),
        },
        periods=periods,
        period_accounts=dict.fromkeys(periods, account),
    )


def month_start(month: str) -> date:
    if len(month) != 6 or not month.isdigit() or not 1 <= int(month[4:]) <= 12:
        raise RejectedFile(f"column invoice.month: {month!r} is not YYYYMM")
    return date(int(month[:4]), int(month[4:]), 1)
