"""Close the books once every gate is green: invoices get gapless numbers and immutable copies, and the
period's cost-center totals are frozen at its first close (the baseline restatements are measured against)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import duckdb

REQUIRED_SUITES = ("fct_reconciliation", "invoice_totals")

HEADER_COLUMNS = (
    "invoice_id, client_id, contract_id, contract_version, billing_period_start, currency, payment_terms_days, "
    "subtotal, discount_total, credit_total, tax_total, total"
)
LINE_COLUMNS = (
    "invoice_id, line_number, description, service_category, quantity, unit, unit_price, amount, tax_code, "
    "tax_rate, tax_amount, client_id, billing_period_start, currency, cost_basis, charge_count"
)


class GatesNotPassed(Exception):
    """The period's gates are missing or red; the message names each failing expectation."""


@dataclass(frozen=True)
class Finalization:
    issued: list[tuple[str, str]]  # (invoice_id, invoice_number)
    already_final: int
    allocations_frozen: int  # cost-center totals frozen by this close; 0 when the period was closed before


def failing_gates(con: duckdb.DuckDBPyConnection, period: date) -> list[str]:
    """The latest evaluation of each gate for the period; a suite never run counts as failing."""
    rows = con.execute(
        """
        with latest as (
            select suite, max(checked_at) as checked_at
            from audit.gate_results where billing_period_start = ? group by suite
        )
        select results.suite, results.expectation, results.success, results.failing_rows, results.detail
        from audit.gate_results as results
        join latest on latest.suite = results.suite and latest.checked_at = results.checked_at
        where results.billing_period_start = ?
        """,
        [period, period],
    ).fetchall()
    seen = {row[0] for row in rows}
    problems = [f"{suite}: never evaluated for {period:%Y-%m}" for suite in REQUIRED_SUITES if suite not in seen]
    problems += [f"{s}: {e} failed on {n} row(s) {d}".rstrip() for s, e, ok, n, d in rows if not ok]
    return problems


def finalize_period(con: duckdb.DuckDBPyConnection, period: date, issued_by: str) -> Finalization:
    """Copy each draft invoice of `period` not yet issued into the audit tables with the next number.

    Numbers form one gapless series per year of issue (INV-2026-000001, ...). The copies are never
    updated; a later restatement changes drafts only, and differences become credit or debit notes.
    """
    problems = failing_gates(con, period)
    if problems:
        raise GatesNotPassed("; ".join(problems))
    issued_at = datetime.now(UTC).replace(tzinfo=None)
    con.execute("begin transaction")
    try:
        drafts = [
            row[0]
            for row in con.execute(
                """
                select invoice_id from intermediate.int_invoices_drafted
                where billing_period_start = ?
                  and invoice_id not in (select invoice_id from audit.issued_invoices)
                order by invoice_id
                """,
                [period],
            ).fetchall()
        ]
        already = con.execute(
            "select count(*) from audit.issued_invoices where billing_period_start = ?", [period]
        ).fetchone()[0]
        prefix = f"INV-{issued_at:%Y}-"
        last = con.execute(
            "select max(cast(substr(invoice_number, ?) as integer)) from audit.issued_invoices "
            "where invoice_number like ?",
            [len(prefix) + 1, prefix + "%"],
        ).fetchone()[0]
        issued: list[tuple[str, str]] = []
        for offset, invoice_id in enumerate(drafts, start=1):
            number = f"{prefix}{(last or 0) + offset:06d}"
            con.execute(
                f"""
                insert into audit.issued_invoices ({HEADER_COLUMNS}, invoice_number, issued_at, issued_by)
                select {HEADER_COLUMNS}, ?, ?, ? from intermediate.int_invoices_drafted where invoice_id = ?
                """,
                [number, issued_at, issued_by, invoice_id],
            )
            con.execute(
                f"""
                insert into audit.issued_invoice_lines ({LINE_COLUMNS})
                select {LINE_COLUMNS} from intermediate.int_invoice_lines_drafted where invoice_id = ?
                """,
                [invoice_id],
            )
            issued.append((invoice_id, number))
        frozen = _freeze_allocations(con, period, issued_at, issued_by)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return Finalization(issued, already, frozen)


def _freeze_allocations(con: duckdb.DuckDBPyConnection, period: date, closed_at: datetime, closed_by: str) -> int:
    """At the period's first green close, keep its cost-center totals as closed; later closes never touch them.

    marts.fct_allocation_restatements compares every later close with this copy, so a back-dated rule or a
    restated delivery shows up as a restatement report instead of silently rewriting a closed month.
    """
    closed = con.execute(
        "select count(*) from audit.closed_allocations where billing_period_start = ?", [period]
    ).fetchone()[0]
    if closed:
        return 0
    inserted = con.execute(
        """
        insert into audit.closed_allocations
        select billing_period_start, cost_center_id, billing_currency,
               sum(allocated_effective_cost), sum(allocated_billed_cost), count(*), ?, ?
        from marts.fct_cost_allocations
        where billing_period_start = ?
        group by billing_period_start, cost_center_id, billing_currency
        """,
        [closed_at, closed_by, period],
    ).fetchone()
    return int(inserted[0]) if inserted else 0
