"""The audit trail: every workflow action as an append-only, hash-chained event in the operational store.

Each event's sha256 covers its id, content and the previous event's sha256, so an edited event breaks its own hash,
a deleted one breaks the chain (and leaves a gap in the ids), and a deleted tail shows in SQLite's sequence of
issued ids. Every workflow record (dispute, dispute event, adjustment, decision, issued note, payment, rate-card
event) is written in the same transaction as its event, whose `after_json` is the record: `verify_trail` also
compares each record with its event, so editing a record directly in the database is detected too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from orchestration.ops.store import read_transaction

GENESIS = "0" * 64

Clock = Callable[[], datetime]

# Workflow tables whose rows must each equal the `after_json` of one event: (table, entity_type, key column).
RECORDED_TABLES: tuple[tuple[str, str, str], ...] = (
    ("disputes", "dispute", "dispute_id"),
    ("dispute_events", "dispute_event", "event_id"),
    ("adjustments", "adjustment", "adjustment_id"),
    ("adjustment_decisions", "adjustment_decision", "decision_id"),
    ("adjustment_notes", "adjustment_note", "document_number"),
    ("payments", "payment", "payment_id"),
    ("rate_card_events", "rate_card_event", "event_id"),
    ("legal_holds", "legal_hold", "hold_id"),
    ("legal_hold_releases", "legal_hold_release", "hold_id"),
)


def now_utc() -> datetime:
    return datetime.now(UTC)


def instant(clock: Clock | None = None) -> str:
    """An instant as the store keeps it: ISO 8601 UTC with microseconds (orders correctly as text)."""
    return (clock or now_utc)().astimezone(UTC).isoformat(timespec="microseconds")


def canonical_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_plain)


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def row_as_record(con: sqlite3.Connection, table: str, key: str, value: object) -> dict[str, Any]:
    """A stored row as the dict its audit event records (column name → stored value)."""
    cursor = con.execute(f"select * from {table} where {key} = ?", [value])
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        raise KeyError(f"{table}.{key} = {value}")
    return dict(zip(names, row, strict=True))


def _event_hash(event_id: int, previous: str, fields: tuple[object, ...]) -> str:
    text = json.dumps([event_id, previous, *fields], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditEvent:
    event_id: int
    occurred_at: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    event_sha256: str


def append_event(
    con: sqlite3.Connection,
    *,
    actor: str,
    actor_role: str,
    action: str,
    entity_type: str,
    entity_id: str,
    after: dict[str, Any] | None,
    before: dict[str, Any] | None = None,
    reason: str | None = None,
    occurred_at: str | None = None,
) -> AuditEvent:
    """Append one event inside the caller's write transaction (which holds the store's write lock)."""
    last = con.execute("select event_id, event_sha256 from audit_events order by event_id desc limit 1").fetchone()
    sequence = con.execute("select seq from sqlite_sequence where name = 'audit_events'").fetchone()
    event_id = max(last[0] if last else 0, sequence[0] if sequence else 0) + 1
    previous = last[1] if last else GENESIS
    when = occurred_at or instant()
    fields = (
        when,
        actor,
        actor_role,
        action,
        entity_type,
        entity_id,
        canonical_json(before),
        canonical_json(after),
        reason,
    )
    digest = _event_hash(event_id, previous, fields)
    con.execute(
        "insert into audit_events (event_id, occurred_at, actor, actor_role, action, entity_type, entity_id, "
        "before_json, after_json, reason, previous_sha256, event_sha256) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [event_id, *fields, previous, digest],
    )
    return AuditEvent(event_id, when, actor, action, entity_type, entity_id, digest)


def record_row(
    con: sqlite3.Connection,
    *,
    table: str,
    key: str,
    value: object,
    actor: str,
    actor_role: str,
    action: str,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    occurred_at: str | None = None,
) -> AuditEvent:
    """The audit event of a row just inserted: its `after_json` is the row as stored."""
    entity_type = next(entity for name, entity, _ in RECORDED_TABLES if name == table)
    return append_event(
        con,
        actor=actor,
        actor_role=actor_role,
        action=action,
        entity_type=entity_type,
        entity_id=str(value),
        before=before,
        after=row_as_record(con, table, key, value),
        reason=reason,
        occurred_at=occurred_at,
    )


def insert_recorded(
    con: sqlite3.Connection,
    table: str,
    record: dict[str, Any],
    *,
    actor: str,
    actor_role: str,
    action: str,
    reason: str | None = None,
) -> AuditEvent:
    """Insert a workflow row (keyed by its first column) and append the audit event that records it."""
    names = list(record)
    con.execute(
        f"insert into {table} ({', '.join(names)}) values ({', '.join('?' for _ in names)})",
        [record[name] for name in names],
    )
    key = next(key for name, _, key in RECORDED_TABLES if name == table)
    return record_row(
        con, table=table, key=key, value=record[key], actor=actor, actor_role=actor_role, action=action, reason=reason
    )


def sqlite_rows(con: sqlite3.Connection, sql: str, params: list[object]) -> list[dict[str, object]]:
    """Rows as dicts keyed by column name."""
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass
class Verification:
    store: Path
    events: int = 0
    head_sha256: str = GENESIS
    records_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_trail(store: Path) -> Verification:
    """Recompute the chain and compare every workflow record with its event; report every break found."""
    result = Verification(store)
    with read_transaction(store) as con:
        if con is None:
            return result
        if not con.execute("select 1 from sqlite_master where name = 'audit_events'").fetchone():
            return result
        _verify_chain(con, result)
        _verify_records(con, result)
    return result


def _verify_chain(con: sqlite3.Connection, result: Verification) -> None:
    previous = GENESIS
    expected_id = 1
    rows = con.execute(
        "select event_id, occurred_at, actor, actor_role, action, entity_type, entity_id, before_json, after_json, "
        "reason, previous_sha256, event_sha256 from audit_events order by event_id"
    ).fetchall()
    for row in rows:
        event_id, *fields, stored_previous, stored_hash = row
        if event_id != expected_id:
            result.problems.append(
                f"audit event(s) {expected_id}..{event_id - 1} are missing: history was deleted before event {event_id}"
            )
        if stored_previous != previous:
            result.problems.append(
                f"audit event {event_id} does not follow the event before it (chain broken: an event was deleted, "
                "inserted or edited)"
            )
        if _event_hash(event_id, stored_previous, tuple(fields)) != stored_hash:
            result.problems.append(
                f"audit event {event_id} ({fields[3]} {fields[4]} {fields[5]} by {fields[1]}) was altered after it "
                "was recorded: its content no longer matches its sha256"
            )
        previous = stored_hash
        expected_id = event_id + 1
    issued = con.execute("select seq from sqlite_sequence where name = 'audit_events'").fetchone()
    if issued and issued[0] > expected_id - 1:
        result.problems.append(
            f"audit events {expected_id}..{issued[0]} were recorded and are gone: the end of the trail was deleted"
        )
    result.events = len(rows)
    result.head_sha256 = previous


def _verify_records(con: sqlite3.Connection, result: Verification) -> None:
    recorded: dict[tuple[str, str], str] = {}
    for entity_type, entity_id, after in con.execute(
        "select entity_type, entity_id, after_json from audit_events where after_json is not null order by event_id"
    ):
        recorded.setdefault((entity_type, entity_id), after)
    for table, entity_type, key in RECORDED_TABLES:
        if not con.execute("select 1 from sqlite_master where type = 'table' and name = ?", [table]).fetchone():
            continue  # a store of an older schema version (read without migrating): nothing of that kind recorded
        cursor = con.execute(f"select * from {table}")
        names = [d[0] for d in cursor.description]
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            entity_id = str(record[key])
            event = recorded.get((entity_type, entity_id))
            result.records_checked += 1
            if event is None:
                result.problems.append(f"{table} {entity_id} has no audit event: it was added outside billing")
            elif canonical_json(record) != event:
                result.problems.append(f"{table} {entity_id} differs from what its audit event recorded: it was edited")
