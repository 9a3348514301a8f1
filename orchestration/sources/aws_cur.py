"""AWS Cost and Usage Reports, every delivery AWS makes, onto one set of snake_case raw columns.

* CUR 2.0 / Data Exports in Parquet: snake_case columns, map columns, double-precision costs.
* CUR 2.0 / Data Exports as CSV (`.csv` or `.csv.gz`): the same snake_case names, map columns as JSON text.
* Legacy CUR (v1) CSV: `category/AttributeName` headers (`lineItem/UnblendedCost`), mapped to the canonical
  name (`line_item_unblended_cost`); `resourceTags/<key>` and `costCategory/<name>` columns are folded into
  the `resource_tags` / `cost_category` JSON maps with the key exactly as AWS names it (`user:project`).
* CUR delivered to Athena / Parquet (v1 with snake_case headers, `line_item_unblended_cost`,
  `resource_tags_user_project`): flat tag columns are folded the same way (`resource_tags_user_project` ->
  `user:project`; Athena has already lost the key's original case and punctuation).

Every other column is kept under its canonical name; nothing delivered is dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from orchestration.sources.common import (
    ParsedFile,
    RejectedFile,
    check_currency,
    check_unique,
    column_name,
    compact_json,
    key_value_json,
    normalise_decimals,
    normalise_timestamps,
    parquet_rows,
    period_start,
    require_columns,
    require_rows,
    require_values,
    single_value,
    text_table,
)
from orchestration.sources.csv_reader import read_csv_rows

SOURCE = "aws_cur"
RAW_TABLE = "aws_cur"
SUFFIXES = (".parquet", ".csv", ".gz")
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
# Every line item carries these; an empty one refuses the file (money is never NULL-filled).
REQUIRED_VALUES = (
    "line_item_unblended_cost",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_currency_code",
)
MONEY_COLUMNS = ("line_item_unblended_cost",)
# Columns dbt types as numbers; a value that is not a number refuses the file, naming the column.
NUMBER_COLUMNS = (
    "line_item_unblended_cost",
    "line_item_unblended_rate",
    "line_item_usage_amount",
    "line_item_blended_cost",
    "line_item_blended_rate",
    "pricing_public_on_demand_cost",
    "pricing_public_on_demand_rate",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
)
TIMESTAMP_COLUMNS = (
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
)
# Map columns of CUR 2.0 (JSON text in CSV deliveries) and the flat-column prefixes folded into two of them.
MAP_COLUMNS = ("product", "resource_tags", "cost_category", "discount")
TAGS = "resource_tags"
COST_CATEGORY = "cost_category"
_V1_TAG_PREFIX = {"resourceTags": TAGS, "costCategory": COST_CATEGORY}
# A folded column is held under "<map>/<key>" until it is folded (never a valid raw column name).
_FOLD = "/"


def _snake(name: str) -> str:
    """`UnblendedCost` -> `unblended_cost`, `SavingsPlanARN` -> `savings_plan_arn`, `usagetype` -> `usagetype`."""
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name))
    return column_name(spaced)


def cur_column_name(header: str) -> str:
    """Canonical raw name of one CUR header (v1 `category/Attribute` or snake_case); tag columns get a fold marker."""
    text = header.strip().lstrip("\ufeff")
    category, slash, attribute = text.partition("/")
    if slash:
        if category in _V1_TAG_PREFIX:
            return f"{_V1_TAG_PREFIX[category]}{_FOLD}{attribute}"
        return f"{_snake(category)}_{_snake(attribute)}"
    name = column_name(text)
    for prefix, namespace in (("resource_tags_user_", "user:"), ("resource_tags_aws_", "aws:")):
        if name.startswith(prefix) and len(name) > len(prefix):
            return f"{TAGS}{_FOLD}{namespace}{name[len(prefix) :]}"
    if name.startswith("cost_category_") and len(name) > len("cost_category_"):
        return f"{COST_CATEGORY}{_FOLD}{name[len('cost_category_') :]}"
    return name


def cur_column_names(headers: Sequence[str]) -> list[str]:
    names = [cur_column_name(h) for h in headers]
    check_unique(headers, names)
    return names


def _fold_tag_columns(columns: list[str], rows: list[dict[str, str | None]]) -> list[str]:
    """Fold `<map>/<key>` columns into the `<map>` JSON column (merged with a delivered map, which wins)."""
    folded = [c for c in columns if _FOLD in c]
    if not folded:
        return columns
    kept = [c for c in columns if _FOLD not in c]
    targets = sorted({c.split(_FOLD, 1)[0] for c in folded})
    by_target = {
        target: [(c, c.split(_FOLD, 1)[1]) for c in folded if c.split(_FOLD, 1)[0] == target] for target in targets
    }
    for number, row in enumerate(rows, start=1):
        for target in targets:
            pairs: dict[str, str] = {}
            # Only this map's columns: a legacy CUR with cost categories and resource tags lost every tag when the
            # first map folded took the other's columns with it.
            for column, key in by_target[target]:
                value = row.pop(column, None)
                if value not in (None, ""):
                    pairs[key] = str(value)
            delivered = row.get(target)
            if delivered:
                try:
                    pairs.update(json.loads(delivered))
                except json.JSONDecodeError:
                    raise RejectedFile(f"row {number}, column {target}: not key/value JSON") from None
            row[target] = compact_json(pairs)
    return kept + [t for t in targets if t not in kept]


def _normalise_map_columns(columns: Sequence[str], rows: list[dict[str, str | None]]) -> None:
    for column in (c for c in MAP_COLUMNS if c in columns):
        for number, row in enumerate(rows, start=1):
            try:
                row[column] = key_value_json(row.get(column))
            except ValueError as error:
                raise RejectedFile(f"row {number}, column {column}: {error}") from None


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str | None]]]:
    columns, rows = read_csv_rows(path, cur_column_names)
    _normalise_map_columns(columns, rows)
    return columns, rows


def parse(path: Path) -> ParsedFile:
    parquet = path.suffix.lower() == ".parquet"
    columns, rows = parquet_rows(path, cur_column_names) if parquet else _read_csv(path)
    what = "AWS CUR (Parquet)" if parquet else "AWS CUR (CSV)"
    columns = _fold_tag_columns(columns, rows)
    require_columns(columns, REQUIRED_COLUMNS, what)
    require_rows(rows, path)
    require_values(rows, REQUIRED_VALUES, "AWS CUR")
    normalise_decimals(rows, [c for c in NUMBER_COLUMNS if c in columns])
    normalise_timestamps(rows, [c for c in TIMESTAMP_COLUMNS if c in columns])
    check_currency(rows, "line_item_currency_code")
    period = period_start(
        single_value(rows, "bill_billing_period_start_date", "billing period"), "bill_billing_period_start_date"
    )
    account = single_value(rows, "bill_payer_account_id", "payer account")
    return ParsedFile(SOURCE, period, account, len(rows), {RAW_TABLE: text_table(rows, columns)})
