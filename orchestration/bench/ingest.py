"""Ingest throughput: rows per second from a Parquet export (AWS CUR 2.0), a CSV export (Azure cost details), a
FOCUS 1.2 CSV (a SaaS provider's), a GCP billing export in JSON lines and a legacy AWS CUR as AWS delivers it
(gzip CSV, `lineItem/…` headers, a column per resource tag).

The exports are the demo's own October files, repeated row by row up to the requested size, so the parsers
see real-format data of realistic width (AWS ~80 columns incl. map columns, Azure ~60, FOCUS 59, GCP ~40 fields with
nested records and label arrays). Each is ingested by
the production path (`ingest_source`: parse, check, write raw rows with lineage, record the file) into a fresh
warehouse. The figures are reported, never asserted: speed depends on the machine.
"""

from __future__ import annotations

import json
import platform
import resource
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.demo import aws_cur, azure_cost, focus, gcp_billing
from orchestration.demo.periods import DEMO_PERIODS
from orchestration.ingest.landing import ingest_source

LEGACY_CUR = "aws_cur_legacy_csv_gz"


@dataclass
class IngestFigure:
    source: str
    file_format: str
    rows: int
    file_bytes: int
    seconds: float
    # The key in `ingest_rows_per_second_by_source`: the source, or what tells a second export of it apart.
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.source

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def _scaled_parquet(sample: Path, rows: int, target: Path) -> None:
    table = pq.read_table(sample)
    repeats = -(-rows // table.num_rows)
    scaled = pa.concat_tables([table] * repeats).slice(0, rows)
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(scaled, target, compression="snappy")


def _scaled_lines(sample: Path, rows: int, target: Path, header: bool = True) -> None:
    """A text export's lines repeated to `rows` data lines (after its header line, when it has one)."""
    lines = sample.read_bytes().splitlines(keepends=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        if header:
            out.write(lines.pop(0))
        for index in range(rows):
            out.write(lines[index % len(lines)])


def _ingest(work: Path, source: str, file_format: str, relative: str, label: str = "") -> IngestFigure:
    landing = work / "landing" / (label or source)
    path = landing / relative
    con = duckdb.connect(str(work / f"{label or source}.duckdb"))
    try:
        started = time.perf_counter()
        report = ingest_source(con, source, landing, work / "quarantine")
        seconds = time.perf_counter() - started
    finally:
        con.close()
    if report.count("loaded") != 1:
        raise RuntimeError(f"benchmark file {relative} was not loaded: {report.outcomes}")
    return IngestFigure(source, file_format, report.rows_loaded, path.stat().st_size, seconds, label)


def run_ingest_benchmark(rows: int, work_dir: Path | None = None) -> list[IngestFigure]:
    """Write scaled exports of `rows` rows per format and time their ingest."""
    with tempfile.TemporaryDirectory(dir=work_dir) as scratch:
        work = Path(scratch)
        samples = work / "samples"
        october = DEMO_PERIODS[-1]
        aws_sample = aws_cur.write_month(samples, 2026, october).path
        azure_sample = azure_cost.write_month(samples, 2026, october).path
        focus_sample = focus.write_month(samples, 2026, october).path
        gcp_sample = gcp_billing.write_month(samples, 2026, october).path
        landing = work / "landing"
        cur = landing / "aws_cur" / "aws_cur" / "bench" / "cur2-00001.snappy.parquet"
        _scaled_parquet(aws_sample, rows, cur)
        legacy = "aws_cur/bench/20261001-20261101/legacy-00001.csv.gz"
        aws_cur.write_legacy_csv_gz(cur, landing / LEGACY_CUR / legacy)
        _scaled_lines(azure_sample, rows, landing / "azure_cost" / "azure_cost" / "bench" / "part_0_0001.csv")
        _scaled_lines(focus_sample, rows, landing / "focus" / "focus" / "bench" / "focus-cost-and-usage-0001.csv")
        _scaled_lines(gcp_sample, rows, landing / "gcp_billing" / "gcp_billing" / "bench" / "export.jsonl", False)
        return [
            _ingest(work, "aws_cur", "parquet", "aws_cur/bench/cur2-00001.snappy.parquet"),
            _ingest(work, "azure_cost", "csv", "azure_cost/bench/part_0_0001.csv"),
            _ingest(work, "focus", "csv", "focus/bench/focus-cost-and-usage-0001.csv"),
            _ingest(work, "gcp_billing", "jsonl", "gcp_billing/bench/export.jsonl"),
            _ingest(work, "aws_cur", "csv.gz", legacy, LEGACY_CUR),
        ]


def render(figures: list[IngestFigure]) -> str:
    lines = [f"{'source':<21} {'format':<8} {'rows':>11} {'MB':>8} {'seconds':>8} {'rows/s':>10}"]
    for figure in figures:
        lines.append(
            f"{figure.label:<21} {figure.file_format:<8} {figure.rows:>11,} {figure.file_bytes / 1e6:>8.1f} "
            f"{figure.seconds:>8.2f} {figure.rows_per_second:>10,.0f}"
        )
    return "\n".join(lines)


def write_report(figures: list[IngestFigure], output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / "ingest.json"
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        # Per format, from the providers' own exports (AWS Parquet, Azure CSV), as `billing bench` reports it.
        "ingest_rows_per_second": {
            figure.file_format: round(figure.rows_per_second)
            for figure in figures
            if figure.label in (aws_cur.SOURCE, azure_cost.SOURCE)
        },
        "ingest_rows_per_second_by_source": {figure.label: round(figure.rows_per_second) for figure in figures},
        "figures": [asdict(figure) | {"rows_per_second": round(figure.rows_per_second)} for figure in figures],
    }
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path
