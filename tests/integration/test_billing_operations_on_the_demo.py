"""Billing operations on the closed demo (tests/integration/operations_walk.py): a dispute of an October GLOBEX line
becomes an approved credit note, a bank statement pays what is left, a dispute is recorded while a month closes,
and the close's marts show the credit and the payment in receivables to the cent."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from tests.integration.conftest import RestatedDemo

NOVEMBER_END = date(2026, 11, 30)


def test_a_dispute_is_recorded_while_a_close_holds_the_warehouse(restated_demo: RestatedDemo) -> None:
    close = restated_demo.close
    assert close.returncode == 0, close.output[-3000:]
    assert close.dispute_recorded_while_locked is not None, "no dispute was recorded while the close held the warehouse"


def test_the_credit_note_and_the_payment_reach_receivables_to_the_cent(restated_demo: RestatedDemo) -> None:
    demo, ops = restated_demo.demo, restated_demo.operations
    assert ops.required_approvals == (2 if ops.gross > 1000 else 1)
    assert (ops.note.document_number, ops.note.total) == ("EBTS-ACN-2026-000001", -ops.gross)
    assert all(Path(path).exists() and Path(path).parent.name == "2026-10" for _, path, _ in ops.note.files)

    [(billed, credited, received, outstanding)] = demo.query(
        """
        select billed_amount, credited_amount, received_amount, outstanding_amount from marts.fct_ar_aging
        where as_of_date = ? and legal_entity_id = 'LE-US' and client_id = 'GLOBEX' and currency = 'USD'
        """,
        [NOVEMBER_END],
    )
    [(globex_billed,)] = demo.query(
        "select sum(total) from audit.issued_invoices where client_id = 'GLOBEX' and document_type = 'invoice' "
        "and invoice_date <= ?",
        [NOVEMBER_END],
    )
    # GLOBEX's October invoice is settled: credited by the note, the rest paid; its other invoices stay open.
    assert (billed, credited, received) == (globex_billed, ops.gross, ops.payment)
    assert outstanding == globex_billed - ops.invoice_total
    assert demo.query(
        "select match_method, document_number, applied_amount, unapplied_amount from marts.fct_payment_applications "
        "where bank_reference = ?",
        [ops.bank_reference],
    ) == [("reference", ops.invoice_number, ops.payment, Decimal(0))]


def test_the_dispute_report_shows_its_root_cause_and_credit(restated_demo: RestatedDemo) -> None:
    demo, ops = restated_demo.demo, restated_demo.operations
    assert demo.query(
        "select status, root_cause, outcome, current_owner, credited_amount from marts.fct_disputes "
        "where dispute_id = ?",
        [ops.dispute_id],
    ) == [("resolved", "duplicate_charge", "upheld", "omar", ops.gross)]


def test_the_audit_trail_of_the_walk_verifies(restated_demo: RestatedDemo) -> None:
    data_dir = restated_demo.demo.settings.data_dir
    verified = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "audit", "verify", "--as", "fiona"],
        env={**os.environ, "BILLING_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("audit trail intact: ")


def test_disputes_show_traces_the_line_to_its_contract_and_usage_rows(restated_demo: RestatedDemo) -> None:
    demo, ops = restated_demo.demo, restated_demo.operations
    shown = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "disputes", "show", ops.dispute_id, "--as", "ana"],
        env={**os.environ, "BILLING_DATA_DIR": str(demo.settings.data_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith(f"{ops.dispute_id}: {ops.invoice_number} line {ops.line_number}, status resolved")
    [(contract_id, version)] = demo.query(
        "select contract_id, contract_version from audit.issued_invoices where invoice_number = ?",
        [ops.invoice_number],
    )
    assert f"contract {contract_id} version {version}:" in lines
    usage = lines.index(next(line for line in lines if line.startswith("usage behind it: allocated charges of GLOBEX")))
    header = lines[usage + 1]
    assert "source_file" in header and "source_row" in header
    first_row = lines[usage + 2]
    assert ".parquet" in first_row or ".csv" in first_row or ".json" in first_row  # the landing file of the usage
