"""Close the books once every gate is green: draft invoices and credit/debit notes get gapless numbers per legal
entity and series and immutable copies with a content hash, and the period's cost-center totals are frozen at its
first close (the baseline restatements are measured against)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb

from orchestration.invoicing.columns import DRAFT_HEADER_NAMES, LINE_NAMES

REQUIRED_SUITES = ("fct_reconciliation", "invoice_totals")

# Series code per document type: numbers are gapless per legal entity, type and year (EBTS-INV-2026-000001).
SERIES_CODES = {"invoice": "INV", "credit_note": "CRN", "debit_note": "DBN"}


class GatesNotPassed(Exception):
    """The period's gates are missing or red; the message names each failing expectation."""


@dataclass(frozen=True)
class IssuedDocument:
    invoice_id: str
    invoice_number: str
    document_type: str
    client_id: str


@dataclass(frozen=True)
class Finalization:
    issued: list[IssuedDocument]
    already_final: int
    allocations_frozen: int  # cost-center totals frozen by this close; 0 when the period was closed before
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (invoice_id, why) left as drafts


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


def finalize_period(
    con: duckdb.DuckDBPyConnection,
    period: date,
    issued_by: str,
    *,
    issued_at: datetime | None = None,
    check_documents: Callable[[duckdb.DuckDBPyConnection, list[str]], None] | None = None,
) -> Finalization:
    """Issue every draft document of `period` that is not issued yet and not blocked.

    An invoice is dated the last day of its billing period (so a re-run of the period reproduces the same
    document); a credit or debit note is dated the day it is issued. Numbers are assigned in a stable order
    (legal entity, type, client, draft id) inside one transaction: gapless, never reused. A draft blocked by a
    contract violation, a missing FX rate or a missing tax determination stays a draft and is reported.
    """
    problems = failing_gates(con, period)
    if problems:
        raise GatesNotPassed("; ".join(problems))
    issued_at = issued_at or datetime.now(UTC).replace(tzinfo=None)
    parties = _parties(con)
    con.execute("begin transaction")
    try:
        drafts = warehouse_rows(
            con,
            """
            select * from intermediate.int_invoices_drafted
            where billing_period_start = ?
              and invoice_id not in (select invoice_id from audit.issued_invoices)
            order by legal_entity_id, document_type, client_id, invoice_id
            """,
            [period],
        )
        already = con.execute(
            "select count(*) from audit.issued_invoices where billing_period_start = ?", [period]
        ).fetchone()[0]
        issued: list[IssuedDocument] = []
        blocked: list[tuple[str, str]] = []
        for draft in drafts:
            if draft.get("blocking_issues"):
                blocked.append((draft["invoice_id"], draft["blocking_issues"]))
                continue
            issued.append(_issue(con, draft, parties, issued_at, issued_by))
        if check_documents is not None:
            check_documents(con, [document.invoice_number for document in issued])
        frozen = _freeze_allocations(con, period, issued_at, issued_by)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return Finalization(issued, already, frozen, blocked)


def _issue(
    con: duckdb.DuckDBPyConnection,
    draft: dict[str, object],
    parties: Parties,
    issued_at: datetime,
    issued_by: str,
) -> IssuedDocument:
    invoice_id = str(draft["invoice_id"])
    document_type = str(draft["document_type"])
    legal_entity_id = str(draft["legal_entity_id"])
    client_id = str(draft["client_id"])
    if legal_entity_id not in parties.sellers or client_id not in parties.buyers:
        raise ValueError(
            f"{invoice_id}: legal entity {legal_entity_id} or client {client_id} is missing from "
            "seeds/legal_entities.csv / seeds/clients.csv"
        )
    seller = parties.sellers[legal_entity_id]
    invoice_date = draft.get("invoice_date") or issued_at.date()
    assert isinstance(invoice_date, date)
    due_date = invoice_date + timedelta(days=int(draft.get("payment_terms_days") or 0))
    series = f"{seller['document_prefix']}-{SERIES_CODES[document_type]}-{invoice_date:%Y}"
    last = con.execute("select max(sequence_number) from audit.issued_invoices where series = ?", [series]).fetchone()[
        0
    ]
    sequence = (last or 0) + 1
    number = f"{series}-{sequence:06d}"
    lines = warehouse_rows(
        con,
        f"select {', '.join(LINE_NAMES)} from intermediate.int_invoice_lines_drafted "
        "where invoice_id = ? order by line_number",
        [invoice_id],
    )
    header = {name: draft[name] for name in DRAFT_HEADER_NAMES}
    header |= {
        "invoice_number": number,
        "series": series,
        "sequence_number": sequence,
        "invoice_date": invoice_date,
        "due_date": due_date,
        "seller_party": json.dumps(seller, sort_keys=True),
        "buyer_party": json.dumps(parties.buyers[client_id], sort_keys=True),
    }
    header["content_sha256"] = content_sha256(header, lines)
    header |= {"issued_at": issued_at, "issued_by": issued_by}
    names = list(header)
    con.execute(
        f"insert into audit.issued_invoices ({', '.join(names)}) values ({', '.join('?' for _ in names)})",
        [header[name] for name in names],
    )
    con.execute(
        f"""
        insert into audit.issued_invoice_lines ({", ".join(LINE_NAMES)})
        select {", ".join(LINE_NAMES)} from intermediate.int_invoice_lines_drafted where invoice_id = ?
        """,
        [invoice_id],
    )
    return IssuedDocument(invoice_id, number, document_type, client_id)


@dataclass(frozen=True)
class Parties:
    sellers: dict[str, dict[str, object]]
    buyers: dict[str, dict[str, object]]


def _parties(con: duckdb.DuckDBPyConnection) -> Parties:
    """Legal entities and clients as the seeds say now; frozen into each document at issue."""
    sellers = warehouse_rows(con, "select * from staging.stg_reference__legal_entities", [])
    buyers = warehouse_rows(con, "select * from staging.stg_reference__clients", [])
    return Parties(
        {str(row["legal_entity_id"]): row for row in sellers},
        {str(row["client_id"]): row for row in buyers},
    )


def content_sha256(header: dict[str, object], lines: list[dict[str, object]]) -> str:
    """sha256 of the document's content (header without who/when, and every line), canonical JSON.

    Recorded with the issued document; `billing invoices show` recomputes it from the frozen rows, so an
    edited audit row is visible.
    """
    content = {
        "header": {k: v for k, v in header.items() if k not in {"content_sha256", "issued_at", "issued_by"}},
        "lines": lines,
    }
    text = json.dumps(content, sort_keys=True, default=_canonical, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")


def warehouse_rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> list[dict[str, object]]:
    """Rows of a warehouse query as dicts keyed by column name."""
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


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


def frozen_content(
    con: duckdb.DuckDBPyConnection, invoice_number: str
) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The issued header and lines of a document, as hashed at issue (for re-verifying content_sha256)."""
    header = warehouse_rows(con, "select * from audit.issued_invoices where invoice_number = ?", [invoice_number])[0]
    lines = warehouse_rows(
        con,
        f"select {', '.join(LINE_NAMES)} from audit.issued_invoice_lines where invoice_id = ? order by line_number",
        [header["invoice_id"]],
    )
    return header, lines
