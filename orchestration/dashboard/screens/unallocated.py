"""Unallocated spend: cost no allocation rule assigned to a cost center, by month, provider and service."""

from __future__ import annotations

import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView


def render(view: PublishedView) -> None:
    st.title("Unallocated spend")
    if data.cost_source(view) is None:
        ui.absent(view, "fct_costs", "Unallocated spend")
        return
    totals = data.cost_total(view, unallocated_only=True)
    if not totals:
        st.info(f"No unallocated spend in this release for {view.scope.label}.")
        return
    currency = ui.currency_choice(sorted(totals), key="unallocated_currency")
    if currency is None:
        return
    st.metric(f"Unallocated, all months ({currency})", ui.money(totals[currency], currency))
    per_month = data.cost_breakdown(view, ["period", "provider"], currency=currency, unallocated_only=True)
    st.subheader(f"Unallocated per month and provider ({currency})")
    st.bar_chart(
        data.for_chart(per_month, "effective_cost"),
        x="period",
        y="effective_cost",
        color="provider",
        x_label="Month",
        y_label=f"Unallocated ({currency})",
    )
    st.subheader("By service")
    ui.exact_table(
        data.cost_breakdown(view, ["period", "provider", "service_name"], currency=currency, unallocated_only=True),
        ["effective_cost"],
    )


if __name__ == "__main__":
    render(current_view())
