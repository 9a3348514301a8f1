"""Issuing: gapless numbers per legal entity, type and year; blocked drafts stay drafts; content hashes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.invoicing.finalize import content_sha256, finalize_period, frozen_content
from tests.unit.invoice_drafts import SEPTEMBER, add_drafts, draft, record_green_gates

ISSUED_AT = datetime(2026, 10, 2, 9, 30)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_warehouse(connection)
    add_drafts(
        connection,
        [
            draft("GLOBEX", "LE-US", "USD", [("100.00", "8.88"), ("-10.00", "-0.89")]),
            draft("UMBRELLA", "LE-US", "JPY", [("15500", "0")]),
            draft("INITECH", "LE-DE", "EUR", [("200.00", "38.00")]),
        ],
    )
    connection.execute(
        "create table marts.fct_cost_allocations as select date '2026-09-01' as billing_period_start, "
        "'CC-9100' as cost_center_id, 'USD' as billing_currency, 1.0::decimal(38,10) as allocated_effective_cost, "
        "1.0::decimal(38,10) as allocated_billed_cost"
    )
    record_green_gates(connection)
    yield connection
    connection.close()


def _issued(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select invoice_id, invoice_number, series, sequence_number, invoice_date, due_date, total "
        "from audit.issued_invoices order by invoice_number"
    ).fetchall()


def test_each_legal_entity_numbers_its_invoices_gaplessly_from_one(con) -> None:
    result = finalize_period(con, SEPTEMBER, issued_by="controller", issued_at=ISSUED_AT)
    assert [(i.invoice_id, i.invoice_number) for i in result.issued] == [
        ("INITECH-2026-09", "EBTG-INV-2026-000001"),
        ("GLOBEX-2026-09", "EBTS-INV-2026-000001"),
        ("UMBRELLA-2026-09", "EBTS-INV-2026-000002"),
    ]
    rows = _issued(con)
    # Invoices are dated the last day of their period (re-runs reproduce them); due after the contract's terms.
    assert {(r[4].isoformat(), r[5].isoformat()) for r in rows} == {("2026-09-30", "2026-10-30")}
    assert [r[6] for r in rows] == [Decimal("238.00"), Decimal("97.99"), Decimal("15500")]
    assert con.execute("select sum(amount + tax_amount) from audit.issued_invoice_lines").fetchone() == (
        Decimal("15835.99"),
    )


def test_a_second_run_issues_nothing_and_a_blocked_draft_stays_a_draft(con) -> None:
    finalize_period(con, SEPTEMBER, issued_by="controller", issued_at=ISSUED_AT)
    before = _issued(con)
    add_drafts(
        con,
        [
            draft("GLOBEX", "LE-US", "USD", [("100.00", "8.88"), ("-10.00", "-0.89")]),
            draft("UMBRELLA", "LE-US", "JPY", [("15500", "0")]),
            draft("INITECH", "LE-DE", "EUR", [("200.00", "38.00")]),
            draft(
                "GLOBEX",
                "LE-US",
                "USD",
                [("-5.00", "-0.44")],
                document_type="credit_note",
                original_invoice_id="GLOBEX-2026-09",
                original_invoice_number="EBTS-INV-2026-000001",
                blocking_issues="fx: missing reference rate: no USD->JPY rate",
            ),
        ],
    )
    con.execute(
        "update intermediate.int_invoices_drafted set invoice_id = 'GLOBEX-2026-09-CRN1' "
        "where document_type = 'credit_note'"
    )
    con.execute(
        "update intermediate.int_invoice_lines_drafted set invoice_id = 'GLOBEX-2026-09-CRN1' "
        "where document_type = 'credit_note'"
    )
    again = finalize_period(con, SEPTEMBER, issued_by="controller", issued_at=ISSUED_AT)
    assert again.issued == [] and again.already_final == 3
    assert again.blocked == [("GLOBEX-2026-09-CRN1", "fx: missing reference rate: no USD->JPY rate")]
    assert _issued(con) == before


def test_a_credit_note_gets_its_own_series_and_references_the_invoice(con) -> None:
    finalize_period(con, SEPTEMBER, issued_by="controller", issued_at=ISSUED_AT)
    note = draft(
        "GLOBEX",
        "LE-US",
        "USD",
        [("-5.00", "-0.44")],
        document_type="credit_note",
        original_invoice_id="GLOBEX-2026-09",
        original_invoice_number="EBTS-INV-2026-000001",
    )
    add_drafts(con, [note])
    con.execute("update intermediate.int_invoices_drafted set invoice_id = 'GLOBEX-2026-09-CRN1'")
    con.execute("update intermediate.int_invoice_lines_drafted set invoice_id = 'GLOBEX-2026-09-CRN1'")
    result = finalize_period(con, SEPTEMBER, issued_by="manager", issued_at=datetime(2026, 11, 3, 8, 0))
    assert [i.invoice_number for i in result.issued] == ["EBTS-CRN-2026-000001"]
    assert con.execute(
        "select invoice_date, original_invoice_number, total from audit.issued_invoices "
        "where document_type = 'credit_note'"
    ).fetchall() == [(datetime(2026, 11, 3).date(), "EBTS-INV-2026-000001", Decimal("-5.44"))]


def test_the_recorded_content_hash_detects_an_edited_line(con) -> None:
    finalize_period(con, SEPTEMBER, issued_by="controller", issued_at=ISSUED_AT)
    recorded = con.execute(
        "select content_sha256 from audit.issued_invoices where invoice_number = 'EBTS-INV-2026-000001'"
    ).fetchone()[0]
    assert content_sha256(*frozen_content(con, "EBTS-INV-2026-000001")) == recorded
    con.execute(
        "update audit.issued_invoice_lines set amount = 100.01 where invoice_id = 'GLOBEX-2026-09' and line_number = 1"
    )
    assert content_sha256(*frozen_content(con, "EBTS-INV-2026-000001")) != recorded


def test_a_document_that_cannot_be_rendered_issues_nothing(con) -> None:
    def refuse(_con: duckdb.DuckDBPyConnection, numbers: list[str]) -> None:
        assert numbers == ["EBTG-INV-2026-000001", "EBTS-INV-2026-000001", "EBTS-INV-2026-000002"]
        raise ValueError("line 9 unit 'E34-MON' is not a UN/ECE Recommendation 20 code")

    with pytest.raises(ValueError, match="E34-MON"):
        finalize_period(con, SEPTEMBER, issued_by="controller", issued_at=ISSUED_AT, check_documents=refuse)
    # The numbers were never committed: the next attempt starts again at 000001.
    assert con.execute("select count(*) from audit.issued_invoices").fetchone() == (0,)
    assert con.execute("select count(*) from audit.closed_allocations").fetchone() == (0,)
