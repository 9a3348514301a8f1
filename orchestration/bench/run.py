"""`make bench`: one run on the same generated files, figures reported, nothing asserted.

1. Generate BENCH_MONTHS months of BENCH_ROWS cost lines each (orchestration/demo/scale.py).
2. Ingest rows per second per format: the first month's AWS CUR Parquet and Azure CSV, each into a fresh warehouse
   through the production ingest (`ingest_source`); beside each, the ingest's ceiling: DuckDB copying the same file
   into a table with nothing else (`ingest_engine_copy_rows_per_second`).
3. The whole close of the first month, alone in its warehouse: `billing close` in a child process (ingest ->
   FOCUS -> allocation -> chargeback -> invoices -> gates -> publish), wall time and the peak resident memory of
   its whole process tree.
4. Re-closing one month among many: every month ingested into a second warehouse and the first month closed; then
   its AWS export re-delivered (about one usage line in a thousand withdrawn, as a corrected export would) and the
   month closed again. The re-delivery makes the re-close do what a real one does: ingest the month again and change
   its marts (so the publication cannot take the month from the previous release). The same re-delivery and re-close
   in the single-month warehouse, run just before, give `single_reclose_seconds`, and `reclose_ratio` = the re-close
   among many / that re-close of the month alone: like with like. The pair is run BENCH_RECLOSES times (default 3),
   each with other lines withdrawn, and the medians reported (every pair under `reclose_runs`): the same re-close
   varies by a third from one run to the next on a shared machine. A data directory's first close
   (`close_seconds`) also does one-time work (dbt parses the project in full, the reference data is built), which a
   re-close does not.
5. The two baselines on the first month's files: the engine floor (one DuckDB SQL script) and the naive pandas peer.

Everything is written under BENCH_DIR (default data/bench/), which each run starts afresh; the report goes to
data/output/bench/bench.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from orchestration.bench.memory import Measured, run_measured
from orchestration.resources import WarehouseResource
from orchestration.settings import Settings

GIB = 1024**3


class BenchError(Exception):
    """A bench step that could not run; the message says which and why."""


@dataclass(frozen=True)
class BenchConfig:
    rows: int
    months: int
    bench_dir: Path
    output_dir: Path
    # The pandas peer gets the memory a close is held to (its RLIMIT_AS); None = unlimited.
    pandas_memory_limit_bytes: int | None = 8 * GIB
    # Percent of copied cost lines whose amounts differ from their template's even split (orchestration/demo/scale.py).
    amount_variety: int = 0
    # Re-closes of the month alone and among the months, each a different correction of its AWS export.
    reclose_repeats: int = 3


def _machine() -> dict[str, Any]:
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": memory,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def _warehouse(settings: Settings, path: Path, temp_dir: Path) -> WarehouseResource:
    """A connection bounded like the close's own (memory limit, threads, spill directory)."""
    return WarehouseResource(
        path=str(path),
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
        temp_directory=str(temp_dir),
    )


def _link_month(exports: Path, landing: Path, periods: Sequence[date]) -> int:
    """Hard-link the delivered files of `periods` (their paths name the month) into a landing zone."""
    labels = [f"{p:%Y-%m}" for p in periods]
    linked = 0
    for path in sorted(p for p in exports.rglob("*") if p.is_file()):
        relative = path.relative_to(exports)
        if not any(label in relative.as_posix() for label in labels):
            continue
        _link_or_copy(path, landing / relative)
        linked += 1
    return linked


REDELIVERY_WITHDRAWS_ONE_LINE_IN = 1000


def _redeliver(settings: Settings, exports: Path, file: Any, correction: int = 1) -> Path:
    """A corrected AWS export of `file`'s month in the landing zone, delivered after it (a new assembly folder, a
    later modification time): the same lines but one in REDELIVERY_WITHDRAWS_ONE_LINE_IN withdrawn, among plain usage
    lines only (withdrawing half of a Savings Plan pair would make an export the reconciliation rightly refuses). It
    supersedes the deliveries before it when the month is closed again. Each `correction` withdraws other lines, so
    every re-close changes the month's marts (none can be taken unchanged from the previous release)."""
    delivered = settings.landing_dir / file.path.relative_to(exports)
    suffix = "-redelivered" if correction == 1 else f"-redelivered-{correction}"
    target = delivered.parent.with_name(f"{delivered.parent.name}{suffix}") / delivered.name
    target.parent.mkdir(parents=True, exist_ok=True)
    target_literal = "'" + str(target).replace("'", "''") + "'"
    with duckdb.connect() as con:
        con.execute(
            "copy (select * exclude (file_row_number) from read_parquet($source, file_row_number = true) "
            "where not (line_item_line_item_type = 'Usage' "
            f"and file_row_number % {REDELIVERY_WITHDRAWS_ONE_LINE_IN} = {correction - 1}) "
            "order by file_row_number) "
            f"to {target_literal} (format parquet, compression snappy)",
            {"source": str(file.path)},
        )
    return target


