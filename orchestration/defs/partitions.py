"""The one partitioning every period-bound asset shares (DESIGN.md §4)."""

from __future__ import annotations

from datetime import date

import dagster as dg

# From 2015: providers still re-deliver and restate years-old months, and public samples span 2018-2024.
billing_period = dg.MonthlyPartitionsDefinition(start_date="2015-01-01")


def period_of(partition_key: str) -> date:
    """`2026-10-01` -> date(2026, 10, 1)."""
    return date.fromisoformat(partition_key)
