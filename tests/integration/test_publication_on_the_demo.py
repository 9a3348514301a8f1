"""Every green close of the demo publishes the marts: a finance copy equal to the warehouse, Parquet by period, and
scoped extracts in which a department viewer reads only its department's rows and no viewer reads margins."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.reader import open_for_user
from orchestration.settings import SEEDS_DIR
from orchestration.transparency.explain import explain_invoice_line
from tests.billing_cli import in_process_billing
from tests.integration.conftest import ClosedDemo

MARGIN_COLUMNS = {"margin", "margin_percent"}


def marts(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute("select table_name, column_name from information_schema.columns where table_schema = 'marts'")
    found: dict[str, set[str]] = {}
    for table, column in rows.fetchall():
        found.setdefault(table, set()).add(column)
    return found


def department_cost_centers(department: str) -> set[str]:
    with (SEEDS_DIR / "cost_centers.csv").open(newline="", encoding="utf-8") as handle:
        return {row["cost_center_id"] for row in csv.DictReader(handle) if row["department_id"] == department}


def test_the_finance_copy_equals_the_warehouse_and_parquet_sums_by_period(closed_demo: ClosedDemo) -> None:
    published = closed_demo.settings.published_dir
    fiona = open_for_user(published, SEEDS_DIR, "fiona")
    assert fiona.manifest["billing_period"] == "2026-10"  # the last close published last
    with duckdb.connect(str(closed_demo.settings.warehouse_path), read_only=True) as live:
        live_marts = marts(live)
        assert set(marts(fiona.con)) == set(live_marts)
        for table in live_marts:
            expected = live.execute(f"select count(*) from marts.{table}").fetchone()
            assert fiona.con.execute(f"select count(*) from marts.{table}").fetchone() == expected, table
        amounts = dict(
            live.execute(
                "select billing_period_start, sum(amount) from marts.fct_chargeback_lines group by 1"
            ).fetchall()
        )
    assert len(amounts) == 3
    for period, amount in amounts.items():
        folder = fiona.release / "parquet" / "fct_chargeback_lines" / f"billing_period_start={period}"
        total = duckdb.connect().execute(f"select sum(amount) from read_parquet('{folder}/*.parquet')").fetchone()[0]
        assert Decimal(total) == amount, period
    fiona.close()


def test_a_department_viewer_reads_only_its_department_and_no_margins(closed_demo: ClosedDemo) -> None:
    published = closed_demo.settings.published_dir
    dora = open_for_user(published, SEEDS_DIR, "dora")
    own_centers = department_cost_centers("D-ITOPS")
    seen = marts(dora.con)
    assert "fct_chargeback_lines" in seen and "fct_invoices" not in seen and "fct_client_margins" not in seen
    lines = dora.con.execute("select count(*), count(distinct department_id) from marts.fct_chargeback_lines")
    count, departments = lines.fetchone()
    assert count > 0 and departments == 1
    for table, columns in seen.items():
        assert not MARGIN_COLUMNS & columns, table
        if "department_id" in columns:
            values = {r[0] for r in dora.con.execute(f"select distinct department_id from marts.{table}").fetchall()}
            assert values <= {"D-ITOPS"}, (table, values)
        for column in ("cost_center_id", "x_CostCenterId"):
            if column in columns:
                centers = {r[0] for r in dora.con.execute(f'select distinct "{column}" from marts.{table}').fetchall()}
                assert centers <= own_centers, (table, centers - own_centers)
        if "client_id" in columns:
            clients = {r[0] for r in dora.con.execute(f"select distinct client_id from marts.{table}").fetchall()}
            assert clients <= {None}, (table, clients)
    with duckdb.connect(str(closed_demo.settings.warehouse_path), read_only=True) as live:
        everyone = live.execute("select count(*) from marts.fct_chargeback_lines").fetchone()[0]
        own = live.execute(
            "select count(*) from marts.fct_chargeback_lines where department_id = 'D-ITOPS'"
        ).fetchone()[0]
    assert count == own < everyone
    dora.close()


def test_a_client_viewer_reads_only_its_invoices_and_no_internal_cost(closed_demo: ClosedDemo) -> None:
    cleo = open_for_user(closed_demo.settings.published_dir, SEEDS_DIR, "cleo")
    seen = marts(cleo.con)
    assert "fct_invoices" in seen
    assert not {"fct_cost_allocations", "focus_cost_and_usage", "fct_chargeback_lines", "fct_client_margins"} & set(
        seen
    )
    for table, columns in seen.items():
        assert not MARGIN_COLUMNS & columns, table
        if "client_id" in columns:
            values = {r[0] for r in cleo.con.execute(f"select distinct client_id from marts.{table}").fetchall()}
            assert values <= {"GLOBEX"}, (table, values)
    numbers = [r[0] for r in cleo.con.execute("select distinct client_id from marts.fct_invoices").fetchall()]
    assert numbers == ["GLOBEX"]
    # The drill-down works on the client's extract, down to the source rows, without the internal cost of a piece.
    assert not {"piece_cost", "share_ratio", "allocation_rule_id"} & seen["fct_invoice_line_lineage"]
    number = cleo.con.execute(
        "select min(invoice_number) from marts.fct_invoices where invoice_number is not null"
    ).fetchone()[0]
    explanation = explain_invoice_line(cleo.con, number, 1)
    pieces = explanation.steps[-1]
    assert pieces.rows and "source" in pieces.columns
    assert all(row[pieces.columns.index("cost")] is None for row in pieces.rows)
    cleo.close()


def test_billing_publish_republishes_without_a_close(
    closed_demo: ClosedDemo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    (data / "warehouse").mkdir(parents=True)
    shutil.copyfile(closed_demo.settings.warehouse_path, data / "warehouse" / "billing.duckdb")
    monkeypatch.setenv("BILLING_DATA_DIR", str(data))

    billing = in_process_billing(monkeypatch, capsys)
    code, out, _ = billing("publish")
    assert code == 0 and "published release" in out and "department-D-ITOPS" in out
    assert (data / "published" / "current" / "scopes" / "client-GLOBEX" / "billing.duckdb").exists()
    (data / "warehouse" / "billing.duckdb").unlink()
    code, _, err = billing("publish")
    assert code == 1 and err.startswith("error: no warehouse at") and len(err.splitlines()) == 1
