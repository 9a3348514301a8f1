"""Azure cost details: EA, MCA and legacy pay-as-you-go exports, actual or amortized, as CSV (`.csv`, or `.csv.gz`
with compression on) or Parquet (an export's `format: Parquet`, snappy-compressed or not).

Headers are matched by name, never by position: PascalCase or camelCase, with or without a UTF-8 BOM, a
localized header carrying the English name in parentheses (`Coste (CostInBillingCurrency)`), and the older
names of the same facts (`ALIASES`). Dates arrive as MM/DD/YYYY or ISO. Tags are JSON with or without braces.

Which cost a file carries is the export's dataset, which Azure does not write into the file: a file whose name
contains `amortized` (case-insensitive; Azure names export files after the export) is an AmortizedCost export,
any other file an ActualCost export. The parser records it in the derived column `x_cost_dataset` and as the
delivery's dataset: the actual and the amortized export of one billing account and period are two deliveries that
complement each other (dbt pairs them), and each is replaced only by a newer delivery of the same dataset.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from orchestration.sources.common import (
    ParsedFile,
    RejectedFile,
    check_currency,
    check_unique,
    column_name,
    key_value_json,
    month_of,
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

SOURCE = "azure_cost"
RAW_TABLE = "azure_cost"
# `.csv.gz`: a CSV export with compression on (Azure's `compressionMode: gzip`; Parquet's is snappy, inside the file).
SUFFIXES = (".csv", ".gz", ".parquet")
# Columns the raw table always has (staging reads them); a legacy pay-as-you-go export lacks the first three.
REQUIRED_COLUMNS = (
    "billingaccountid",
    "billingperiodstartdate",
    "billingperiodenddate",
    "subscriptionid",
    "date",
    "costinbillingcurrency",
    "billingcurrency",
)
# Canonical column -> other names Azure has used for the same fact, in order of preference. A canonical
# column that is delivered wins; an alias is renamed only when the canonical name is absent, and the other
# aliases are kept as delivered.
ALIASES: dict[str, tuple[str, ...]] = {
    "subscriptionid": ("subscriptionguid",),  # pay-as-you-go (legacy usage details)
    "date": ("usagedatetime", "usagedate"),  # pay-as-you-go
    "costinbillingcurrency": ("cost", "pretaxcost"),  # EA v1 `Cost`, pay-as-you-go `PreTaxCost`
    "billingcurrency": ("billingcurrencycode", "currency"),  # EA `BillingCurrencyCode`, pay-as-you-go `Currency`
    "quantity": ("usagequantity",),  # pay-as-you-go
    "effectiveprice": ("resourcerate",),  # pay-as-you-go
    "resourcegroup": ("resourcegroupname",),  # MCA partner
    "resourceid": ("instanceid",),  # pay-as-you-go
}
# A delivered header of the legacy pay-as-you-go export, which has no billing account or billing period.
PAYG_MARKER = "subscriptionguid"
REQUIRED_VALUES = ("date", "costinbillingcurrency", "billingcurrency")
TIMESTAMP_COLUMNS = ("billingperiodstartdate", "billingperiodenddate", "date")
NUMBER_COLUMNS = ("costinbillingcurrency", "quantity", "effectiveprice", "unitprice", "paygprice")
DATASET_COLUMN = "x_cost_dataset"
ACTUAL, AMORTIZED = "ActualCost", "AmortizedCost"
COMMITMENT_MODELS = ("Reservation", "SavingsPlan")

_ENGLISH_IN_PARENTHESES = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\)\s*$")


def azure_column_name(header: str) -> str:
    """`CostInBillingCurrency`, `costInBillingCurrency`, `Coste (CostInBillingCurrency)` -> `costinbillingcurrency`."""
    text = header.strip().lstrip("\ufeff")
    english = _ENGLISH_IN_PARENTHESES.search(text)
    return column_name(english.group(1) if english else text)


def azure_column_names(headers: Sequence[str]) -> list[str]:
    names = [azure_column_name(h) for h in headers]
    check_unique(headers, names)
    renames: dict[str, str] = {}
    for canonical, aliases in ALIASES.items():
        if canonical in names:
            continue
        alias = next((a for a in aliases if a in names), None)
        if alias is not None:
            renames[alias] = canonical
    return [renames.get(n, n) for n in names]


# what Azure writes beside an export run's parts (its documentation's example calls it `_manifest.json` once); its
# `exportConfig.type` names the dataset (ActualCost, AmortizedCost):
# https://learn.microsoft.com/azure/cost-management-billing/costs/tutorial-improved-exports
RUN_MANIFESTS = ("manifest.json", "_manifest.json")


def _declared_dataset(folder: Path) -> str | None:
    """The dataset the export run's manifest beside a file declares, if there is one that says."""
    for name in RUN_MANIFESTS:
        try:
            document = json.loads((folder / name).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError):
            continue
        config = document.get("exportConfig") if isinstance(document, dict) else None
        kind = config.get("type") if isinstance(config, dict) else None
        if isinstance(kind, str) and kind:
            return kind
    return None


