"""Forecast vs actual: actual cost against the finance forecast, the statistical forecast and the budget."""

from __future__ import annotations

import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView


def render(view: PublishedView) -> None:
    st.title("Forecast vs actual")
    if not view.has_table("fct_variance"):
        ui.absent(view, "fct_variance", "Forecast vs actual")
        return
    variance = data.frame(
        view,
        "select strftime(billing_period_start, '%Y-%m') as period, cost_center_id, department_id, currency, "
        "actual_amount, forecast_amount, statistical_forecast_amount, budget_amount, variance_to_forecast, "
        "variance_to_forecast_percent, variance_to_statistical, variance_to_budget, statistical_method "
        "from marts.fct_variance order by period, cost_center_id",
    )
    currency = ui.currency_choice(sorted(set(variance["currency"])), key="forecast_currency")
    if currency is None:
        st.info(f"No forecast or actual in this release for {view.scope.label}.")
        return
    per_month = data.frame(
        view,
        "select strftime(billing_period_start, '%Y-%m') as period, sum(actual_amount) as actual, "
        "sum(forecast_amount) as forecast, sum(statistical_forecast_amount) as statistical_forecast, "
        "sum(budget_amount) as budget from marts.fct_variance where currency = ? group by all order by all",
        [currency],
    )
    # The latest month with an actual: later months hold forecasts only.
    actuals = per_month[per_month["actual"].notna()]
    latest = (actuals if not actuals.empty else per_month).iloc[-1]
    first, second, third = st.columns(3)
    first.metric(f"Actual {latest['period']}", ui.money(latest["actual"], currency))
    second.metric("Forecast", ui.money(latest["forecast"], currency))
    third.metric("Budget", ui.money(latest["budget"], currency))
    st.subheader(f"Actual, forecast and budget per month ({currency})")
    chart = data.for_chart(per_month, "actual", "forecast", "statistical_forecast", "budget").melt(
        id_vars=["period"], var_name="measure", value_name="amount"
    )
    st.line_chart(chart, x="period", y="amount", color="measure", x_label="Month", y_label=currency)
    st.subheader("Variance per cost center")
    ui.exact_table(
        variance[variance["currency"] == currency],
        [
            "actual_amount",
            "forecast_amount",
            "statistical_forecast_amount",
            "budget_amount",
            "variance_to_forecast",
            "variance_to_statistical",
            "variance_to_budget",
        ],
    )


if __name__ == "__main__":
    render(current_view())
