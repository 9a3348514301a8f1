"""`billing bench` at a small size: every step runs on the same generated files and the report holds its figures.

CI runs it only to prove the command works (README "Benchmarks"); it asserts what was measured exists and adds
up, never how fast anything was.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.billing_cli import in_process_billing

ROWS = 20_000


def test_the_bench_closes_a_scaled_month_measures_the_baselines_and_writes_bench_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "data"))
    billing = in_process_billing(monkeypatch, capsys)

    code, out, err = billing(
        "bench", "--rows", str(ROWS), "--months", "2", "--reclose-repeats", "2", "--tiny-recloses", "1"
    )

    assert code == 0, out + err
    report = json.loads((tmp_path / "data" / "output" / "bench" / "bench.json").read_text())
    assert report["rows"] == ROWS
    assert report["months"] == 2
    assert set(report["ingest_rows_per_second"]) == {"parquet", "csv"}
    assert [figure["rows"] for figure in report["ingest"]] == [ROWS * 6 // 10, ROWS * 4 // 10]
    # Beside each ingest, its ceiling: DuckDB copying the same file (the bench refuses a copy that read other rows).
    assert set(report["ingest_engine_copy_rows_per_second"]) == {"parquet", "csv"}
    assert all(figure["engine_copy_seconds"] > 0 for figure in report["ingest"])
    for key in ("close_seconds", "close_peak_rss_bytes", "floor_seconds", "pandas_seconds", "pandas_peak_rss_bytes"):
        assert report[key] > 0, key
    # The close's CPU time (dbt's process included), at most every core busy the whole time.
    assert 0 < report["close_cpu_seconds"] <= report["close_seconds"] * report["machine"]["cores"]
    assert report["pandas_completed"] is True
    # Like with like: the re-close among the months loaded against the same re-delivery and re-close of the month
    # alone.
    assert report["single_reclose_seconds"] > 0
    assert report["reclose_ratio"] == pytest.approx(
        report["reclose_seconds"] / report["single_reclose_seconds"], abs=0.01
    )
    # Each pair run back to back, twice here; the figures are the medians (of two: the lower).
    runs = report["reclose_runs"]
    assert len(runs) == 2
    assert report["single_reclose_seconds"] == min(run["single_reclose_seconds"] for run in runs)
    assert report["reclose_seconds"] == min(run["reclose_seconds"] for run in runs)
    for run in runs:
        assert run["ratio"] == pytest.approx(run["reclose_seconds"] / run["single_reclose_seconds"], abs=0.001)
    assert report["first_close_among_months_seconds"] > 0
    # The baselines read every line of the month (but the Savings Plan negations, which FOCUS drops) and agree to
    # the cent on every cost center's total.
    assert ROWS * 0.9 < report["floor_rows"] == report["pandas_rows"] < ROWS
    assert "baselines_disagree" not in report
    for label in (
        "close / floor",
        "pandas / close",
        "2 months loaded, first close",
        "2 months loaded, re-close",
        "one month loaded, re-close",
        "re-close among months / re-close alone",
        "close peak memory",
        "close CPU time (cores kept busy)",
        "DuckDB copying the Parquet file (rows/s)",
        "DuckDB copying the CSV file (rows/s)",
    ):
        assert label in out
    # The single-month warehouse holds the month once: every Azure line and the re-delivered AWS export's lines (its
    # first delivery superseded by the re-close of the month alone).
    warehouse = tmp_path / "data" / "bench" / "single" / "warehouse" / "billing.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (azure_rows, aws_single) = con.execute(
            "select (select count(*) from raw.azure_cost where _billing_period_start = $period), "
            "(select count(*) from raw.aws_cur where _billing_period_start = $period)",
            {"period": report["periods"][0]},
        ).fetchone()
        single_deliveries = con.execute(
            "select status from audit.ingested_files where source = 'aws_cur' order by loaded_at"
        ).fetchall()
    assert azure_rows == ROWS * 4 // 10
    assert single_deliveries == [("superseded",), ("superseded",), ("loaded",)]
    assert ROWS * 6 // 10 * 0.998 < aws_single < ROWS * 6 // 10
    # The history warehouse's first close built its incremental models for both months loaded; the re-close of
    # the first month replaced that month's rows, once.
    history = tmp_path / "data" / "bench" / "history" / "warehouse" / "billing.duckdb"
    with duckdb.connect(str(history), read_only=True) as con:
        per_month = con.execute(
            "select cast(x_BillingPeriodStartDate as varchar), count(*), count(distinct x_ChargeId)"
            " from marts.focus_cost_and_usage group by all order by all"
        ).fetchall()
        # Before the re-close the first month's AWS export was re-delivered with about one line in a thousand withdrawn:
        # the re-close loaded it in place of the first delivery.
        deliveries = con.execute(
            "select status, row_count from audit.ingested_files where source = 'aws_cur' "
            "and billing_period_start = $period order by loaded_at",
            {"period": report["periods"][0]},
        ).fetchall()
        (aws_rows,) = con.execute(
            "select count(*) from raw.aws_cur where _billing_period_start = $period", {"period": report["periods"][0]}
        ).fetchone()
    aws_generated = ROWS * 6 // 10
    assert [status for status, _ in deliveries] == ["superseded", "superseded", "loaded"]
    assert deliveries[0][1] == aws_generated
    assert all(aws_generated * 0.998 < rows < aws_generated for _, rows in deliveries[1:])
    assert aws_rows == deliveries[2][1]
    assert [month for month, _, _ in per_month] == report["periods"]
    assert all(rows == charges > ROWS * 0.9 for _, rows, charges in per_month)
    # The re-close published only what changed: the other month's partitions came from the previous release.
    release = tmp_path / "data" / "bench" / "history" / "published" / "current" / "manifest.json"
    reuse = json.loads(release.read_text())["reuse"]
    assert reuse["parquet_partitions_linked"] > 0 and reuse["extract_periods_replaced"] > 0
    # The second re-close's release brought the DuckDB files of the release it removed up to date, not a copy of all.
    assert reuse["extract_files_recycled"] > 0
    # The fixed overhead: the demo's own last month closed in a data directory of its own, then closed again
    # unchanged; the figure names the month and counts its cost lines as the ingest loaded them.
    tiny = report["tiny_month"]
    assert tiny["period"] == "2026-10-01"
    assert tiny["first_close_seconds"] > 0
    assert tiny["reclose_runs_seconds"] == [tiny["reclose_seconds"]]
    tiny_warehouse = tmp_path / "data" / "bench" / "tiny" / "warehouse" / "billing.duckdb"
    with duckdb.connect(str(tiny_warehouse), read_only=True) as con:
        (loaded_rows,) = con.execute(
            "select sum(row_count) from audit.ingested_files where status = 'loaded' and billing_period_start = $period"
            " and source <> 'sla'",
            {"period": tiny["period"]},
        ).fetchone()
    assert tiny["rows"] == loaded_rows > 1_000
    assert f"tiny month (2026-10, {loaded_rows:,} cost lines), re-close" in out
