"""The ingest benchmark runs the production ingest on scaled real-format exports and reports what it measured."""

from __future__ import annotations

import json
from pathlib import Path

from orchestration.bench.ingest import render, run_ingest_benchmark, write_report


def test_the_ingest_benchmark_loads_every_row_of_each_format_and_reports_rows_per_second(tmp_path: Path) -> None:
    figures = run_ingest_benchmark(2_500, work_dir=tmp_path)

    assert [(figure.source, figure.file_format, figure.rows) for figure in figures] == [
        ("aws_cur", "parquet", 2_500),
        ("azure_cost", "csv", 2_500),
        ("focus", "csv", 2_500),
        ("gcp_billing", "jsonl", 2_500),
        ("aws_cur", "csv.gz", 2_500),
    ]
    report = json.loads(write_report(figures, tmp_path / "bench").read_text())
    assert set(report["ingest_rows_per_second"]) == {"parquet", "csv"}
    assert set(report["ingest_rows_per_second_by_source"]) == {
        "aws_cur",
        "azure_cost",
        "focus",
        "gcp_billing",
        "aws_cur_legacy_csv_gz",
    }
    assert all(value > 0 for value in report["ingest_rows_per_second_by_source"].values())
    assert report["peak_rss_bytes"] > 0
    assert "2,500" in render(figures)
