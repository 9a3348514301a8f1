"""Month over month: each department's and IT service's cost against the month before, and unit cost trends."""

from __future__ import annotations

import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView


def render(view: PublishedView) -> None:
    st.title("Month over month")
    if not view.has_table("fct_cost_trends"):
        ui.absent(view, "fct_cost_trends", "Month-over-month change")
    else:
        trends = data.frame(
            view,
            "select strftime(billing_period_start, '%Y-%m') as period, department_id, department_name, it_service_id, "
            "it_service_name, billing_currency as currency, effective_cost, previous_effective_cost, change_amount, "
            "change_percent "
            "from marts.fct_cost_trends order by period, department_id, it_service_id",
        )
        currency = ui.currency_choice(sorted(set(trends["currency"])), key="trends_currency")
        if currency is None:
            st.info("No month-over-month figures in this release.")
        else:
            shown = trends[trends["currency"] == currency]
            months = sorted(set(shown["period"]))
            month = st.selectbox("Month", months[::-1], key="trends_month")
            totals = data.frame(
                view,
                "select sum(effective_cost) as cost, sum(previous_effective_cost) as previous, "
                "sum(change_amount) as change from marts.fct_cost_trends "
                "where strftime(billing_period_start, '%Y-%m') = ? and billing_currency = ?",
                [month, currency],
            ).iloc[0]
            first, second = st.columns(2)
            first.metric(
                f"Effective cost {month}",
                ui.money(totals["cost"], currency),
                delta=ui.money(totals["change"], currency),
                delta_color="inverse",
            )
            second.metric("The month before", ui.money(totals["previous"], currency))
            per_department = data.frame(
                view,
                "select strftime(billing_period_start, '%Y-%m') as period, department_id, "
                "sum(effective_cost) as effective_cost from marts.fct_cost_trends where billing_currency = ? "
                "group by all order by all",
                [currency],
            ).fillna({"department_id": "(none)"})
            st.subheader(f"Effective cost per department ({currency})")
            st.line_chart(
                data.for_chart(per_department, "effective_cost"),
                x="period",
                y="effective_cost",
                color="department_id",
                x_label="Month",
                y_label=f"Effective cost ({currency})",
            )
            st.subheader(f"Changes in {month}, largest first")
            changes = shown[shown["period"] == month].sort_values(
                "change_amount", key=lambda s: s.map(lambda v: abs(v) if v is not None else 0), ascending=False
            )
            ui.exact_table(changes, ["effective_cost", "previous_effective_cost", "change_amount"])
    st.subheader("Unit cost per IT service")
    if not view.has_table("fct_unit_cost_trends"):
        ui.absent(view, "fct_unit_cost_trends", "Unit cost trends")
        return
    unit_costs = data.frame(
        view,
        "select strftime(billing_period_start, '%Y-%m') as period, it_service_id, unit, quantity, cost, unit_cost, "
        "previous_unit_cost, change_percent from marts.fct_unit_cost_trends order by period, it_service_id",
    )
    st.dataframe(unit_costs, hide_index=True, width="stretch")


if __name__ == "__main__":
    render(current_view())
