"""Write the demo landing zone: five sources, three billing months each, plus the AWS 2026-09 re-delivery, and the
monitoring system's SLA metrics extract of each month (not a cost source: no charges, no ground-truth totals)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from orchestration.demo import aws_cur, azure_cost, focus, gcp_billing, onprem, sla_metrics
from orchestration.demo.delivery import Delivery
from orchestration.demo.ground_truth import Charge, summarise
from orchestration.demo.manifest import DemoManifest, WrittenFile
from orchestration.demo.organisation import mapping_rules
from orchestration.demo.periods import DEMO_PERIODS, BillingPeriod

MonthWriter = Callable[[Path, int, BillingPeriod], Delivery]

MONTH_WRITERS: tuple[MonthWriter, ...] = (
    aws_cur.write_month,
    azure_cost.write_month,
    gcp_billing.write_month,
    focus.write_month,
    onprem.write_month,
)


def write_sla_correction(landing_dir: Path) -> Path:
    """Re-deliver September's SLA metrics extract with the missed backup outage (after September was invoiced)."""
    period = next(p for p in DEMO_PERIODS if p.label == sla_metrics.CORRECTED_PERIOD)
    return sla_metrics.write_month(landing_dir, period, corrected=True).path


def write_aws_restatement(landing_dir: Path, *, seed: int = 2026) -> Path:
    """Write only the AWS re-delivery of 2026-09 (later delivery folder and mtime); return its path."""
    return aws_cur.write_month(landing_dir, seed, aws_cur.RESTATED_PERIOD, restated=True).path


def _written(
    landing_dir: Path, delivery_path: Path, source: str, period: str, rows: int, superseded: bool = False
) -> WrittenFile:
    return WrittenFile(
        path=delivery_path,
        relative_path=delivery_path.relative_to(landing_dir).as_posix(),
        source=source,
        billing_period_start=period,
        row_count=rows,
        sha256=hashlib.sha256(delivery_path.read_bytes()).hexdigest(),
        superseded=superseded,
    )


def write_demo_landing_zone(
    landing_dir: Path,
    *,
    seed: int = 2026,
    include_restatement: bool = True,
    progress: Callable[[str], None] | None = None,
) -> DemoManifest:
    """Write the deterministic demo exports for 2026-08..2026-10 under `landing_dir`/<source>/...

    Existing files at the same paths are overwritten; nothing else in `landing_dir` is touched.
    """
    landing_dir = Path(landing_dir).resolve()
    report = progress or (lambda _message: None)
    manifest = DemoManifest(landing_dir=landing_dir, seed=seed, include_restatement=include_restatement)
    winning: list[Charge] = []
    for period in DEMO_PERIODS:
        for writer in MONTH_WRITERS:
            delivery = writer(landing_dir, seed, period)
            restated_month = delivery.source == aws_cur.SOURCE and period == aws_cur.RESTATED_PERIOD
            superseded = include_restatement and restated_month
            written = _written(
                landing_dir,
                delivery.path,
                delivery.source,
                period.iso,
                delivery.row_count,
                superseded,
            )
            manifest.files.append(written)
            if not superseded:
                winning.extend(delivery.charges)
            report(f"wrote {manifest.files[-1].relative_path} ({delivery.row_count} rows)")
    if include_restatement:
        period = aws_cur.RESTATED_PERIOD
        path = write_aws_restatement(landing_dir, seed=seed)
        rows = aws_cur.build_month(seed, period, restated=True)
        winning.extend(aws_cur.charges(rows, period))
        manifest.files.append(_written(landing_dir, path, aws_cur.SOURCE, period.iso, len(rows)))
        report(f"wrote {manifest.files[-1].relative_path} ({len(rows)} rows, re-delivery)")
    for period in DEMO_PERIODS:
        delivery = sla_metrics.write_month(landing_dir, period)
        manifest.sla_files.append(_written(landing_dir, delivery.path, delivery.source, period.iso, delivery.row_count))
        report(f"wrote {manifest.sla_files[-1].relative_path} ({delivery.row_count} rows)")
    truth = summarise(winning, mapping_rules())
    manifest.totals = truth.totals
    manifest.allocation = truth.allocation
    manifest.allocation_by_source = truth.allocation_by_source
    return manifest
