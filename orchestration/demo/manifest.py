"""What a demo run wrote and the ground truth the pipeline's results must match."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from orchestration.demo.ground_truth import AllocationKey, SourceAllocationKey, SourceTotals, TotalsKey


@dataclass(frozen=True)
class WrittenFile:
    path: Path  # absolute
    relative_path: str  # POSIX path relative to the landing zone, as `_source_file` records it
    source: str
    billing_period_start: str
    row_count: int
    sha256: str
    superseded: bool = False  # True for the AWS 2026-09 delivery that the re-delivery replaces


@dataclass
class DemoManifest:
    """Files written (in write order) and the exact expected totals.

    * `totals[(source, billing_period_start, billing_account_id, currency)]` → billed and amortized
      Decimal sums as docs/raw-layer.md defines them, counting only the delivery that should win (the AWS
      2026-09 re-delivery when it was written, otherwise the original).
    * `allocation[(billing_period_start, cost_center_id, currency)]` → amortized cost the mapping seeds assign
      (tag 10 > project 20 > sub_account 30 > billing_account 40, else UNALLOCATED).
    * `allocation_by_source` → the same split by source as well.
    * `sla_files` → the SLA metrics extracts written beside the cost exports (availability, not cost).
    """

    landing_dir: Path
    seed: int
    include_restatement: bool
    files: list[WrittenFile] = field(default_factory=list)
    totals: dict[TotalsKey, SourceTotals] = field(default_factory=dict)
    allocation: dict[AllocationKey, Decimal] = field(default_factory=dict)
    allocation_by_source: dict[SourceAllocationKey, Decimal] = field(default_factory=dict)
    # The monitoring system's SLA metrics extracts (landing zone `sla/`): no charges, so not in `files`/`totals`.
    sla_files: list[WrittenFile] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [written.path for written in self.files]

    def totals_for(self, source: str, billing_period_start: str) -> dict[tuple[str, str], SourceTotals]:
        """{(billing_account_id, currency): totals} of one source and month."""
        return {
            (account, currency): totals
            for (src, period, account, currency), totals in self.totals.items()
            if src == source and period == billing_period_start
        }
