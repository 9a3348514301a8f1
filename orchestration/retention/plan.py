"""What the retention policy makes due on a day: one line per raw slice (raw table x billing period).

A slice of raw usage is due when its online time has passed: `as_of` is on or after the end of its billing period
plus the policy's online months. A due slice under an active legal hold is skipped and says which hold. The other
data classes are kept by billing for their whole retention (the plan says so, with what is held): nothing here
ever selects issued documents, audit tables or landing files for deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from orchestration.retention.holds import Hold
from orchestration.retention.policy import RetentionPolicy, add_months, period_end
from orchestration.sources import FORMATS

RAW_USAGE = "raw_usage"
PERIOD_COLUMN = "_billing_period_start"


@dataclass(frozen=True)
class Slice:
    data_class: str
    table: str
    source: str
    period: date
    rows: int
    action: str  # archive | keep | held
    why: str
    online_until: date
    hold_id: str | None = None

    @property
    def due(self) -> bool:
        return self.action == "archive"


@dataclass(frozen=True)
class KeptClass:
    data_class: str
    what: str
    retention_months: int | None
    why: str


@dataclass(frozen=True)
class Plan:
    as_of: date
    policy: RetentionPolicy
    slices: list[Slice]
    kept: list[KeptClass]

    @property
    def due(self) -> list[Slice]:
        return [s for s in self.slices if s.due]


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(source, raw table) of every provider format whose raw table exists in this warehouse."""
    existing = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    return [(source, table) for source, export in FORMATS.items() for table in export.raw_tables if table in existing]


def _slices(con: duckdb.DuckDBPyConnection, as_of: date, online_months: int, holds: list[Hold]) -> list[Slice]:
    slices: list[Slice] = []
    for source, table in raw_tables(con):
        for period_text, rows in con.execute(
            f"select {PERIOD_COLUMN}, count(*) from raw.{table} group by 1 order by 1"
        ).fetchall():
            try:
                period = date.fromisoformat(str(period_text))
            except ValueError:
                continue  # not a billing period billing wrote: never touched
            until = add_months(period_end(period), online_months)
            hold = next((h for h in holds if h.covers(RAW_USAGE, period, source)), None)
            if as_of < until:
                action, why = "keep", f"inside retention: online until {until}"
            elif hold is not None:
                action, why = "held", f"legal hold {hold.hold_id} ({hold.scope}): {hold.reason}"
            else:
                action, why = "archive", f"online time ended {until}: archive to Parquet, then purge"
            slices.append(
                Slice(RAW_USAGE, table, source, period, int(rows), action, why, until, hold.hold_id if hold else None)
            )
    return slices


def _issued_summary(con: duckdb.DuckDBPyConnection) -> str:
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'audit' and table_name = 'issued_invoices'"
    ).fetchone()
    if not exists or not exists[0]:
        return "no issued documents yet"
    count, first, last = con.execute(
        "select count(*), min(billing_period_start), max(billing_period_start) from audit.issued_invoices"
    ).fetchone()
    if not count:
        return "no issued documents yet"
    return f"{count} issued invoice(s) and note(s), periods {first:%Y-%m}..{last:%Y-%m}"


def build_plan(con: duckdb.DuckDBPyConnection, policy: RetentionPolicy, holds: list[Hold], as_of: date) -> Plan:
    raw = policy.of(RAW_USAGE)
    assert raw.online_months is not None  # the policy loader requires it
    kept: list[KeptClass] = []
    for data_class, what in (
        ("issued_documents", _issued_summary(con)),
        ("audit_events", "the ops store's audit_events and the warehouse's audit schema"),
        ("landing_files", "the delivered files under data/landing"),
    ):
        rule = policy.of(data_class)
        held = [h.hold_id for h in holds if h.active and h.data_class == data_class]
        why = f"kept {rule.retention_months} months after the billing period ends; billing never deletes them"
        if held:
            why += f"; under legal hold {', '.join(held)}"
        kept.append(KeptClass(data_class, what, rule.retention_months, why))
    return Plan(as_of, policy, _slices(con, as_of, raw.online_months, [h for h in holds if h.active]), kept)
