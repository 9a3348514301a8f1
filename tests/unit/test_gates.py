"""Gates: the GX suites fail on the rows that break a rule, and finalization refuses a red period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import dagster as dg
import duckdb
import pandas as pd
import pytest

from orchestration.defs.quality.batches import RECONCILIATION
from orchestration.defs.quality.checks import INVOICE_TOTALS_GATE, record_gate
from orchestration.defs.quality.gates import load_suite, run_suite
from orchestration.defs.transform.dbt import run_evaluates_gates
from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.invoicing.finalize import GatesNotPassed, finalize_period
from orchestration.settings import EXPECTATIONS_DIR
from tests.unit.invoice_drafts import add_drafts, draft

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
    add_drafts(con, [draft("GLOBEX", "LE-US", "USD", [("100.00", "8.88")])])
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
            "invoice_id": ["GLOBEX-2026-09"],
            "total": [Decimal("108.88")],
            "lines_total": [Decimal("108.88")],
            "difference": [Decimal("0")],
        }
    )
    _gate(con, "invoice_totals", totals, ["invoice_id"])
    with pytest.raises(GatesNotPassed, match=r"fct_reconciliation: expect_column_values_to_be_in_set\(difference\)"):
        finalize_period(con, SEPTEMBER, issued_by="test")
    assert con.execute("select count(*) from audit.issued_invoices").fetchone() == (0,)


def test_a_close_imports_great_expectations_while_dbt_starts_only_when_a_gate_follows() -> None:
    """The first dbt step imports GX for the gates after it (off the close's path) when the run evaluates one: a run
    naming no checks runs all of its job's, a run naming only dbt's data tests none."""

    def run_naming(checks: frozenset[dg.AssetCheckKey] | None) -> bool:
        return run_evaluates_gates(SimpleNamespace(run=SimpleNamespace(asset_check_selection=checks)))  # type: ignore[arg-type]

    data_test = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_invoices"]), "unique_fct_invoices_invoice_id")
    assert run_naming(None)
    assert run_naming(frozenset({data_test, INVOICE_TOTALS_GATE}))
    assert not run_naming(frozenset({data_test}))
    assert not run_naming(frozenset())
