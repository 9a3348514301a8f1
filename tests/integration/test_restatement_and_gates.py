"""A re-delivery after a month was closed, and a close stopped by a red gate — through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.demo import write_aws_restatement, write_demo_landing_zone
from tests.integration.conftest import ClosedDemo, use_data_dir

SEPTEMBER = date(2026, 9, 1)
AUGUST = date(2026, 8, 1)


def aws_totals(demo: ClosedDemo, period: date) -> list[tuple]:
    return demo.query(
        """
        select source_billed_total, source_amortized_total, normalized_billed_total, normalized_effective_total,
               allocated_total, status
        from marts.fct_reconciliation where source = 'aws_cur' and billing_period_start = ?
        """,
        [period],
    )


def deliver_in_parts(restated: Path, parts: int = 2) -> list[Path]:
    """The re-delivery as AWS Data Exports writes a larger one: its rows in `parts` files beside each other and a
    manifest listing their S3 URIs under the export's metadata folder (orchestration/ingest/deliveries.py)."""
    table = pq.read_table(restated)
    delivered = restated.stat().st_mtime
    size = -(-table.num_rows // parts)
    written = []
    for number in range(1, parts + 1):
        path = restated.with_name(restated.name.replace("-00001.", f"-{number:05d}."))
        pq.write_table(table.slice((number - 1) * size, size), path)
        os.utime(path, (delivered, delivered))
        written.append(path)
    export_folder = restated.parents[3]  # aws_cur/<export>/data/BILLING_PERIOD=<month>/<execution>/<part>
    metadata = export_folder / "metadata" / restated.parent.parent.name / restated.parent.name
    manifest = metadata / f"{export_folder.name}-Manifest.json"
    manifest.parent.mkdir(parents=True)
    listed = [f"s3://billing-exports/{p.relative_to(export_folder.parent).as_posix()}" for p in written]
    manifest.write_text(json.dumps({"executionId": restated.parent.name, "dataFiles": listed}), encoding="utf-8")
    os.utime(manifest, (delivered + 1, delivered + 1))
    return written


@pytest.mark.parametrize("in_parts", [False, True], ids=["one-file", "parts-with-manifest"])
def test_redelivery_after_close_replaces_rows_but_never_the_issued_invoice(tmp_path: Path, in_parts: bool) -> None:
    truth_with_restatement = write_demo_landing_zone(tmp_path / "truth", include_restatement=True).totals
    settings = use_data_dir(tmp_path / "data")
    demo = ClosedDemo(settings, write_demo_landing_zone(settings.landing_dir, include_restatement=False))
    assert demo.close(SEPTEMBER).success
    key = ("aws_cur", "2026-09-01", "111122223333", "USD")
    before = demo.manifest.totals[key]
    assert aws_totals(demo, SEPTEMBER) == [
        (before.billed, before.amortized, before.billed, before.amortized, before.amortized, "balanced")
    ]
    invoices_sql = "select * from marts.fct_invoices where billing_period_start = ? and document_type = 'invoice'"
    invoice_before = demo.query(invoices_sql, [SEPTEMBER])
    original_file = demo.query("select path from audit.ingested_files where source = 'aws_cur'")[0][0]

    restated = write_aws_restatement(settings.landing_dir)
    parts = deliver_in_parts(restated) if in_parts else [restated]
    assert demo.close(SEPTEMBER).success

    after = truth_with_restatement[key]
    assert after.billed != before.billed
    assert aws_totals(demo, SEPTEMBER) == [
        (after.billed, after.amortized, after.billed, after.amortized, after.amortized, "balanced")
    ]
    assert demo.query(
        "select path, status from audit.ingested_files where source = 'aws_cur' order by loaded_at, path"
    ) == [(original_file, "superseded")] + [(p.relative_to(settings.landing_dir).as_posix(), "loaded") for p in parts]
    assert demo.query("select count(*) from marts.focus_cost_and_usage where x_SourceFile = ?", [original_file]) == [
        (0,)
    ]
    # Finalized invoices never change: the re-delivery corrected data transfer of GLOBEX's managed-services
    # account too, and the difference is a debit note against GLOBEX's September invoice.
    assert demo.query(invoices_sql, [SEPTEMBER]) == invoice_before
    assert {row[16] for row in invoice_before} == {"finalized"}  # status
    notes = demo.query(
        """
        select document_type, client_id, original_invoice_number, total from marts.fct_invoices
        where billing_period_start = ? and document_type <> 'invoice'
        """,
        [SEPTEMBER],
    )
    globex_before = next(row for row in invoice_before if row[4] == "GLOBEX")
    redrafted = demo.query(
        "select sum(amount + tax_amount) from intermediate.int_invoice_lines_converted where invoice_id = ?",
        ["GLOBEX-2026-09"],
    )[0][0]
    assert notes == [("debit_note", "GLOBEX", globex_before[2], redrafted - globex_before[14])]


def write_foreign_payer_cur(landing: Path, name: str, rows: list[tuple[str, float]]) -> Path:
    """A CUR 2.0 file of a second payer for 2026-08 with the given (line item type, unblended cost) rows."""
    n = len(rows)
    table = pa.table(
        {
            "bill_billing_period_start_date": pa.array([datetime(2026, 8, 1)] * n, pa.timestamp("ms")),
            "bill_billing_period_end_date": pa.array([datetime(2026, 9, 1)] * n, pa.timestamp("ms")),
            "bill_payer_account_id": ["999988887777"] * n,
            "line_item_usage_account_id": ["999988887777"] * n,
            "line_item_line_item_type": [kind for kind, _ in rows],
            "line_item_usage_start_date": pa.array([datetime(2026, 8, 5)] * n, pa.timestamp("ms")),
            "line_item_usage_end_date": pa.array([datetime(2026, 8, 6)] * n, pa.timestamp("ms")),
            "line_item_product_code": ["AmazonEC2"] * n,
            "line_item_unblended_cost": pa.array([cost for _, cost in rows], pa.float64()),
            "line_item_currency_code": ["USD"] * n,
            "savings_plan_savings_plan_effective_cost": pa.array(
                [3.0 if kind == "SavingsPlanCoveredUsage" else None for kind, _ in rows], pa.float64()
            ),
        }
    )
    path = landing / "aws_cur" / "second-payer" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def billing(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BILLING_DATA_DIR": str(data_dir)}
    command = [str(Path(sys.executable).with_name("billing")), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)


@pytest.mark.parametrize("period", ["2026-13", "last month"])
def test_close_refuses_a_malformed_period_in_one_line(tmp_path: Path, period: str) -> None:
    result = billing(tmp_path, "close", "--period", period)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"error: --period {period!r} is not a billing month; write it as YYYY-MM, e.g. 2026-10"
    ]


def test_close_refuses_a_month_that_has_not_ended(tmp_path: Path) -> None:
    result = billing(tmp_path, "close", "--period", "2099-01")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("error: 2099-01 cannot be closed: closable months are 2015-01 to ")
    )