def _median(runs: Sequence[Measured]) -> Measured | None:
    """The run of median time (the lower of the middle two of an even number): a real run, its memory with it."""
    ordered = sorted(runs, key=lambda m: m.seconds)
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def _data_dir(settings: Settings, data_dir: Path) -> Settings:
    from orchestration.demo.rate_card_sign_off import publish_demo_rate_card

    scoped = replace(settings, data_dir=data_dir)
    publish_demo_rate_card(scoped)
    return scoped


def _close(settings: Settings, period: date, what: str, progress: Callable[[str], None]) -> Measured:
    env = {
        **os.environ,
        "BILLING_DATA_DIR": str(settings.data_dir),
        "BILLING_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "BILLING_DUCKDB_THREADS": str(settings.duckdb_threads),
        "BILLING_DUCKDB_TEMP_DIR": str(settings.duckdb_temp_dir),
        "BILLING_DBT_THREADS": str(settings.dbt_threads),
    }
    billing = Path(sys.executable).with_name("billing")
    command = [str(billing)] if billing.exists() else [sys.executable, "-m", "orchestration.cli"]
    progress(f"{what}: billing close --period {period:%Y-%m}")
    measured = run_measured([*command, "close", "--period", f"{period:%Y-%m}"], env=env)
    # What the close printed (its steps with their times, the summary) stays beside its data for reading.
    log = settings.data_dir / "logs" / f"bench-{what.replace(',', '').replace(' ', '-')}.txt"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(measured.output, encoding="utf-8")
    if measured.returncode != 0:
        tail = " | ".join(line for line in measured.output.strip().splitlines()[-3:])
        raise BenchError(f"{what}: billing close --period {period:%Y-%m} failed ({tail}); see {settings.data_dir}")
    progress(
        f"{what}: {measured.seconds:,.1f} s, peak {measured.peak_rss_bytes / GIB:.2f} GiB, "
        f"CPU {measured.cpu_seconds:,.1f} s"
    )
    return measured


def _ingest_all(settings: Settings, progress: Callable[[str], None]) -> int:
    """Load every delivered month into the warehouse, as the closes of those months would have."""
    from orchestration.ingest.landing import ingest_source
    from orchestration.retention.pseudonymize import build_pseudonymizer
    from orchestration.sources import FORMATS

    pseudonymizer = build_pseudonymizer(settings.seeds_dir, settings.pseudonym_key, settings.pseudonym_key_file)
    rows = 0
    with _warehouse(settings, settings.warehouse_path, settings.duckdb_temp_dir).connect() as con:
        for source in FORMATS:
            report = ingest_source(
                con, source, settings.landing_dir, settings.quarantine_dir, pseudonymizer=pseudonymizer
            )
            refused = [o for o in report.outcomes if o.status == "quarantined"]
            if refused:
                raise BenchError(f"history ingest refused {refused[0].path}: {refused[0].detail}")
            rows += report.rows_loaded
    progress(f"history: {rows:,} rows of every month loaded")
    return rows


def _ingest_figure(settings: Settings, files: Sequence[Any], work: Path) -> dict[str, Any]:
    """Rows per second of one delivery (a file, or an Azure run's parts with the manifest.json beside them) through
    the production ingest, into a fresh warehouse."""
    from orchestration.ingest.landing import ingest_source

    landing = work / "landing"
    first = files[0]
    folder = landing / first.source / "bench"
    for file in files:
        _link_or_copy(file.path, folder / file.path.name)
    if (run_manifest := first.path.parent / "manifest.json").exists():
        _link_or_copy(run_manifest, folder / run_manifest.name)
    with _warehouse(settings, work / "ingest.duckdb", work / "tmp").connect() as con:
        started = time.perf_counter()
        report = ingest_source(con, first.source, landing, work / "quarantine")
        seconds = time.perf_counter() - started
    if report.count("loaded") != len(files):
        raise BenchError(f"ingest of {first.path.name} did not load: {[o.detail for o in report.outcomes]}")
    copied_rows, copy_seconds = _engine_copy(settings, files, work)
    if copied_rows != report.rows_loaded:
        raise BenchError(
            f"{first.path.name}: the ingest loaded {report.rows_loaded:,} rows but DuckDB read {copied_rows:,} from it"
        )
    return {
        "source": first.source,
        "format": first.file_format,
        "files": len(files),
        "rows": report.rows_loaded,
        "bytes": sum(file.path.stat().st_size for file in files),
        "seconds": round(seconds, 3),
        "rows_per_second": round(report.rows_loaded / seconds) if seconds else 0,
        "engine_copy_seconds": round(copy_seconds, 3),
        "engine_copy_rows_per_second": round(copied_rows / copy_seconds) if copy_seconds else 0,
    }


