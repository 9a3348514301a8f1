"""Drill-down: an invoice line or a chargeback line, step by step back to the provider file and row."""

from __future__ import annotations

import importlib
from typing import Any

import pandas as pd
import streamlit as st

from orchestration.dashboard import data, ui
from orchestration.dashboard.session import current_view
from orchestration.publish.reader import PublishedView

EXPLAIN_MODULE = "orchestration.transparency.explain"


def _explain_module() -> Any | None:
    try:
        return importlib.import_module(EXPLAIN_MODULE)
    except ModuleNotFoundError:
        return None


def _show(explanation: Any) -> None:
    st.code(explanation.title, language=None)
    for number, step in enumerate(explanation.steps, start=1):
        st.markdown(f"**{number}. {step.title}**")
        if step.text:
            st.write(step.text)
        if step.columns and step.rows:
            st.dataframe(pd.DataFrame(step.rows, columns=step.columns), hide_index=True, width="stretch")
        if step.more:
            st.caption(step.more)
    for note in explanation.notes:
        st.caption(f"Note: {note}")


def _invoice_line(view: PublishedView, explain: Any) -> None:
    if not view.has_table("fct_invoices") or not view.has_table("fct_invoice_line_lineage"):
        ui.absent(view, "fct_invoice_line_lineage", "Invoice line drill-down")
        return
    numbers = explain.issued_invoice_numbers(view.con)
    if not numbers:
        st.info("No issued invoice to drill into.")
        return
    invoice = st.selectbox("Invoice", numbers, key="drill_invoice")
    lines = {line.line_number: line for line in explain.invoice_lines(view.con, invoice)}
    line = st.selectbox(
        "Line",
        list(lines),
        format_func=lambda n: f"{n}: {lines[n].description} ({ui.money(lines[n].amount, lines[n].currency)})",
        key="drill_invoice_line",
    )
    if line is not None:
        try:
            _show(explain.explain_invoice_line(view.con, invoice, int(line)))
        except explain.ExplainError as error:
            st.warning(str(error))


def _chargeback_line(view: PublishedView, explain: Any) -> None:
    if not view.has_table("fct_chargeback_lines") or not view.has_table("fct_chargeback_line_lineage"):
        ui.absent(view, "fct_chargeback_line_lineage", "Chargeback line drill-down")
        return
    lines = data.frame(
        view,
        "select billing_period_start, department_id, service_id, cost_center_id, rate_item, amount, "
        "billing_currency as currency from marts.fct_chargeback_lines "
        "order by billing_period_start desc, department_id, service_id, cost_center_id, rate_item",
    )
    if lines.empty:
        st.info(f"No chargeback line in this release for {view.scope.label}.")
        return
    month = st.selectbox(
        "Month", sorted(set(lines["billing_period_start"]), reverse=True), key="drill_cb_month", format_func=str
    )
    month_lines = lines[lines["billing_period_start"] == month].reset_index(drop=True)
    labels = {
        index: f"{row.department_id} · {row.service_id} · {row.cost_center_id} · {row.rate_item} "
        f"({ui.money(row.amount, str(row.currency))})"
        for index, row in month_lines.iterrows()
    }
    chosen = st.selectbox("Chargeback line", list(labels), format_func=labels.__getitem__, key="drill_cb_line")
    if chosen is None:
        return
    row = month_lines.iloc[int(chosen)]
    try:
        _show(
            explain.explain_chargeback_line(
                view.con,
                row["billing_period_start"],
                str(row["department_id"]),
                str(row["service_id"]),
                cost_center_id=row["cost_center_id"],
                rate_item=row["rate_item"],
            )
        )
    except explain.ExplainError as error:
        st.warning(str(error))


def render(view: PublishedView) -> None:
    st.title("Drill-down")
    explain = _explain_module()
    if explain is None:
        st.info("Drill-down is not available in this release: the lineage explanations are not installed.")
        return
    invoice_tab, chargeback_tab = st.tabs(["Invoice line", "Chargeback line"])
    with invoice_tab:
        _invoice_line(view, explain)
    with chargeback_tab:
        _chargeback_line(view, explain)


if __name__ == "__main__":
    render(current_view())