def test_a_2018_month_closes_through_the_gates_and_says_why_nothing_was_invoiced(tmp_path: Path) -> None:
    # The only public 2018-06 export (koku's test CUR) has one field fewer on every row than its header: it is
    # refused, never read misaligned, and the close of that old month says plainly that nothing was loaded.
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "third_party" / "koku" / "aws" / "test_cur.csv"
    landed = tmp_path / "data" / "landing" / "aws_cur" / "koku" / "test_cur.csv"
    landed.parent.mkdir(parents=True)
    landed.write_bytes(sample.read_bytes())

    result = billing(tmp_path / "data", "close", "--period", "2018-06")

    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert (
        "quarantined aws_cur/koku/test_cur.csv: row 1 has 130 fields but the header has 131 "
        "(truncated or malformed file)"
    ) in result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        "error: close of 2018-06 stopped: no provider delivery for 2018-06 was loaded (1 file(s) quarantined, "
        "listed above); land this month's exports and close it again; invoices were not finalized"
    )
    assert (tmp_path / "data" / "quarantine" / "aws_cur" / "koku" / "test_cur.csv").exists()


def test_red_gate_stops_invoices_and_names_the_row_then_a_corrected_delivery_closes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = use_data_dir(data)
    demo = ClosedDemo(settings, write_demo_landing_zone(settings.landing_dir, include_restatement=False))
    # A negation without the covered usage it cancels: the provider's billed total no longer reconciles.
    write_foreign_payer_cur(settings.landing_dir, "2026-08-a.parquet", [("SavingsPlanNegation", -5.25)])

    result = billing(data, "close", "--period", "2026-08")

    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(
        "error: close of 2026-08 stopped: gate fct_reconciliation failed "
        "expect_column_values_to_be_in_set(difference) on 1 row(s): "
        "[source=aws_cur, billing_account_id=999988887777, currency=USD, difference=5.25"
    ), last_line
    assert last_line.endswith("; invoices were not finalized")
    assert "gate fct_reconciliation: expect_column_values_to_be_in_set(difference): FAIL" in result.stdout
    assert demo.query("select count(*) from audit.issued_invoices") == [(0,)]
    # The draft exists for review; nothing was issued, so the invoice marts were not refreshed either.
    assert demo.query("select client_id from intermediate.int_invoices_drafted order by 1") == [
        ("GLOBEX",),
        ("INITECH",),
        ("UMBRELLA",),
    ]

    # The provider re-delivers the month with the covered usage; the second delivery supersedes the first.
    write_foreign_payer_cur(
        settings.landing_dir, "2026-08-b.parquet", [("SavingsPlanCoveredUsage", 5.25), ("SavingsPlanNegation", -5.25)]
    )
    future = datetime(2030, 1, 1).timestamp()
    os.utime(settings.landing_dir / "aws_cur" / "second-payer" / "2026-08-b.parquet", (future, future))
    assert demo.close(AUGUST).success, demo.outcomes[AUGUST].failures
    assert demo.query(
        "select invoice_number, status from marts.fct_invoices where billing_period_start = ? order by 1", [AUGUST]
    ) == [
        ("EBTG-INV-2026-000001", "finalized"),
        ("EBTS-INV-2026-000001", "finalized"),
        ("EBTS-INV-2026-000002", "finalized"),
    ]
    assert demo.query(
        "select status from audit.ingested_files where path like 'aws_cur/second-payer/%' order by path"
    ) == [("superseded",), ("loaded",)]
