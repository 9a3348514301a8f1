"""Client margins (finance only): revenue, cost and margin per client contract and month."""

from __future__ import annotations

import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView


def render(view: PublishedView) -> None:
    st.title("Client margins")
    if not view.scope.sees_margins or not view.has_table("fct_client_margins"):
        ui.absent(view, "fct_client_margins", "Client margins")
        return
    margins = data.frame(
        view,
        "select strftime(billing_period_start, '%Y-%m') as period, client_id, client_name, contract_id, currency, "
        "revenue, cost, margin, margin_percent from marts.fct_client_margins order by period, client_id, contract_id",
    )
    currency = ui.currency_choice(sorted(set(margins["currency"])), key="margins_currency")
    if currency is None:
        st.info("No client margin in this release.")
        return
    shown = margins[margins["currency"] == currency]
    st.subheader(f"Margin per client and month ({currency})")
    st.bar_chart(
        data.for_chart(shown, "margin"), x="client_id", y="margin", color="period", stack=False, x_label="Client"
    )
    ui.exact_table(shown, ["revenue", "cost", "margin"])


if __name__ == "__main__":
    render(current_view())
