"""Monthly SLA metrics extract: measured availability per client and IT service, as the monitoring system exports it.

One CSV file per monitoring system and month, delivered under ``sla/<source_system>/<YYYY-MM>/availability.csv``
in the landing zone; one row per client and IT service measured over the whole calendar month:

    measurement_id,client_id,service_id,period_start,period_end,minutes_total,minutes_downtime_excluding_maintenance,source_system
    AVL-2026-10-INITECH-IT-BACKUP,INITECH,IT-BACKUP,2026-10-01,2026-11-01,44640,262,opsmon

* ``period_start`` is the first day of the month, ``period_end`` the first day of the next (exclusive), UTC;
* ``minutes_total`` is the number of minutes measured (a whole number, at most the minutes of the month: a
  service started mid-month is measured from its start), ``minutes_downtime_excluding_maintenance`` the
  minutes of unplanned downtime among them (announced maintenance windows are not downtime);
* ``source_system`` names the monitoring system; it is the delivery key: a later file of the same system and
  month replaces the earlier one (orchestration/ingest/raw_load.py).

The parser is strict: the first bad row refuses the whole file with one line that names the file, the row
(1-based data row, the line number is one more) and what to fix. Values stay text, dates normalised to
``YYYY-MM-DD``; dbt (stg_sla__availability) types them.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from orchestration.sources.common import ParsedFile, RejectedFile, parse_timestamp, require_columns, text_table
from orchestration.sources.csv_reader import read_csv_rows

SOURCE = "sla"
RAW_TABLE = "sla_availability"
SUFFIXES = (".csv",)
# The file name the monitoring system writes, under sla/<source_system>/<YYYY-MM>/ in the landing zone.
EXTRACT_NAME = "availability.csv"
REQUIRED_COLUMNS = (
    "measurement_id",
    "client_id",
    "service_id",
    "period_start",
    "period_end",
    "minutes_total",
    "minutes_downtime_excluding_maintenance",
    "source_system",
)
TEXT_COLUMNS = ("measurement_id", "client_id", "service_id", "source_system")
_WHOLE_NUMBER = re.compile(r"^[0-9]+$")


def _month_after(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


class _Row:
    """Checks of one data row; every refusal names the file, the row and what to fix."""

    def __init__(self, path: Path, number: int, row: dict[str, str | None]) -> None:
        self.path = path
        self.number = number
        self.row = row

    def refuse(self, problem: str, fix: str) -> RejectedFile:
        measurement = self.row.get("measurement_id")
        which = f" ({measurement})" if measurement else ""
        return RejectedFile(
            f"{self.path.name} row {self.number}{which}, line {self.number + 1}: {problem}; "
            f"{fix} and re-deliver the file"
        )

    def text(self, column: str) -> str:
        value = (self.row.get(column) or "").strip()
        if not value:
            raise self.refuse(f"column {column} is empty", f"fill in {column}")
        return value

    def month_day(self, column: str) -> date:
        value = self.text(column)
        try:
            moment = parse_timestamp(value)
        except ValueError:
            raise self.refuse(f"column {column} is {value!r}, not a date", f"write {column} as YYYY-MM-DD") from None
        if moment.day != 1 or moment.time() != datetime.min.time():
            raise self.refuse(
                f"column {column} is {value!r}, not the first day of a month",
                f"write {column} as the first day of a month (YYYY-MM-01)",
            )
        return moment.date()

    def minutes(self, column: str) -> int:
        value = self.text(column)
        if not _WHOLE_NUMBER.match(value):
            raise self.refuse(
                f"column {column} is {value!r}, not a whole number of minutes", f"write {column} as digits"
            )
        return int(value)


def parse(path: Path) -> ParsedFile:
    columns, rows = read_csv_rows(path)
    require_columns(columns, REQUIRED_COLUMNS, "SLA metrics extract")
    if not rows:
        raise RejectedFile(f"{path.name}: no data rows (header only); export the month again and re-deliver the file")
    periods: set[date] = set()
    systems: set[str] = set()
    measurement_ids: dict[str, int] = {}
    measured: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=1):
        check = _Row(path, number, row)
        measurement_id = check.text("measurement_id")
        client_id = check.text("client_id")
        service_id = check.text("service_id")
        system = check.text("source_system")
        start = check.month_day("period_start")
        end = check.month_day("period_end")
        if end != _month_after(start):
            raise check.refuse(
                f"period {start:%Y-%m-%d} to {end:%Y-%m-%d} is not one calendar month",
                f"set period_end to {_month_after(start):%Y-%m-%d} (the first day after the month)",
            )
        total = check.minutes("minutes_total")
        downtime = check.minutes("minutes_downtime_excluding_maintenance")
        month_minutes = (end - start).days * 24 * 60
        if total == 0 or total > month_minutes:
            raise check.refuse(
                f"minutes_total is {total}, outside 1..{month_minutes} (the minutes of {start:%Y-%m})",
                "write the minutes measured in the month",
            )
        if downtime > total:
            raise check.refuse(
                f"minutes_downtime_excluding_maintenance is {downtime}, more than minutes_total {total}",
                "write the downtime minutes within the minutes measured",
            )
        if measurement_id in measurement_ids:
            raise check.refuse(
                f"measurement_id {measurement_id} is already on row {measurement_ids[measurement_id]}",
                "give every measurement its own id",
            )
        if (client_id, service_id) in measured:
            raise check.refuse(
                f"{client_id} {service_id} is already measured on row {measured[(client_id, service_id)]}",
                "deliver one measurement per client and service and month",
            )
        measurement_ids[measurement_id] = number
        measured[(client_id, service_id)] = number
        periods.add(start)
        systems.add(system)
        if len(periods) > 1:
            raise check.refuse(
                f"period_start {start:%Y-%m-%d} differs from the earlier rows ({min(periods):%Y-%m-%d})",
                "deliver one month per file",
            )
        if len(systems) > 1:
            raise check.refuse(
                f"source_system {system} differs from the earlier rows", "deliver one monitoring system per file"
            )
        for column in TEXT_COLUMNS:
            row[column] = check.text(column)
        row["period_start"] = start.isoformat()
        row["period_end"] = end.isoformat()
        row["minutes_total"] = str(total)
        row["minutes_downtime_excluding_maintenance"] = str(downtime)
    return ParsedFile(SOURCE, periods.pop(), systems.pop(), len(rows), {RAW_TABLE: text_table(rows, columns)})
