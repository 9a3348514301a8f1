"""`billing invoices list|show|finalize` on a warehouse with issued drafts: what a person reads, and refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.ingest.warehouse import ensure_warehouse
from tests.unit.invoice_drafts import add_drafts, draft, record_green_gates


def _billing(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BILLING_DATA_DIR": str(data_dir), "BILLING_USER": "fiona"}
    command = [str(Path(sys.executable).with_name("billing")), "invoices", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def _warehouse(data_dir: Path, *, green: bool) -> None:
    path = data_dir / "warehouse" / "billing.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        ensure_warehouse(con)
        add_drafts(
            con,
            [
                draft("GLOBEX", "LE-US", "USD", [("100.00", "8.88"), ("-10.00", "-0.89")]),
                draft("UMBRELLA", "LE-US", "JPY", [("15500", "0")]),
            ],
        )
        con.execute(
            "create table staging.stg_reference__currencies as select * from (values ('USD', 2), ('JPY', 0)) "
            "as t(currency_code, minor_units)"
        )
        con.execute(
            "create table marts.fct_cost_allocations as select date '2026-09-01' as billing_period_start, "
            "'CC-9100' as cost_center_id, 'GLOBEX' as client_id, 'A-1' as allocation_id, 'USD' as billing_currency, "
            "1.0::decimal(38,10) as allocated_effective_cost, 1.0::decimal(38,10) as allocated_billed_cost"
        )
        con.execute(
            "create table staging.stg_reference__contracts as select * from (values ('MSA-GLOBEX-2026', 'GLOBEX', 1), "
            "('MSA-UMBRELLA-2026', 'UMBRELLA', 1)) as t(contract_id, client_id, contract_version)"
        )
        # The marts as the invoice_marts step leaves them: issued documents, else the drafts.
        con.execute(
            """
            create view marts.fct_invoices as
            select invoice_id, document_type, invoice_number, legal_entity_id, client_id, contract_id,
                   contract_version, billing_period_start, invoice_date, currency, subtotal, discount_total,
                   credit_total, tax_total, total, line_count, 'finalized' as status, issued_at, due_date,
                   original_invoice_number, delivery_method, content_sha256, null as blocking_issues
            from audit.issued_invoices
            union all
            select invoice_id, document_type, null, legal_entity_id, client_id, contract_id, contract_version,
                   billing_period_start, invoice_date, currency, subtotal, discount_total, credit_total, tax_total,
                   total, line_count, 'draft', null, null, original_invoice_number, delivery_method, null,
                   blocking_issues
            from intermediate.int_invoices_drafted
            where invoice_id not in (select invoice_id from audit.issued_invoices)
            """
        )
        con.execute("create view marts.fct_invoice_lines as select * from intermediate.int_invoice_lines_drafted")
        if green:
            record_green_gates(con)


def test_finalize_refuses_a_period_whose_gates_never_ran(tmp_path: Path) -> None:
    _warehouse(tmp_path, green=False)
    result = _billing(tmp_path, "finalize", "--period", "2026-09")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "error: 2026-09 cannot be finalized: fct_reconciliation: never evaluated for 2026-09; invoice_totals: never "
        "evaluated for 2026-09; close the month again (`billing close --period 2026-09`) once the cause is fixed"
    )
    listed = _billing(tmp_path, "list")
    assert "GLOBEX-2026-09" in listed.stdout and "draft" in listed.stdout


def test_list_shows_each_issued_invoice_in_its_currency_and_show_verifies_its_hash(tmp_path: Path) -> None:
    _warehouse(tmp_path, green=True)
    # The fixture's draft lines carry no service periods: documents are rendered from what is there.
    finalized = _billing(tmp_path, "finalize", "--period", "2026-09", "--as", "fiona")
    assert finalized.returncode == 0, finalized.stderr
    assert "issued EBTS-INV-2026-000001 (invoice, GLOBEX)" in finalized.stdout
    listed = _billing(tmp_path, "list", "--period", "2026-09").stdout.splitlines()
    assert listed[1].split() == [
        "2026-09",
        "EBTS-INV-2026-000001",
        "invoice",
        "GLOBEX",
        "LE-US",
        "USD",
        "97.99",
        "finalized",
    ]
    assert listed[2].split()[-2:] == ["15,500", "finalized"]  # JPY: no decimals
    shown = _billing(tmp_path, "show", "EBTS-INV-2026-000001").stdout
    assert "(matches the frozen rows)" in shown and "total 97.99 USD" in shown
    missing = _billing(tmp_path, "show", "EBTS-INV-2026-999999")
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        "error: no invoice or note 'EBTS-INV-2026-999999'; `billing invoices list` shows them"
    )
