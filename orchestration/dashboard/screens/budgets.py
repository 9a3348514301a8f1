"""Budget burn: each budget's spend against its amount in the month, and the thresholds crossed."""

from __future__ import annotations

import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView


def render(view: PublishedView) -> None:
    st.title("Budget burn")
    if not view.has_table("fct_budget_status"):
        ui.absent(view, "fct_budget_status", "Budget burn")
        return
    budgets = data.frame(
        view,
        "select strftime(billing_period_start, '%Y-%m') as period, budget_id, budget_name, budget_scope, "
        "cost_center_id, project_id, department_id, currency, budget_amount, spend, remaining_amount, "
        "percent_consumed, thresholds_crossed, highest_threshold_crossed, throttle_requested, currency_check "
        "from marts.fct_budget_status order by period, budget_id",
    )
    if budgets.empty:
        st.info(f"No budget in this release for {view.scope.label}.")
        return
    months = sorted(set(budgets["period"]))
    month = st.selectbox("Month", months[::-1], key="budgets_month")
    shown = budgets[budgets["period"] == month]
    over = shown[shown["remaining_amount"].map(lambda v: v is not None and v < 0)]
    first, second = st.columns(2)
    first.metric(f"Budgets in {month}", len(shown))
    second.metric("Overspent", len(over))
    st.subheader(f"Spend against budget, {month}")
    chart = data.for_chart(shown, "budget_amount", "spend").melt(
        id_vars=["budget_id"], value_vars=["budget_amount", "spend"], var_name="measure", value_name="amount"
    )
    st.bar_chart(chart, x="budget_id", y="amount", color="measure", stack=False, horizontal=True, x_label="Budget")
    ui.exact_table(shown, ["budget_amount", "spend", "remaining_amount"])


if __name__ == "__main__":
    render(current_view())
