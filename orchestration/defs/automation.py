"""The monthly schedule that closes the previous month, and the landing-zone sensor."""

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import NamedTuple

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


class AffectedPeriods(NamedTuple):
    periods: set[date]
    # files whose period cannot be read: the latest closed month's run quarantines them with the reason
    unreadable: list[str]
    # deliveries in parts not complete yet: no close until their last file lands
    waiting: list[str]


def _with_listed_files(
    changed: list[tuple[str, Path]], landing_dir: Path | None
) -> tuple[list[tuple[str, Path]], list[str]]:
    """The changed files, a changed manifest replaced by the landed files it lists (its periods are theirs); the
    files of a delivery still waiting for others are left out (nothing of it would load), and that delivery named; so
    are those of a delivery a later one of the same export and month replaces (deliveries.overtaken)."""
    if landing_dir is None:
        return changed, []
    files: list[tuple[str, Path]] = []
    waiting: dict[Path, str] = {}
    # A source's manifests are read once, however many of its files changed: its deliveries by manifest and by part.
    by_source: dict[str, dict[Path, deliveries.Delivery]] = {}
    passed_over: set[Path] = set()
    seen = set(changed)
    for source, path in changed:
        if source not in by_source:
            found = deliveries.find(landing_files(landing_dir, FORMATS[source]))[0]
            by_source[source] = {**{part: d for d in found.values() for part in d.held}, **found}
            passed_over.update(deliveries.overtaken(found))
        delivery = by_source[source].get(path)
        if delivery is not None and delivery.manifest in passed_over:
            # a later complete delivery of the same export and month replaces it: nothing of it would load
            continue
        if delivery is None:
            # a file of no delivery, or a manifest reported as unreadable (the close quarantines it with the reason)
            files.append((source, path))
        elif not delivery.complete:
            waiting[delivery.manifest] = f"{delivery.manifest.relative_to(landing_dir).as_posix()}: {delivery.waiting}"
        elif delivery.manifest == path:
            files.extend((source, part) for part in delivery.parts if (source, part) not in seen)
        else:
            files.append((source, path))
    return files, list(waiting.values())


def affected_periods(changed: list[tuple[str, Path]], landing_dir: Path | None = None) -> AffectedPeriods:
    """Billing periods the changed files belong to (read from their content; every period of a file that spans
    several), files that cannot be read, and deliveries still waiting for files. A changed manifest
    (orchestration/ingest/deliveries.py) stands for the files it lists, found under `landing_dir`; one that cannot be
    read is a file that cannot be read; a delivery not complete yet stands for nothing until its last file lands.

    A big export (AWS CUR Parquet, Azure CSV, FOCUS CSV or Parquet) has its periods read from its period column by
    DuckDB, in memory apart from the warehouse (columnar.delivered_periods); any other file, or one whose periods do
    not read plainly, is parsed as the ingest's row-by-row parser reads it."""
    periods: set[date] = set()
    unreadable: list[str] = []
    files, waiting = _with_listed_files(changed, landing_dir)
    with duckdb.connect() as con:
        for source, path in files:
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
    return AffectedPeriods(periods, unreadable, waiting)


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
        periods, unreadable, waiting = affected_periods(changed, settings.landing_dir)
        for delivery in waiting:
            context.log.info(f"not closing for {delivery}")
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
        new_cursor = json.dumps(current, sort_keys=True)
        if not requests and waiting:
            reason = f"{len(waiting)} delivery(ies) waiting for files: {'; '.join(waiting)}"
            return dg.SensorResult(skip_reason=reason, cursor=new_cursor)
        return dg.SensorResult(run_requests=requests, cursor=new_cursor)

    return _sensor
