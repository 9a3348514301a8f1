"""Deterministic demo landing zone: provider exports in their own formats plus the exact expected totals.

`write_demo_landing_zone` writes AWS CUR 2.0 Parquet, Azure EA CSV, GCP BigQuery-export JSON lines,
a FOCUS 1.2 CSV from a SaaS provider and an on-premises VM meter CSV for 2026-08..2026-10, and returns a
`DemoManifest` holding the ground truth (billed/amortized totals and the allocation to cost centers),
computed in Python while generating.
"""

from orchestration.demo.ground_truth import SourceTotals
from orchestration.demo.landing_zone import write_aws_restatement, write_demo_landing_zone, write_sla_correction
from orchestration.demo.manifest import DemoManifest, WrittenFile

__all__ = [
    "DemoManifest",
    "SourceTotals",
    "WrittenFile",
    "write_aws_restatement",
    "write_demo_landing_zone",
    "write_sla_correction",
]
