"""Cached queries on a PublishedView: the user's scope extract, never the live warehouse.

Amounts stay DECIMAL (Python Decimal in the frames); totals shown as figures are summed by DuckDB in DECIMAL.
Charts convert to float (`for_chart`) for drawing only. Every cache entry is keyed by the release and the scope,
so a cached frame is only ever served to a session reading the same scope of the same release.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from orchestration.publish.reader import PublishedView

# The dimensions a cost can be broken down and filtered by: label -> column of the cost source.
COST_DIMENSIONS: dict[str, str] = {
    "Period": "period",
    "Department": "department_id",
    "IT service": "it_service_id",
    "Service": "service_name",
    "Service category": "service_category",
    "Provider": "provider",
    "Project": "project_id",
    "Cost center": "cost_center_id",
    "Business unit": "business_unit_id",
    "Client": "client_id",
}


def _key(view: PublishedView) -> tuple[str, str]:
    return str(view.release), view.scope.scope_id


@st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
def _frame(_view: PublishedView, key: tuple[str, str], sql: str, params: tuple[Any, ...]) -> pd.DataFrame:
    cursor = _view.con.execute(sql, list(params))
    return pd.DataFrame(cursor.fetchall(), columns=[column[0] for column in cursor.description])


def frame(view: PublishedView, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """A query's rows; DECIMAL columns hold Decimal values."""
    return _frame(view, _key(view), sql, tuple(params))


def cost_source(view: PublishedView) -> str | None:
    """fct_costs; in a release published before it existed, fct_cost_allocations; None when the scope has neither."""
    return next((t for t in ("fct_costs", "fct_cost_allocations") if view.has_table(t)), None)


def cost_base(view: PublishedView) -> str:
    """A select of the scope's costs with the same columns whichever cost mart the release has."""
    if cost_source(view) == "fct_costs":
        return """
            select strftime(billing_period_start, '%Y-%m') as period, provider, service_category, service_name,
                   it_service_id, cost_center_id, department_id, business_unit_id, project_id, client_id,
                   billing_currency as currency, effective_cost, is_unallocated
            from marts.fct_costs
        """
    return """
        select strftime(billing_period_start, '%Y-%m') as period, source as provider, service_category, service_name,
               cast(null as varchar) as it_service_id, cost_center_id, department_id, business_unit_id,
               cast(null as varchar) as project_id, client_id, billing_currency as currency,
               allocated_effective_cost as effective_cost, cost_center_id = 'UNALLOCATED' as is_unallocated
        from marts.fct_cost_allocations
    """


def cost_filter_values(view: PublishedView, column: str) -> list[str]:
    if column not in COST_DIMENSIONS.values():
        raise ValueError(f"{column} is not a cost dimension")
    found = frame(
        view, f"select distinct {column} as value from ({cost_base(view)}) where {column} is not null order by 1"
    )
    return [str(value) for value in found["value"]]


def _where(filters: dict[str, Sequence[str]], currency: str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in filters.items():
        if column not in COST_DIMENSIONS.values():
            raise ValueError(f"{column} is not a cost dimension")
        if values:
            clauses.append(f"list_contains(?::varchar[], {column})")
            params.append(list(values))
    if currency:
        clauses.append("currency = ?")
        params.append(currency)
    return (" and ".join(clauses) or "true"), params


def cost_breakdown(
    view: PublishedView,
    by: Sequence[str],
    filters: dict[str, Sequence[str]] | None = None,
    currency: str | None = None,
    unallocated_only: bool = False,
) -> pd.DataFrame:
    """Effective cost (DECIMAL) per currency and the given dimensions, largest first."""
    for column in by:
        if column not in COST_DIMENSIONS.values():
            raise ValueError(f"{column} is not a cost dimension")
    where, params = _where(filters or {}, currency)
    if unallocated_only:
        where += " and is_unallocated"
    keys = ", ".join([*by, "currency"])
    return frame(
        view,
        f"select {keys}, sum(effective_cost) as effective_cost from ({cost_base(view)}) where {where} "
        f"group by {keys} order by {', '.join([*by, 'currency'])}",
        params,
    )


def cost_total(
    view: PublishedView,
    filters: dict[str, Sequence[str]] | None = None,
    currency: str | None = None,
    unallocated_only: bool = False,
) -> dict[str, Decimal]:
    """Exact effective cost per currency."""
    where, params = _where(filters or {}, currency)
    if unallocated_only:
        where += " and is_unallocated"
    found = frame(
        view,
        f"select currency, sum(effective_cost) as total from ({cost_base(view)}) where {where} "
        "group by currency order by currency",
        params,
    )
    return {str(row.currency): Decimal(row.total) for row in found.itertuples()}


def periods(view: PublishedView) -> list[str]:
    if cost_source(view) is None:
        return []
    return [str(p) for p in frame(view, f"select distinct period from ({cost_base(view)}) order by 1")["period"]]


def for_chart(df: pd.DataFrame, *amounts: str) -> pd.DataFrame:
    """A copy with the amount columns as float: for drawing only, never for a figure."""
    return df.assign(**{column: df[column].map(lambda v: None if v is None else float(v)) for column in amounts})


@cache
def minor_units(seeds_dir: Path) -> dict[str, int]:
    """Minor units per currency (seeds/currencies.csv); 2 where a currency is not listed."""
    path = seeds_dir / "currencies.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["currency_code"]: int(row["minor_units"]) for row in csv.DictReader(handle)}
