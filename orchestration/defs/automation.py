"""The monthly schedule that closes the previous month, and the landing-zone sensor."""

import hashlib
import json
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.close import close_month_job
from orchestration.defs.partitions import billing_period
from orchestration.ingest import deliveries
from orchestration.ingest.landing import ERROR_SUFFIX, landing_files
from orchestration.settings import Settings
from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.in_duckdb.columnar import delivered_periods


def monthly_close_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """On day `BILLING_CLOSE_DAY` at `BILLING_CLOSE_HOUR` (UTC by default), close the month that just ended."""
    return dg.build_schedule_from_partitioned_job(
        close_month_job(settings.engine),
        name="monthly_close",
        description="Closes the previous billing month; day and hour from BILLING_CLOSE_DAY / BILLING_CLOSE_HOUR.",
        day_of_month=settings.close_schedule_day,
        hour_of_day=settings.close_schedule_hour,
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def changed_landing_files(landing_dir: Path, cursor: dict[str, str]) -> tuple[list[tuple[str, Path]], dict[str, str]]:
    """Files (source, path) that are new or changed since `cursor`, and the cursor that includes them."""
    current: dict[str, str] = {}
    changed: list[tuple[str, Path]] = []
    for export in FORMATS.values():
        for path in landing_files(landing_dir, export):
            if path.name.endswith(ERROR_SUFFIX):
                continue
            key = path.relative_to(landing_dir).as_posix()
            current[key] = _fingerprint(path)
            if cursor.get(key) != current[key]:
                changed.append((export.source, path))
    return changed, current


def _with_listed_files(changed: list[tuple[str, Path]], landing_dir: Path | None) -> list[tuple[str, Path]]:
    """The changed files, a changed manifest replaced by the landed files it lists (its periods are theirs)."""
    if landing_dir is None:
        return changed
    files: list[tuple[str, Path]] = []
    # A source's manifests are read once, however many of them changed.
    by_source: dict[str, dict[Path, deliveries.Delivery]] = {}
    for source, path in changed:
        if not deliveries.is_manifest(path):
            files.append((source, path))
            continue
        if source not in by_source:
            by_source[source] = deliveries.find(landing_files(landing_dir, FORMATS[source]))[0]
        found = by_source[source]
        if path not in found:
            files.append((source, path))  # reported as unreadable; the close quarantines it with the reason
            continue
        files.extend((source, part) for part in found[path].parts if (source, part) not in changed)
    return files


def affected_periods(changed: list[tuple[str, Path]], landing_dir: Path | None = None) -> tuple[set[date], list[str]]:
    """Billing periods the changed files belong to (read from their content; every period of a file that spans
    several), and files that cannot be read. A changed manifest (orchestration/ingest/deliveries.py) stands for the
    files it lists, found under `landing_dir`; one that cannot be read is a file that cannot be read.

    A big export (AWS CUR Parquet, Azure CSV, FOCUS CSV or Parquet) has its periods read from its period column by
    DuckDB, in memory apart from the warehouse (columnar.delivered_periods); any other file, or one whose periods do
    not read plainly, is parsed as the ingest's row-by-row parser reads it."""
    periods: set[date] = set()
    unreadable: list[str] = []
    with duckdb.connect() as con:
        for source, path in _with_listed_files(changed, landing_dir):
            if deliveries.is_manifest(path):
                unreadable.append(f"{path.name}: a manifest whose files cannot be matched (a close says why)")
                continue
            if (read := delivered_periods(con, source, path)) is not None:
                periods.update(read)
                continue
            try:
                periods.update(FORMATS[source].parse(path).periods)
            except RejectedFile as error:
                unreadable.append(f"{path.name}: {error}")
    return periods, unreadable


def landing_zone_sensor(settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="landing_zone_sensor",
        job=close_month_job(settings.engine),
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Notices new or changed files in the landing zone and requests a close of each affected period.",
    )
    def _sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        cursor = json.loads(context.cursor) if context.cursor else {}
        changed, current = changed_landing_files(settings.landing_dir, cursor)
        if not changed:
            return dg.SensorResult(skip_reason="no new or changed files in the landing zone", cursor=context.cursor)
        periods, unreadable = affected_periods(changed, settings.landing_dir)
        valid_keys = set(billing_period.get_partition_keys())
        if unreadable:
            # A bad file's period is unknown; the latest closed month's run quarantines it with the reason.
            context.log.warning("unreadable files (will be quarantined by the next close): " + "; ".join(unreadable))
            latest = billing_period.get_last_partition_key()
            if latest:
                periods.add(date.fromisoformat(latest))
        requests = []
        fingerprint = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
        for period in sorted(periods):
            key = period.isoformat()
            if key not in valid_keys:
                context.log.warning(f"files for {period:%Y-%m} arrived before that month can be closed; skipped")
                continue
            requests.append(
                dg.RunRequest(
                    run_key=f"{key}:{fingerprint}",
                    partition_key=key,
                    tags={"billing/trigger": "landing_zone_sensor"},
                )
            )
        return dg.SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True))

    return _sensor
