"""Gates: the GX suites fail on the rows that break a rule, and finalization refuses a red period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from orchestration.defs.quality.batches import RECONCILIATION
from orchestration.defs.quality.checks import record_gate
from orchestration.defs.quality.gates import load_suite, run_suite
from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.invoicing.finalize import GatesNotPassed, finalize_period
from orchestration.settings import EXPECTATIONS_DIR

SEPTEMBER = date(2026, 9, 1)


def reconciliation_frame(differences: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": ["aws_cur", "azure_cost", "gcp_billing"][: len(differences)],
            "billing_account_id": ["111122223333", "74418329", "01A2B3"][: len(differences)],
            "currency": ["USD", "EUR", "USD"][: len(differences)],
            "difference": [Decimal(d) for d in differences],
            "status": ["balanced" if Decimal(d) == 0 else "out_of_balance" for d in differences],
        }
    )


def test_reconciliation_suite_passes_on_zero_differences() -> None:
    suite = load_suite(EXPECTATIONS_DIR / "fct_reconciliation.json")
    outcome = run_suite(suite, reconciliation_frame(["0E-10", "0", "0.0000000000"]), RECONCILIATION.key_columns)
    assert outcome.success, outcome.failures()


def test_reconciliation_suite_names_the_row_one_cent_off() -> None:
    suite = load_suite(EXPECTATIONS_DIR / "fct_reconciliation.json")
    outcome = run_suite(suite, reconciliation_frame(["0", "0.01", "0"]), RECONCILIATION.key_columns)
    failed = {f.expectation: f for f in outcome.failures()}
    assert set(failed) == {
        "expect_column_values_to_be_in_set(difference)",
        "expect_column_values_to_be_in_set(status)",
    }
    assert failed["expect_column_values_to_be_in_set(difference)"].failing_rows == 1
    assert "source=azure_cost, billing_account_id=74418329, currency=EUR, difference=0.01" in (
        failed["expect_column_values_to_be_in_set(difference)"].detail
    )


def test_empty_reconciliation_fails_the_row_count_expectation() -> None:
    suite = load_suite(EXPECTATIONS_DIR / "fct_reconciliation.json")
    outcome = run_suite(suite, reconciliation_frame([]), RECONCILIATION.key_columns)
    assert [f.expectation for f in outcome.failures()] == ["expect_table_row_count_to_be_between"]


@pytest.fixture
def warehouse_with_drafts() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_warehouse(con)
    con.execute("create schema intermediate")
    con.execute(
        """
        create table intermediate.int_invoices_drafted as
        select 'GLOBEX-2026-09-USD' as invoice_id, 'GLOBEX' as client_id, 'MSA-GLOBEX-2026' as contract_id,
               1 as contract_version, date '2026-09-01' as billing_period_start, 'USD' as currency,
               30 as payment_terms_days, 100.00::decimal(38,10) as subtotal, 0::decimal(38,10) as discount_total,
               0::decimal(38,10) as credit_total, 8.88::decimal(38,10) as tax_total, 108.88::decimal(38,10) as total
        """
    )
    con.execute(
        """
        create table intermediate.int_invoice_lines_drafted as
        select 'GLOBEX-2026-09-USD' as invoice_id, 1 as line_number, 'Compute at cost plus 12.5%' as description,
               'Compute' as service_category, 88.888889::decimal(38,10) as quantity, 'USD' as unit,
               1.125::decimal(38,10) as unit_price, 100.00::decimal(38,10) as amount, 'US-NY-STD' as tax_code,
               0.08875::decimal(38,10) as tax_rate, 8.88::decimal(38,10) as tax_amount, 'GLOBEX' as client_id,
               date '2026-09-01' as billing_period_start, 'USD' as currency,
               88.888889::decimal(38,10) as cost_basis, 12::bigint as charge_count
        """
    )
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.fct_cost_allocations as
        select date '2026-09-01' as billing_period_start, cc as cost_center_id, 'USD' as billing_currency,
               amount::decimal(38,10) as allocated_effective_cost, amount::decimal(38,10) as allocated_billed_cost
        from (values ('CC-9100', 50.5), ('CC-9100', 38.388889), ('UNALLOCATED', 1.25)) as t(cc, amount)
        """
    )
    yield con
    con.close()


def _gate(con: duckdb.DuckDBPyConnection, suite: str, frame: pd.DataFrame, keys: list[str]) -> None:
    record_gate(con, run_suite(load_suite(EXPECTATIONS_DIR / f"{suite}.json"), frame, keys), SEPTEMBER, "run-1")


def test_finalization_refuses_a_period_whose_gates_never_ran(warehouse_with_drafts) -> None:
    with pytest.raises(GatesNotPassed, match="fct_reconciliation: never evaluated for 2026-09"):
        finalize_period(warehouse_with_drafts, SEPTEMBER, issued_by="test")
    assert warehouse_with_drafts.execute("select count(*) from audit.issued_invoices").fetchone() == (0,)


def test_finalization_refuses_a_red_gate_and_names_it(warehouse_with_drafts) -> None:
    con = warehouse_with_drafts
    _gate(con, "fct_reconciliation", reconciliation_frame(["0", "0.01"]), RECONCILIATION.key_columns)
    totals = pd.DataFrame(
        {
            "invoice_id": ["GLOBEX-2026-09-USD"],
            "total": [Decimal("108.88")],
            "lines_total": [Decimal("108.88")],
            "difference": [Decimal("0")],
        }
    )
    _gate(con, "invoice_totals", totals, ["invoice_id"])
    with pytest.raises(GatesNotPassed, match=r"fct_reconciliation: expect_column_values_to_be_in_set\(difference\)"):
        finalize_period(con, SEPTEMBER, issued_by="test")
    assert con.execute("select count(*) from audit.issued_invoices").fetchone() == (0,)


def test_green_gates_issue_once_with_a_gapless_number(warehouse_with_drafts) -> None:
    con = warehouse_with_drafts
    _gate(con, "fct_reconciliation", reconciliation_frame(["0"]), RECONCILIATION.key_columns)
    totals = pd.DataFrame(
        {
            "invoice_id": ["GLOBEX-2026-09-USD"],
            "total": [Decimal("108.88")],
            "lines_total": [Decimal("108.88")],
            "difference": [Decimal("0")],
        }
    )
    _gate(con, "invoice_totals", totals, ["invoice_id"])
    first = finalize_period(con, SEPTEMBER, issued_by="test")
    again = finalize_period(con, SEPTEMBER, issued_by="test")
    assert len(first.issued) == 1 and first.issued[0][1].endswith("-000001")
    assert again.issued == [] and again.already_final == 1
    # The period's cost-center totals are frozen by the first close only.
    assert (first.allocations_frozen, again.allocations_frozen) == (2, 0)
    assert con.execute(
        "select cost_center_id, allocated_effective_cost, allocation_rows, closed_by from audit.closed_allocations "
        "order by 1"
    ).fetchall() == [("CC-9100", Decimal("88.888889"), 2, "test"), ("UNALLOCATED", Decimal("1.25"), 1, "test")]
    frozen = con.execute("select total, issued_by from audit.issued_invoices").fetchall()
    assert frozen == [(Decimal("108.88"), "test")]
    assert con.execute("select sum(amount + tax_amount) from audit.issued_invoice_lines").fetchone() == (
        Decimal("108.88"),
    )
