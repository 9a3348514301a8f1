"""Cost explorer: effective cost by service, department, project or period, with filters on each."""

from __future__ import annotations

import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView

FILTERS = ("Period", "Department", "Service", "Project", "Provider")


def render(view: PublishedView) -> None:
    st.title("Cost explorer")
    if data.cost_source(view) is None:
        ui.absent(view, "fct_costs", "Costs")
        return
    filters: dict[str, list[str]] = {}
    columns = st.columns(len(FILTERS))
    for column, label in zip(columns, FILTERS, strict=True):
        name = data.COST_DIMENSIONS[label]
        options = data.cost_filter_values(view, name)
        filters[name] = column.multiselect(label, options, key=f"costs_filter_{name}", placeholder="all")
    left, right = st.columns([2, 1])
    groupings = [label for label in data.COST_DIMENSIONS if label != "Period"]
    group_label = left.selectbox("Break down by", groupings, index=groupings.index("Service"), key="costs_group")
    with right:
        currency = ui.currency_choice(sorted(data.cost_total(view, filters)), key="costs_currency")
    if currency is None:
        st.info("No cost matches these filters.")
        return
    group = data.COST_DIMENSIONS[group_label]
    st.metric(
        f"Effective cost ({currency}, filtered)", ui.money(data.cost_total(view, filters, currency)[currency], currency)
    )
    breakdown = data.cost_breakdown(view, ["period", group], filters, currency).fillna({group: "(none)"})
    st.subheader(f"Effective cost by {group_label.lower()} and month")
    st.bar_chart(
        data.for_chart(breakdown, "effective_cost"),
        x=group,
        y="effective_cost",
        color="period",
        horizontal=True,
        x_label=group_label,
        y_label=f"Effective cost ({currency})",
    )
    ui.exact_table(breakdown, ["effective_cost"])


if __name__ == "__main__":
    render(current_view())