def _engine_copy(settings: Settings, files: Sequence[Any], work: Path) -> tuple[int, float]:
    """The ingest's own ceiling on this machine: DuckDB copying the same files into a table of a fresh warehouse,
    every delivered column as it reads it (a Parquet file's types; a CSV's text, the raw layer's form), with no
    check, lineage, rewrite or record. An ingest that keeps every delivered column cannot be faster."""
    literal = "[" + ", ".join("'" + str(file.path).replace("'", "''") + "'" for file in files) + "]"
    if files[0].file_format == "parquet":
        reader = f"read_parquet({literal})"
    else:
        reader = (
            f"read_csv({literal}, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
            "strict_mode = true)"
        )
    with _warehouse(settings, work / "engine_copy.duckdb", work / "tmp").connect() as con:
        started = time.perf_counter()
        con.execute(f"create table delivered as select * from {reader}")
        seconds = time.perf_counter() - started
        (rows,) = con.execute("select count(*) from delivered").fetchone() or (0,)
    return int(rows), seconds


def run_tiny_month(
    settings: Settings, work_dir: Path, recloses: int, progress: Callable[[str], None]
) -> dict[str, Any]:
    """The fixed overhead: the demo's own last month (every provider, a few thousand cost lines) closed in a data
    directory of its own, then closed again `recloses` times unchanged — a month-end close runs in a data directory
    that has closed before, so the re-closes' median is the figure; the first close also builds what a data
    directory builds once (the reference data, dbt's parse state)."""
    from orchestration.demo import write_demo_landing_zone
    from orchestration.demo.periods import DEMO_PERIODS

    if work_dir.exists():
        shutil.rmtree(work_dir)
    period = DEMO_PERIODS[-1].start
    tiny = _data_dir(settings, work_dir)
    written = write_demo_landing_zone(tiny.landing_dir, include_restatement=False)
    first = _close(tiny, period, "tiny month, first close", progress)
    runs = [_close(tiny, period, f"tiny month, re-close {n} of {recloses}", progress) for n in range(1, recloses + 1)]
    median = _median(runs)
    return {
        "period": period.isoformat(),
        # Cost lines of the month's exports (SLA extracts are availability, not cost).
        "rows": sum(f.row_count for f in written.files if f.billing_period_start == period.isoformat()),
        "first_close_seconds": round(first.seconds, 3),
        "reclose_seconds": round(median.seconds, 3) if median else None,
        "reclose_peak_rss_bytes": max((m.peak_rss_bytes for m in runs), default=None),
        "reclose_runs_seconds": [round(m.seconds, 3) for m in runs],
    }


