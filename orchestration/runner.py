"""Launch the monthly close through Dagster (so the run is in the UI's history) and follow its steps."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from orchestration.engines import dbt_command
from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR, Settings

DAGSTER_YAML_MARK = "# Written by `billing`"


def dagster_yaml(dagster_home: Path) -> str:
    """The Dagster instance of a data directory: its run history in SQLite under dagster_home (Dagster's layout), the
    event log keeping its database connections open (orchestration/run_history.py)."""
    event_logs = json.dumps(str(Path(dagster_home).resolve() / "history" / "runs"))
    return f"""\
{DAGSTER_YAML_MARK}: local run history for the CLI and `make ui` alike (rewritten when it changes).
telemetry:
  enabled: false
# DuckDB allows one writing process: closes queued from the UI, the schedule or the sensor run one at a time.
concurrency:
  runs:
    max_concurrent_runs: 1
# Dagster's SQLite event log, files and schema unchanged, without opening and closing its database for every event.
event_log_storage:
  module: orchestration.run_history
  class: KeptConnectionSqliteEventLogStorage
  config:
    base_dir: {event_logs}
"""


DBT_SEEDS_VARIABLE = "BILLING_DBT_SEEDS_DIR"


def dbt_seeds_environment(seeds_dir: Path) -> dict[str, str]:
    """Where dbt reads the seeds from when they are not the repository's: relative to dbt_project/, as dbt resolves
    it. Not absolute: dbt writes each seed's load SQL to <target>/run/billing/<seed path>, which for an absolute seed
    path is the seed file itself (seen: a rehearsal copy's CSVs overwritten with `truncate table` statements)."""
    if Path(seeds_dir).resolve() == SEEDS_DIR.resolve():
        return {}
    return {DBT_SEEDS_VARIABLE: os.path.relpath(Path(seeds_dir).resolve(), DBT_PROJECT_DIR.resolve())}


class _ThreadRouter(io.TextIOBase):
    """Sends what the run's worker thread prints (dbt's console, Dagster's loggers) to the run's log file,
    and what the main thread prints (our progress lines) to the terminal."""

    def __init__(self, terminal: TextIO, log: TextIO) -> None:
        self._terminal = terminal
        self._log = log
        self._main = threading.main_thread()

    def write(self, text: str) -> int:
        target = self._terminal if threading.current_thread() is self._main else self._log
        return target.write(text)

    def flush(self) -> None:
        self._terminal.flush()
        self._log.flush()


class CloseError(Exception):
    """A one-line, actionable reason the close could not run."""


@dataclass
class CloseOutcome:
    run_id: str
    success: bool
    failures: list[str] = field(default_factory=list)


def prepare_environment(settings: Settings) -> None:
    """Point Dagster and dbt at this data directory (the child processes read these variables)."""
    settings.dagster_home.mkdir(parents=True, exist_ok=True)
    config = settings.dagster_home / "dagster.yaml"
    wanted = dagster_yaml(settings.dagster_home)
    # A file someone wrote by hand (without the mark) is theirs; ours follows this code and the data directory's place.
    written = config.read_text(encoding="utf-8") if config.exists() else None
    if written is None or (written.startswith(DAGSTER_YAML_MARK) and written != wanted):
        config.write_text(wanted, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    os.environ["BILLING_WAREHOUSE_PATH"] = str(settings.warehouse_path)
    # dbt's DuckDB connection gets the same memory bound and spill directory as orchestration's (profiles.yml),
    # under names settings.py never reads: this process may load its settings again (tests, the Dagster UI).
    settings.duckdb_temp_dir.mkdir(parents=True, exist_ok=True)
    os.environ["BILLING_DBT_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit
    os.environ["BILLING_DBT_DUCKDB_THREADS"] = str(settings.duckdb_threads)
    os.environ["BILLING_DBT_DUCKDB_TEMP_DIR"] = str(settings.duckdb_temp_dir)
    os.environ.update(dbt_seeds_environment(settings.seeds_dir))
    if settings.seeds_dir == SEEDS_DIR:
        os.environ.pop(DBT_SEEDS_VARIABLE, None)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")


def _newest_source_mtime() -> float:
    newest = (DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime
    for folder in ("models", "macros", "tests"):
        for path in (DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    for path in (DBT_PROJECT_DIR.parent / "seeds").glob("*.csv"):
        newest = max(newest, path.stat().st_mtime)
    return newest


def ensure_dbt_manifest(log: Callable[[str], None]) -> None:
    """Parse the dbt project once when its manifest is missing or older than a model; runs reuse it."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime():
        return
    log("preparing the dbt manifest (dbt parse)...")
    completed = subprocess.run(
        [
            str(dbt_command.executable()),
            "parse",
            *("--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)),
            *("--target", dbt_command.PREPARED_TARGET, "--quiet"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        detail = (completed.stdout + completed.stderr).strip().splitlines()
        raise CloseError(f"dbt parse failed: {detail[-1] if detail else 'no output'}")


def check_warehouse_free(settings: Settings) -> None:
    import duckdb

    if not settings.warehouse_path.exists():
        return
    try:
        duckdb.connect(str(settings.warehouse_path)).close()
    except duckdb.IOException as error:
        message = str(error).splitlines()[0]
        raise CloseError(
            f"the warehouse {settings.warehouse_path} is in use by another process ({message}); "
            "wait for that run to finish or stop it, then retry"
        ) from None


def run_close(settings: Settings, period: date, *, acting_user: str, progress: Callable[[str], None]) -> CloseOutcome:
    """Execute the `close_month` job for one partition, printing each step as it starts and ends."""
    prepare_environment(settings)
    ensure_dbt_manifest(progress)
    check_warehouse_free(settings)

    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.defs.partitions import billing_period

    keys = billing_period.get_partition_keys()
    if period.isoformat() not in keys:
        raise CloseError(
            f"{period:%Y-%m} cannot be closed: closable months are {keys[0][:7]} to {keys[-1][:7]} "
            "(a month can be closed once it has ended)"
        )
    definitions = build_definitions()
    job = definitions.resolve_job_def("close_month")
    instance = dg.DagsterInstance.get()
    run_id = str(uuid.uuid4())
    holder: dict[str, object] = {}

    def _execute() -> None:
        try:
            holder["result"] = job.execute_in_process(
                instance=instance,
                partition_key=period.isoformat(),
                run_id=run_id,
                raise_on_error=False,
                tags={"billing/acting_user": acting_user, "billing/trigger": "cli"},
                run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            )
        except BaseException as error:  # reported below as one line
            holder["error"] = error

    log_path = settings.data_dir / "logs" / f"close-{period:%Y-%m}-{run_id[:8]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    progress(f"  run {run_id}; dbt and Dagster output in {log_path}")
    terminal_out, terminal_err = sys.stdout, sys.stderr
    with log_path.open("w", encoding="utf-8") as log:
        sys.stdout = _ThreadRouter(terminal_out, log)  # type: ignore[assignment]
        sys.stderr = _ThreadRouter(terminal_err, log)  # type: ignore[assignment]
        try:
            worker = threading.Thread(target=_execute, name="close-run", daemon=True)
            worker.start()
            follower = StepFollower(instance, run_id, progress)
            while True:
                alive = worker.is_alive()
                follower.poll()
                if not alive:
                    break
                time.sleep(0.5)
        finally:
            sys.stdout, sys.stderr = terminal_out, terminal_err
    if "error" in holder:
        error = holder["error"]
        raise CloseError(f"the close could not run: {type(error).__name__}: {str(error).splitlines()[0]}")
    result = holder["result"]
    failures = _failures(instance, run_id)
    return CloseOutcome(run_id, bool(result.success) and not failures, failures)  # type: ignore[attr-defined]


# A step's progress line at most this often: a demo close's steps take seconds and print only their start and end,
# a ten-million-line month's dbt step (~270 s) says every so often how many of its models are built.
PROGRESS_EVERY_SECONDS = 15.0


class StepFollower:
    """Prints each step of a run as it starts and ends, and, inside a step that materializes several assets, how
    many are done (at most every `every` seconds, when one more is). Reads only the events it has not read yet."""

    def __init__(
        self, instance, run_id: str, progress: Callable[[str], None], every: float = PROGRESS_EVERY_SECONDS
    ) -> None:  # type: ignore[no-untyped-def]
        import dagster as dg

        self._instance = instance
        self._run_id = run_id
        self._progress = progress
        self._every = every
        self._started = time.monotonic()
        self._cursor: str | None = None
        self._planned: dict[str, int] = {}
        self._done: dict[str, int] = {}
        self._last_line: dict[str, float] = {}
        self._ends = {
            dg.DagsterEventType.STEP_SUCCESS: "done",
            dg.DagsterEventType.STEP_FAILURE: "FAILED",
            dg.DagsterEventType.STEP_SKIPPED: "skipped",
        }
        self._types = {
            dg.DagsterEventType.STEP_START,
            dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
            dg.DagsterEventType.ASSET_MATERIALIZATION,
            *self._ends,
        }

    def poll(self) -> None:
        import dagster as dg

        try:
            connection = self._instance.get_records_for_run(self._run_id, cursor=self._cursor, of_type=self._types)
        except Exception:  # the run is not in storage yet
            return
        self._cursor = connection.cursor
        for record in connection.records:
            event = record.event_log_entry.dagster_event
            if event is None or event.step_key is None:
                continue
            step, now = event.step_key, time.monotonic()
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
                self._planned[step] = self._planned.get(step, 0) + 1
            elif event.event_type == dg.DagsterEventType.STEP_START:
                self._say(now, f"{step}: started")
                self._last_line[step] = now
            elif event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                done = self._done[step] = self._done.get(step, 0) + 1
                planned = self._planned.get(step, 0)
                if done < planned and now - self._last_line.get(step, self._started) >= self._every:
                    latest = event.asset_key.to_user_string() if event.asset_key else "?"
                    self._say(now, f"{step}: {done} of {planned} assets done (latest {latest})")
                    self._last_line[step] = now
            else:
                self._say(now, f"{step}: {self._ends[event.event_type]}")
                self._last_line.pop(step, None)

    def _say(self, now: float, text: str) -> None:
        self._progress(f"  [{now - self._started:6.1f}s] {text}")


def _failures(instance, run_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    import dagster as dg

    lines: list[str] = []
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_SKIPPED:
            # A skipped step means an upstream step did not produce its output: the close is not complete.
            lines.append(f"step {event.step_key} was skipped: an upstream step did not produce its output")
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            # Dagster wraps what the step raised ("Error occurred while executing op ..."): say what was raised.
            while error is not None and error.cause is not None:
                error = error.cause
            message = " ".join(error.message.split())[:400] if error else "unknown error"
            lines.append(f"step {event.step_key} failed: {message}")
        elif event.event_type == dg.DagsterEventType.ASSET_OBSERVATION:
            # dbt tests are observations (orchestration/defs/transform/dbt.py keeps only those that did not pass).
            observation = event.asset_observation_data.asset_observation
            status = observation.metadata.get("status")
            unique_id = observation.metadata.get("unique_id")
            if getattr(status, "value", None) in ("fail", "error"):
                test = getattr(unique_id, "value", None) or "a dbt test"
                lines.append(
                    f"dbt test {test} on {observation.asset_key.to_user_string()}: {status.value}"  # type: ignore[union-attr]
                )
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            if not evaluation.passed:
                key = evaluation.asset_check_key
                lines.append(f"check {key.name} on {key.asset_key.to_user_string()} failed")
    return lines
