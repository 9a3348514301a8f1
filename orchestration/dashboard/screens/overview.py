"""Overview: the latest month's cost and its change, unallocated spend, budgets at risk, invoices by status."""

from __future__ import annotations

import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView


def render(view: PublishedView) -> None:
    st.title("IT cost overview")
    if data.cost_source(view) is None:
        ui.absent(view, "fct_costs", "Costs")
    else:
        months = data.periods(view)
        latest = months[-1] if months else None
        previous = months[-2] if len(months) > 1 else None
        currencies = sorted(data.cost_total(view))
        currency = ui.currency_choice(currencies, key="overview_currency")
        if latest and currency:
            total = data.cost_total(view, {"period": [latest]}, currency).get(currency)
            before = data.cost_total(view, {"period": [previous]}, currency).get(currency) if previous else None
            unallocated = data.cost_total(view, {"period": [latest]}, currency, unallocated_only=True).get(currency)
            first, second, third = st.columns(3)
            first.metric(
                f"Effective cost {latest}",
                ui.money(total, currency),
                delta=ui.money(total - before, currency) if total is not None and before is not None else None,
                delta_color="inverse",
            )
            second.metric(f"Effective cost {previous or '-'}", ui.money(before, currency))
            third.metric(f"Unallocated {latest}", ui.money(unallocated, currency))
            st.subheader(f"Effective cost per month and department ({currency})")
            by_department = data.cost_breakdown(view, ["period", "department_id"], currency=currency)
            st.bar_chart(
                data.for_chart(by_department.fillna({"department_id": "(unallocated)"}), "effective_cost"),
                x="period",
                y="effective_cost",
                color="department_id",
                x_label="Month",
                y_label=f"Effective cost ({currency})",
            )
    st.subheader("Invoices by status")
    if not view.has_table("fct_invoices"):
        ui.absent(view, "fct_invoices", "Invoices")
        return
    statuses = data.frame(
        view,
        "select status, currency, count(*) as invoices, sum(total) as total from marts.fct_invoices "
        "group by status, currency order by status, currency",
    )
    ui.exact_table(statuses, ["total"])


if __name__ == "__main__":
    render(current_view())
