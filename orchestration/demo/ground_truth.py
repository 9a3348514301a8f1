"""Ground truth accumulated while generating: per-charge billed/amortized amounts summed exactly.

Each source module turns its own generated rows (Decimal amounts) into `Charge`s using the billed and
amortized definitions of docs/raw-layer.md; this module only adds them up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from orchestration.demo.allocation import ChargeDimensions, assign_cost_center, by_precedence
from orchestration.demo.organisation import MappingRule

TotalsKey = tuple[str, str, str, str]  # (source, billing_period_start, billing_account_id, currency)
AllocationKey = tuple[str, str, str]  # (billing_period_start, cost_center_id, currency)
SourceAllocationKey = tuple[str, str, str, str]  # (source, billing_period_start, cost_center_id, currency)


@dataclass(frozen=True)
class Charge:
    """One delivered row's contribution: what it bills, what it costs amortized, and how it allocates."""

    source: str
    billing_period_start: str
    billing_account_id: str
    currency: str
    billed: Decimal
    amortized: Decimal
    dimensions: ChargeDimensions


@dataclass(frozen=True)
class SourceTotals:
    billed: Decimal
    amortized: Decimal


@dataclass
class GroundTruth:
    totals: dict[TotalsKey, SourceTotals]
    allocation: dict[AllocationKey, Decimal]
    allocation_by_source: dict[SourceAllocationKey, Decimal]


def summarise(charges: Iterable[Charge], rules: list[MappingRule]) -> GroundTruth:
    """Exact sums of the winning deliveries' charges, keyed as the manifest exposes them (sorted keys)."""
    billed: dict[TotalsKey, Decimal] = defaultdict(Decimal)
    amortized: dict[TotalsKey, Decimal] = defaultdict(Decimal)
    allocation: dict[AllocationKey, Decimal] = defaultdict(Decimal)
    by_source: dict[SourceAllocationKey, Decimal] = defaultdict(Decimal)
    ordered_rules = by_precedence(rules)
    assigned: dict[tuple[object, ...], str] = {}  # many rows share one resource's dimensions
    for charge in charges:
        key = (charge.source, charge.billing_period_start, charge.billing_account_id, charge.currency)
        billed[key] += charge.billed
        amortized[key] += charge.amortized
        dims = charge.dimensions
        dims_key = (tuple(sorted(dims.tags.items())), dims.project, dims.sub_account, dims.billing_account)
        if dims_key not in assigned:
            assigned[dims_key] = assign_cost_center(dims, ordered_rules)
        cost_center = assigned[dims_key]
        allocation[(charge.billing_period_start, cost_center, charge.currency)] += charge.amortized
        source_key = (charge.source, charge.billing_period_start, cost_center, charge.currency)
        by_source[source_key] += charge.amortized
    return GroundTruth(
        totals={key: SourceTotals(billed[key], amortized[key]) for key in sorted(billed)},
        allocation={key: allocation[key] for key in sorted(allocation)},
        allocation_by_source={key: by_source[key] for key in sorted(by_source)},
    )