def run_bench(settings: Settings, config: BenchConfig, progress: Callable[[str], None]) -> dict[str, Any]:
    from orchestration.bench.floor import run_engine_floor
    from orchestration.bench.pandas_peer import run_pandas_peer
    from orchestration.demo.scale import write_scaled_landing_zone

    if config.bench_dir.exists():
        shutil.rmtree(config.bench_dir)
    exports = config.bench_dir / "exports"
    progress(f"generating {config.months} month(s) of {config.rows:,} AWS + Azure cost lines")
    started = time.perf_counter()
    manifest = write_scaled_landing_zone(
        exports,
        rows=config.rows,
        months=config.months,
        amount_variety=config.amount_variety,
        progress=lambda m: progress(f"  {m}"),
    )
    generate_seconds = time.perf_counter() - started
    first = manifest.periods[0]
    first_files = [f for f in manifest.files if f.billing_period_start == first]

    by_format: dict[str, list[Any]] = {}
    for file in first_files:
        by_format.setdefault(file.file_format, []).append(file)
    ingest = [
        _ingest_figure(settings, by_format[file_format], config.bench_dir / "ingest" / file_format)
        for file_format in sorted(by_format, reverse=True)
    ]
    for figure in ingest:
        progress(
            f"ingest {figure['format']}: {figure['rows']:,} rows in {figure['seconds']} s "
            f"(DuckDB copying the file alone: {figure['engine_copy_seconds']} s)"
        )
    shutil.rmtree(config.bench_dir / "ingest", ignore_errors=True)

    single = _data_dir(settings, config.bench_dir / "single")
    _link_month(exports, single.landing_dir, [first])
    close = _close(single, first, "single-month close", progress)

    single_recloses: list[Measured] = []
    recloses: list[Measured] = []
    history_close: Measured | None = None
    if config.months > 1:
        aws = next(f for f in first_files if f.source == "aws_cur")
        history = _data_dir(settings, config.bench_dir / "history")
        _link_month(exports, history.landing_dir, manifest.periods)
        _ingest_all(history, progress)
        history_close = _close(history, first, f"first close among {config.months} months", progress)
        # Each pair back to back, so that the machine's own drift (seen: the same re-close 37-52 s within an hour)
        # falls on both sides alike; the medians are reported.
        for correction in range(1, config.reclose_repeats + 1):
            run = "" if config.reclose_repeats == 1 else f", {correction} of {config.reclose_repeats}"
            progress(f"re-delivered {_redeliver(single, exports, aws, correction).relative_to(single.landing_dir)}")
            single_recloses.append(_close(single, first, f"re-close of the month alone{run}", progress))
            progress(f"re-delivered {_redeliver(history, exports, aws, correction).relative_to(history.landing_dir)}")
            recloses.append(_close(history, first, f"re-close among {config.months} months{run}", progress))
    single_reclose = _median(single_recloses)
    reclose = _median(recloses)

    progress("engine floor: one DuckDB SQL script over the same files")
    floor = run_engine_floor(
        first_files,
        settings.seeds_dir,
        config.bench_dir / "floor",
        memory_limit=settings.duckdb_memory_limit,
        threads=settings.duckdb_threads,
    )
    progress(f"engine floor: {floor.seconds:,.1f} s")
    progress("naive pandas peer over the same files")
    peer = run_pandas_peer(
        first_files,
        settings.seeds_dir,
        config.bench_dir / "pandas",
        memory_limit_bytes=config.pandas_memory_limit_bytes,
    )
    progress(f"pandas peer: {'done' if peer.completed else 'did not finish'} in {peer.seconds:,.1f} s")

    close_rows = sum(f.rows for f in first_files)
    report: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(),
        "rows": close_rows,
        "months": config.months,
        "amount_variety_percent": config.amount_variety,
        "periods": [p.isoformat() for p in manifest.periods],
        "duckdb_memory_limit": settings.duckdb_memory_limit,
        "duckdb_threads": settings.duckdb_threads,
        "dbt_threads": settings.dbt_threads,
        "generate_seconds": round(generate_seconds, 3),
        "ingest_rows_per_second": {figure["format"]: figure["rows_per_second"] for figure in ingest},
        "ingest_engine_copy_rows_per_second": {
            figure["format"]: figure["engine_copy_rows_per_second"] for figure in ingest
        },
        "ingest": ingest,
        "close_seconds": round(close.seconds, 3),
        "close_peak_rss_bytes": close.peak_rss_bytes,
        "close_cpu_seconds": round(close.cpu_seconds, 3),
        # The first close in the warehouse with every month loaded builds the incremental models for every month.
        "first_close_among_months_seconds": round(history_close.seconds, 3) if history_close else None,
        "single_reclose_seconds": round(single_reclose.seconds, 3) if single_reclose else None,
        "reclose_seconds": round(reclose.seconds, 3) if reclose else None,
        # The highest of the re-closes among the months (memory is bounded by its worst run, not its median).
        "reclose_peak_rss_bytes": max((m.peak_rss_bytes for m in recloses), default=None),
        "reclose_ratio": round(reclose.seconds / single_reclose.seconds, 3) if reclose and single_reclose else None,
        # Every pair (alone, among the months) in the order run; the figures above are their medians.
        "reclose_runs": [
            {
                "single_reclose_seconds": round(alone.seconds, 3),
                "reclose_seconds": round(among.seconds, 3),
                "ratio": round(among.seconds / alone.seconds, 3),
            }
            for alone, among in zip(single_recloses, recloses, strict=True)
        ],
        "floor_seconds": round(floor.seconds, 3),
        "floor_rows": floor.rows,
        "pandas_rows": peer.rows,
        "pandas_seconds": round(peer.seconds, 3),
        "pandas_peak_rss_bytes": peer.peak_rss_bytes,
        "pandas_completed": peer.completed,
        "pandas_detail": peer.detail,
        "pandas_memory_limit_bytes": config.pandas_memory_limit_bytes,
        "close_over_floor": round(close.seconds / floor.seconds, 2) if floor.seconds else None,
        "pandas_over_close": round(peer.seconds / close.seconds, 2) if peer.completed else None,
    }
    # pandas sums binary floats (as an analyst's script does): the two agree to the cent, not to 10^-10.
    cents = {key: value.quantize(Decimal("0.01")) for key, value in floor.cost_center_totals.items()}
    peer_cents = {key: value.quantize(Decimal("0.01")) for key, value in peer.cost_center_totals.items()}
    if peer.completed and peer_cents != cents:
        report["baselines_disagree"] = sorted(set(peer_cents.items()) ^ set(cents.items()))[:10]
    config.output_dir.mkdir(parents=True, exist_ok=True)
    (config.output_dir / "bench.json").write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return report


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} s"


