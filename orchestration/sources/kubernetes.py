"""Kubernetes cost allocation as OpenCost's CSV export writes it (pkg/costmodel/csv_export.go).

One row per day and allocation (namespace / controller / pod / container, or OpenCost's `__idle__`
allocation for unused node capacity), with usage averages and the cost OpenCost attributes to CPU, RAM,
network, persistent volumes and GPUs. These amounts are a split of node and volume costs the cloud provider
already bills: they are allocation drivers, never charges, so they are not FOCUS rows and do not enter the
reconciliation (docs/raw-layer.md). The export names neither the cluster nor the currency: the cluster is the
folder the file is delivered in (`kubernetes/<cluster>/...`), the currency OpenCost's configured one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from orchestration.sources.common import (
    ParsedFile,
    RejectedFile,
    check_numbers,
    key_value_json,
    require_columns,
    require_rows,
    text_table,
    with_row_periods,
)
from orchestration.sources.csv_reader import read_csv_rows

SOURCE = "kubernetes"
RAW_TABLE = "kubernetes"
SUFFIXES = (".csv",)
REQUIRED_COLUMNS = ("date", "namespace", "pod", "cpucost", "ramcost", "pvcost", "totalcost")
NUMBER_COLUMNS = (
    "cpucoreusageaverage",
    "cpucorerequestaverage",
    "rambytesusageaverage",
    "rambytesrequestaverage",
    "networkreceivebytes",
    "networktransferbytes",
    "gpus",
    "pvbytes",
    "cpucost",
    "ramcost",
    "networkcost",
    "pvcost",
    "gpucost",
    "totalcost",
)
MONEY_COLUMNS = ("cpucost", "ramcost", "pvcost", "totalcost")


def cluster_of(path: Path) -> str:
    """The folder directly under the landing zone's `kubernetes/` folder names the cluster."""
    parts = path.parts
    if SOURCE in parts[:-1]:
        index = len(parts) - 1 - parts[::-1].index(SOURCE)
        if index + 1 < len(parts) - 1:
            return parts[index + 1]
    raise RejectedFile(
        "OpenCost exports do not name their cluster: deliver the file under kubernetes/<cluster>/ in the landing zone"
    )


def usage_months(rows: list[dict[str, str | None]], first_row: int = 1) -> list[date]:
    """Each row's month: OpenCost appends every new day to the same export file, so one file spans months
    (`first_row`: the number of `rows[0]` in the file, for the message)."""
    months: list[date] = []
    for number, row in enumerate(rows, start=first_row):
        text = (row.get("date") or "").strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise RejectedFile(f"row {number}, column date: {text!r} is not a YYYY-MM-DD date") from None
        months.append(day.replace(day=1))
    return months


def check_rows(rows: list[dict[str, str | None]], columns: list[str], first_row: int = 1) -> None:
    """Every money value present, the labels as a JSON object (in place), every number a number."""
    for number, row in enumerate(rows, start=first_row):
        for column in MONEY_COLUMNS:
            if not (row.get(column) or "").strip():
                raise RejectedFile(f"row {number}, column {column} is empty; OpenCost writes a number on every row")
        if "labels" in columns:
            try:
                row["labels"] = key_value_json(row.get("labels"))
            except ValueError as error:
                raise RejectedFile(f"row {number}, column labels: {error}") from None
    check_numbers(rows, [column for column in NUMBER_COLUMNS if column in columns], first_row)


def parse(path: Path) -> ParsedFile:
    columns, rows = read_csv_rows(path)
    require_columns(columns, REQUIRED_COLUMNS, "OpenCost allocation export")
    require_rows(rows, path)
    cluster = cluster_of(path)
    row_months = usage_months(rows)
    periods = sorted(set(row_months))
    check_rows(rows, columns)
    table = text_table(rows, columns)
    if len(periods) == 1:
        return ParsedFile(SOURCE, periods[0], cluster, len(rows), {RAW_TABLE: table})
    # One delivery per month it covers (docs/raw-layer.md): each month supersedes only that month.
    return ParsedFile(
        SOURCE,
        periods[0],
        cluster,
        len(rows),
        {RAW_TABLE: with_row_periods(table, row_months)},
        periods=periods,
        period_accounts=dict.fromkeys(periods, cluster),
    )
