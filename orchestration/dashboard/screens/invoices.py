"""Invoices and their status (clients), what each department is charged (chargeback), and what is still owed."""

from __future__ import annotations

import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView


def _chargeback(view: PublishedView) -> None:
    st.subheader("Charged to departments")
    if not view.has_table("fct_chargeback_lines"):
        ui.absent(view, "fct_chargeback_lines", "Chargeback")
        return
    charged = data.frame(
        view,
        "select strftime(billing_period_start, '%Y-%m') as period, department_id, mode, pricing_status, "
        "billing_currency as currency, count(*) as lines, sum(amount) as amount from marts.fct_chargeback_lines "
        "group by all order by period, department_id, mode, pricing_status, currency",
    )
    if charged.empty:
        st.info(f"No chargeback line in this release for {view.scope.label}.")
        return
    ui.exact_table(charged, ["amount"])


def render(view: PublishedView) -> None:
    st.title("Invoices and charges")
    _chargeback(view)
    st.subheader("Client invoices")
    if not view.has_table("fct_invoices"):
        ui.absent(view, "fct_invoices", "Invoices")
        return
    invoices = data.frame(
        view,
        "select coalesce(invoice_number, invoice_id) as invoice, document_type, client_id, "
        "strftime(billing_period_start, '%Y-%m') as period, currency, subtotal, tax_total, total, status, "
        "cast(issued_at as date) as issued_on, due_date, delivery_method "
        "from marts.fct_invoices order by period, invoice",
    )
    if invoices.empty:
        st.info(f"No invoice in this release for {view.scope.label}.")
        return
    statuses = sorted(set(invoices["status"]))
    chosen = st.multiselect("Status", statuses, default=statuses, key="invoices_status")
    shown = invoices[invoices["status"].isin(chosen)]
    columns = st.columns(max(len(statuses), 1))
    for column, status in zip(columns, statuses, strict=False):
        column.metric(f"{status.capitalize()} invoices", int((invoices["status"] == status).sum()))
    st.subheader("Invoiced per month and status")
    st.bar_chart(
        data.for_chart(shown, "total"), x="period", y="total", color="status", x_label="Month", y_label="Total"
    )
    ui.exact_table(shown, ["subtotal", "tax_total", "total"])
    st.subheader("Lines of an invoice")
    if not view.has_table("fct_invoice_lines"):
        ui.absent(view, "fct_invoice_lines", "Invoice lines")
    elif not shown.empty:
        invoice = st.selectbox("Invoice", list(shown["invoice"]), key="invoices_invoice")
        lines = data.frame(
            view,
            "select lines.line_number, lines.line_type, lines.service_id, lines.description, lines.quantity, "
            "lines.unit, lines.unit_price, lines.amount, lines.tax_rate, lines.tax_amount, lines.currency "
            "from marts.fct_invoice_lines as lines join marts.fct_invoices as invoices using (invoice_id) "
            "where coalesce(invoices.invoice_number, invoices.invoice_id) = ? order by lines.line_number",
            [invoice],
        )
        ui.exact_table(lines, ["amount", "tax_amount"])
    st.subheader("Receivables")
    if not view.has_table("fct_ar_aging"):
        ui.absent(view, "fct_ar_aging", "Receivables aging")
        return
    aging = data.frame(
        view,
        "select as_of_date, client_id, currency, billed_amount, received_amount, outstanding_amount, "
        "current_amount, days_1_30_amount, days_31_60_amount, days_61_90_amount, days_over_90_amount "
        "from marts.fct_ar_aging order by as_of_date desc, client_id",
    )
    if aging.empty:
        st.info("Nothing is outstanding.")
        return
    ui.exact_table(
        aging,
        [
            "billed_amount",
            "received_amount",
            "outstanding_amount",
            "current_amount",
            "days_1_30_amount",
            "days_31_60_amount",
            "days_61_90_amount",
            "days_over_90_amount",
        ],
    )


if __name__ == "__main__":
    render(current_view())
