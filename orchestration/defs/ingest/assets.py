"""Ingest assets: one per export format, partitioned by billing period."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.defs.partitions import billing_period, period_of
from orchestration.ingest.landing import ingest_source
from orchestration.resources import LandingZoneResource, WarehouseResource
from orchestration.sources import FORMATS, ExportFormat

DESCRIPTIONS = {
    "aws_cur": "AWS CUR 2.0 / Data Exports (Parquet) rows exactly as delivered, with file and row lineage.",
    "azure_cost": "Azure cost details (EA/MCA actual cost, CSV) rows exactly as delivered, with lineage.",
    "gcp_billing": "GCP BigQuery billing export (JSON lines) rows, nested records flattened, with lineage.",
    "focus": "FOCUS 1.0-1.3 files (CSV or Parquet) from any provider, rows as delivered, with lineage.",
    "onprem": "On-premises VM meter rows (CSV) as delivered, with lineage.",
    "oci_cost": "Oracle Cloud (OCI) cost report rows (CSV) as delivered, tags folded into JSON, with lineage.",
    "kubernetes": "OpenCost allocation export rows (CSV): per-day namespace/pod cost split, a driver, not a charge.",
    "sla": "Monthly SLA metrics extract rows (CSV): availability minutes per client and IT service, with lineage.",
}


def _ingest_asset(export: ExportFormat) -> dg.AssetsDefinition:
    specs = [
        dg.AssetSpec(
            key=["raw", table],
            group_name="ingest",
            kinds={"duckdb", "python"},
            description=(
                DESCRIPTIONS[export.source]
                if table == export.raw_tables[0]
                else "GCP credits, one row per element of each row's credits array."
            ),
            partitions_def=billing_period,
        )
        for table in export.raw_tables
    ]

    @dg.multi_asset(name=f"ingest_{export.source}", specs=specs, partitions_def=billing_period)
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingZoneResource
    ) -> Iterator[dg.MaterializeResult]:
        """Load new files of this format for the partition's billing period into its raw tables."""
        period = period_of(context.partition_key)
        with warehouse.connect() as con:
            report = ingest_source(
                con,
                export.source,
                Path(landing.landing_dir),
                Path(landing.quarantine_dir),
                period=period,
                log=context.log.info,
                pseudonymizer=landing.pseudonymizer(),
            )
        # a delivery of this month (or of a month not known yet) whose files have not all landed: this close is
        # made without it (orchestration/ingest/waiting.py)
        waiting_here = [w for w in report.waiting if w.billing_period_start in (period, None)]
        metadata = {
            "files_loaded": report.count("loaded"),
            "files_duplicate": report.count("duplicate"),
            "files_superseded": report.count("superseded"),
            "files_quarantined": report.count("quarantined"),
            "files_pending_other_periods": sum(1 for o in report.outcomes if o.status == "pending" and not o.detail),
            "deliveries_waiting_for_files": len(report.waiting),
            "deliveries_overtaken": report.count("overtaken"),
            "deliveries_of_this_month_waiting_for_files": len(waiting_here),
            "rows_loaded": report.rows_loaded,
            "files_with_new_columns": len({o.path for o in report.outcomes if o.new_columns}),
        }
        for waiting in waiting_here:
            context.log.warning(waiting.describe())
        drifted: set[str] = set()
        for outcome in report.outcomes:
            if outcome.status == "quarantined":
                context.log.warning(f"quarantined {outcome.path}: {outcome.detail}")
            if outcome.status == "superseded" and outcome.detail:
                context.log.warning(f"{outcome.status} {outcome.path}: {outcome.detail}")
            if outcome.new_columns and outcome.path not in drifted:
                # schema drift: the same line the ingest logged, at warning level (audit.ingested_files.new_columns)
                drifted.add(outcome.path)
                context.log.warning(outcome.detail)
        for spec in specs:
            yield dg.MaterializeResult(asset_key=spec.key, metadata=metadata)

    return _ingest


ingest_assets = [_ingest_asset(export) for export in FORMATS.values()]