def render(report: dict[str, Any]) -> str:
    """The figures and ratios as a table for people."""

    def gib(value: int | None) -> str:
        return "-" if value is None else f"{value / GIB:.2f} GiB"

    def cpu(value: float | None, wall: float | None) -> str:
        return "-" if not value or not wall else f"{value:,.0f} s ({value / wall:.2f})"

    rates = report["ingest_rows_per_second"]
    copies = report.get("ingest_engine_copy_rows_per_second", {})
    machine = report["machine"]
    peer = _seconds(report["pandas_seconds"]) if report["pandas_completed"] else "did not finish"
    history = f"{report['months']} months loaded" if report["months"] > 1 else "one month loaded (no re-close)"
    lines = [
        f"bench {report['measured_at']} on {machine['cores']} cores, {gib(machine['memory_bytes'])} "
        f"({machine['cpu']}); DuckDB limit {report['duckdb_memory_limit']}, {report['duckdb_threads']} threads, "
        f"dbt {report['dbt_threads']} node(s) at once",
        f"{'figure':<44} {'value':>16}",
        f"{'rows in the closed month':<44} {report['rows']:>16,}",
        f"{'ingest Parquet (rows/s)':<44} {rates.get('parquet', 0):>16,}",
        f"{'ingest CSV (rows/s)':<44} {rates.get('csv', 0):>16,}",
        f"{'DuckDB copying the Parquet file (rows/s)':<44} {copies.get('parquet', 0):>16,}",
        f"{'DuckDB copying the CSV file (rows/s)':<44} {copies.get('csv', 0):>16,}",
        f"{'close, whole month':<44} {_seconds(report['close_seconds']):>16}",
        f"{'close peak memory':<44} {gib(report['close_peak_rss_bytes']):>16}",
        f"{'close CPU time (cores kept busy)':<44} {cpu(report.get('close_cpu_seconds'), report['close_seconds']):>16}",
        f"{'engine floor (DuckDB SQL)':<44} {_seconds(report['floor_seconds']):>16}",
        f"{'naive pandas peer':<44} {peer:>16}",
        f"{'pandas peak memory':<44} {gib(report['pandas_peak_rss_bytes']):>16}",
        f"{'one month loaded, re-close':<44} {_seconds(report.get('single_reclose_seconds')):>16}",
        f"{history + ', first close':<44} {_seconds(report['first_close_among_months_seconds']):>16}",
        f"{history + ', re-close':<44} {_seconds(report['reclose_seconds']):>16}",
        f"{'close / floor':<44} {report['close_over_floor'] or '-':>16}",
        f"{'pandas / close':<44} {report['pandas_over_close'] or '-':>16}",
        f"{'re-close among months / re-close alone':<44} {report['reclose_ratio'] or '-':>16}",
    ]
    if report.get("baselines_disagree"):
        lines.append(f"WARNING: floor and pandas cost-center totals differ: {report['baselines_disagree']}")
    return "\n".join(lines)


def render_tiny_month(figures: dict[str, Any]) -> str:
    """The tiny month's figures for people."""
    month = f"tiny month ({figures['period'][:7]}, {figures['rows']:,} cost lines)"
    return "\n".join(
        [
            f"{month + ', first close':<44} {_seconds(figures['first_close_seconds']):>16}",
            f"{month + ', re-close':<44} {_seconds(figures['reclose_seconds']):>16}",
        ]
    )
