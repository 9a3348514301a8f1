"""A private copy of the live warehouse for the docs, taken only while no close holds it.

The live file is never opened here: opening it, even read-only, takes a DuckDB lock, and a close starting at that
moment would fail to get its writer's lock. A close holds the writer's lock only while a step runs, so two things
are checked, before and after the copy: no close is in progress in the run history (a Dagster run not yet
finished), and no process holds the writer's lock, read from /proc/locks (Linux; elsewhere a read-only
open that fails says so). The copy is a plain file copy; if the file changed while it was copied, it is refused.

Why not the published copy (data/published/current/billing.duckdb)? It holds the marts only: the dbt catalog would
miss staging, intermediate, raw and audit, and the invoice_totals gate reads intermediate tables.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from orchestration.auditor_docs.errors import DocsError

PROC_LOCKS = Path("/proc/locks")


def writer_holds(warehouse: Path, proc_locks: Path = PROC_LOCKS) -> bool:
    """Whether a process holds DuckDB's write lock on the file, without opening it."""
    try:
        inode = warehouse.stat().st_ino
    except FileNotFoundError:
        return False
    try:
        lines = proc_locks.read_text(encoding="utf-8").splitlines()
    except OSError:
        return _read_only_open_fails(warehouse)
    for line in lines:
        fields = line.split()
        # "1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 0 EOF" (a blocked waiter has "->" after the number)
        ids = [item for item in fields if item.count(":") == 2]
        if "WRITE" in fields and ids and ids[0].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


def _read_only_open_fails(warehouse: Path) -> bool:
    """Without /proc/locks: a read-only open is refused while a writer holds the file (held for a moment only)."""
    try:
        duckdb.connect(str(warehouse), read_only=True).close()
    except duckdb.IOException:
        return True
    return False


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


def close_in_progress(dagster_home: Path) -> str | None:
    """The close run in progress in the run history (the CLI's, the UI's or the schedule's), if any."""
    if not (dagster_home / "dagster.yaml").exists():
        return None
    import dagster as dg  # a few seconds: only when the docs are built

    instance = dg.DagsterInstance.from_config(str(dagster_home))
    try:
        statuses = [
            dg.DagsterRunStatus.NOT_STARTED,  # a close creates its run first, then starts it
            dg.DagsterRunStatus.QUEUED,
            dg.DagsterRunStatus.STARTING,
            dg.DagsterRunStatus.STARTED,
            dg.DagsterRunStatus.CANCELING,
        ]
        records = instance.get_run_records(filters=dg.RunsFilter(statuses=statuses), limit=1)
    finally:
        instance.dispose()
    if not records:
        return None
    run = records[0].dagster_run
    period = run.tags.get("dagster/partition", "")[:7]
    return f"dagster run {run.run_id}: {run.job_name}{' ' + period if period else ''}, {run.status.value}"


def copy_warehouse(warehouse: Path, work_dir: Path, dagster_home: Path, proc_locks: Path = PROC_LOCKS) -> Path | None:
    """Copy the warehouse (and its WAL, if any) into work_dir; None when there is no warehouse yet."""
    if not warehouse.exists():
        return None
    wal = warehouse.with_name(warehouse.name + ".wal")

    def refuse_if_busy(when: str) -> None:
        run = close_in_progress(dagster_home)
        if run is not None:
            raise DocsError(
                f"a close is in progress{when} ({run}); run `billing docs` again when it has finished "
                "(a close that was killed stays in progress until its run is terminated or deleted in `make ui`)"
            )
        if writer_holds(warehouse, proc_locks):
            raise DocsError(
                f"the warehouse {warehouse} is held by another process{when} (a close or another writer); "
                "run `billing docs` again when it has finished"
            )

    refuse_if_busy("")
    before = (_fingerprint(warehouse), _fingerprint(wal))
    work_dir.mkdir(parents=True, exist_ok=True)
    copy = work_dir / warehouse.name
    shutil.copyfile(warehouse, copy)
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
    refuse_if_busy(" since the copy started")
    if (_fingerprint(warehouse), _fingerprint(wal)) != before:
        raise DocsError(
            f"the warehouse {warehouse} changed while it was copied; run `billing docs` again when no close runs"
        )
    return copy


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchone()
    return bool(found and found[0])


def closed_periods(copy: Path) -> list[date]:
    """Billing periods the warehouse has closed: those with reconciliation rows (as `billing status` lists them)."""
    with duckdb.connect(str(copy), read_only=True) as con:
        if not _table_exists(con, "marts", "fct_reconciliation"):
            return []
        rows = con.execute(
            "select distinct billing_period_start from marts.fct_reconciliation order by billing_period_start"
        ).fetchall()
    return [row[0] for row in rows]


@dataclass(frozen=True)
class GateRecord:
    """The gate results a close recorded (audit.gate_results), latest evaluation per period and suite."""

    period: date
    suite: str
    expectations: int
    failed: int
    checked_at: str


def recorded_gates(copy: Path) -> list[GateRecord]:
    with duckdb.connect(str(copy), read_only=True) as con:
        if not _table_exists(con, "audit", "gate_results"):
            return []
        rows = con.execute(
            """
            with latest as (
                select billing_period_start, suite, max(checked_at) as checked_at
                from audit.gate_results
                group by billing_period_start, suite
            )
            select results.billing_period_start, results.suite, count(*),
                   count(*) filter (where not results.success),
                   strftime(latest.checked_at, '%Y-%m-%d %H:%M:%S UTC')
            from audit.gate_results as results
            join latest using (billing_period_start, suite, checked_at)
            group by all
            order by 1, 2
            """
        ).fetchall()
    return [GateRecord(r[0], r[1], int(r[2]), int(r[3]), r[4]) for r in rows]