def dataset_of(path: Path) -> str:
    """Actual or amortized: the `exportConfig.type` of the run's manifest.json beside the file (Azure's partitioned
    exports name their parts `part_0_0001.csv`, the export only in a folder), else the file's name."""
    declared = _declared_dataset(path.parent)
    if declared is not None:
        return AMORTIZED if "amortized" in declared.lower() else ACTUAL
    return AMORTIZED if "amortized" in path.name.lower() else ACTUAL


def _check_actual_cost(rows: list[dict[str, str | None]]) -> None:
    """In an ActualCost export usage covered by a reservation or savings plan costs 0; cost there means amortized."""
    for number, row in enumerate(rows, start=1):
        if (
            row.get("pricingmodel") in COMMITMENT_MODELS
            and (row.get("chargetype") or "Usage") == "Usage"
            and Decimal(row.get("costinbillingcurrency") or "0") != 0
        ):
            raise RejectedFile(
                f"row {number}: {row.get('pricingmodel')} usage with a non-zero costinbillingcurrency, which only an "
                "amortized export carries; deliver it with 'amortized' in the file name (or deliver the "
                "actual-cost export)"
            )


def parse(path: Path) -> ParsedFile:
    delivered: list[str] = []

    def names(headers: Sequence[str]) -> list[str]:
        delivered.extend(azure_column_name(h) for h in headers)
        return azure_column_names(headers)

    # A Parquet export carries the CSV's columns under the same names; its typed values are written as every
    # Parquet export's are (docs/raw-layer.md: timestamps as UTC text, numbers as exact decimal text).
    columns, rows = parquet_rows(path, names) if path.suffix.lower() == ".parquet" else read_csv_rows(path, names)
    require_rows(rows, path)
    payg = PAYG_MARKER in delivered
    required = [c for c in REQUIRED_COLUMNS if not (payg and c.startswith("billing") and c != "billingcurrency")]
    require_columns(columns, required, "Azure cost details")
    require_values(rows, REQUIRED_VALUES, "Azure cost details")
    normalise_timestamps(rows, [c for c in TIMESTAMP_COLUMNS if c in columns])
    normalise_decimals(rows, [c for c in NUMBER_COLUMNS if c in columns])
    check_currency(rows, "billingcurrency")
    if "tags" in columns:
        for number, row in enumerate(rows, start=1):
            try:
                row["tags"] = key_value_json(row["tags"])
            except ValueError as error:
                raise RejectedFile(f"row {number}, column tags: {error}") from None
    dataset = dataset_of(path)
    if dataset == ACTUAL:
        _check_actual_cost(rows)
    for row in rows:
        row[DATASET_COLUMN] = dataset
    columns = [*columns, DATASET_COLUMN]
    if any(row.get("billingperiodstartdate") for row in rows):
        period = period_start(single_value(rows, "billingperiodstartdate", "billing period"), "BillingPeriodStartDate")
    else:
        # MCA exports may leave the billing period empty and pay-as-you-go ones have none: MCA billing periods
        # are calendar months, so the period is the one calendar month all usage dates fall in.
        period = month_of(rows, "date", "billing period (billingPeriodStartDate is empty)")
    if payg and "billingaccountid" not in columns:
        # A legacy pay-as-you-go export covers one subscription, which is billed on its own.
        account = single_value(rows, "subscriptionid", "subscription (the billing account of a pay-as-you-go export)")
    else:
        account = single_value(rows, "billingaccountid", "billing account")
    return ParsedFile(SOURCE, period, account, len(rows), {RAW_TABLE: text_table(rows, columns)}, dataset=dataset)
