"""The monthly close: one job over every asset and gate, run in process because DuckDB has one writer."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.partitions import billing_period

CLOSE_JOB_NAME = "close_month"

close_month = dg.define_asset_job(
    name=CLOSE_JOB_NAME,
    selection=dg.AssetSelection.all(),
    partitions_def=billing_period,
    executor_def=dg.in_process_executor,
    description=(
        "Close one billing month: ingest new exports, normalize to FOCUS, allocate, charge back, "
        "reconcile, run the gates, finalize invoices, refresh the invoice marts."
    ),
)
