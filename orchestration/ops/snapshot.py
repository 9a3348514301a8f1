"""The operational store copied into the warehouse at the start of each close, typed, for dbt to read.

`raw.ops_*` are replaced whole in one warehouse transaction from one consistent read of the store, so a close
sees every approval and publication recorded before it started and none recorded while it runs. No store file
(a fresh install, nothing published yet) makes them empty.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ops.operations_snapshot_tables import OPERATIONS_TABLES, operations_tables_ddl
from orchestration.ops.store import read_transaction

EVENTS_TABLE = "raw.ops_rate_card_events"
RATE_CARDS_TABLE = "raw.ops_published_rate_cards"
BUNDLES_TABLE = "raw.ops_published_rate_card_bundles"

SNAPSHOT_DDL = (
    f"""
    create table if not exists {EVENTS_TABLE} (
        event_id bigint,
        rate_card_version varchar,
        action varchar,
        actor varchar,
        acted_at timestamp,
        content_sha256 varchar,
        note varchar
    )
    """,
    f"""
    create table if not exists {RATE_CARDS_TABLE} (
        rate_card_version varchar,
        fiscal_year integer,
        valid_from date,
        valid_to date,
        it_service_id varchar,
        billing_currency varchar,
        rate_type varchar,
        unit varchar,
        unit_rate decimal(38, 10),
        description varchar,
        published_event_id bigint,
        published_at timestamp,
        published_by varchar,
        approved_at timestamp,
        approved_by varchar
    )
    """,
    f"""
    create table if not exists {BUNDLES_TABLE} (
        rate_card_version varchar,
        bundle_id varchar,
        bundle_name varchar,
        it_service_id varchar,
        discount_percent decimal(38, 10),
        published_event_id bigint
    )
    """,
)

# Published rows with who approved and published them. The approval is the latest one before the publication:
# publishing requires that approval's hash to be the published content's, so it is the one signed off.
PUBLISHED_RATE_CARDS_SQL = """
select
    r.rate_card_version, r.fiscal_year, r.valid_from, r.valid_to, r.it_service_id, r.billing_currency, r.rate_type,
    r.unit, r.unit_rate, r.description, r.published_event_id,
    p.acted_at, p.actor, a.acted_at, a.actor
from published_rate_cards as r
join rate_card_events as p on p.event_id = r.published_event_id
left join rate_card_events as a on a.event_id = (
    select max(event_id) from rate_card_events
    where rate_card_version = r.rate_card_version and action = 'approved' and event_id < r.published_event_id
)
order by r.rate_card_version, r.it_service_id, r.billing_currency
"""


def ensure_snapshot_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The raw.ops_* tables exist (empty) in every warehouse, so dbt can read them before anything is published."""
    con.execute("create schema if not exists raw")
    for ddl in (*SNAPSHOT_DDL, *operations_tables_ddl()):
        con.execute(ddl)


@dataclass
class SnapshotReport:
    store: Path
    store_found: bool
    events: int = 0
    published_versions: list[str] = field(default_factory=list)
    rate_lines: int = 0
    bundle_lines: int = 0
    operations_rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        if not self.store_found:
            return f"ops store snapshot: no store at {self.store} (nothing approved or published yet); raw.ops_* empty"
        versions = ", ".join(self.published_versions) or "none"
        rows = self.operations_rows
        return (
            f"ops store snapshot: {len(self.published_versions)} published rate card version(s) ({versions}), "
            f"{self.rate_lines} rate line(s), {self.bundle_lines} bundle line(s), {self.events} event(s); "
            f"billing operations: {rows.get('raw.ops_audit_events', 0)} audit event(s), "
            f"{rows.get('raw.ops_disputes', 0)} dispute(s), {rows.get('raw.ops_adjustments', 0)} adjustment(s), "
            f"{rows.get('raw.ops_adjustment_notes', 0)} note(s), {rows.get('raw.ops_payments', 0)} payment(s) "
            f"from {self.store}"
        )


def _utc(text: str | None) -> datetime | None:
    """Store instants (ISO 8601 with offset) as the warehouse's naive UTC timestamps."""
    if text is None:
        return None
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def _text(value: str | None) -> str | None:
    """An empty seed value is null in the warehouse, as dbt loads an empty seed cell (open valid_to, no unit)."""
    return value if value else None


def snapshot_ops_store(store: Path, con: duckdb.DuckDBPyConnection) -> SnapshotReport:
    """Replace raw.ops_* with the store's content, in one warehouse transaction."""
    events: list[tuple] = []
    rates: list[tuple] = []
    bundles: list[tuple] = []
    with read_transaction(store) as ops:
        if ops is not None:
            events = ops.execute(
                "select event_id, rate_card_version, action, actor, acted_at, content_sha256, note "
                "from rate_card_events order by event_id"
            ).fetchall()
            rates = ops.execute(PUBLISHED_RATE_CARDS_SQL).fetchall()
            bundles = ops.execute(
                "select rate_card_version, bundle_id, bundle_name, it_service_id, discount_percent, "
                "published_event_id from published_rate_card_bundles "
                "order by rate_card_version, bundle_id, it_service_id"
            ).fetchall()
        operations = _operations_rows(ops, store)
    report = SnapshotReport(store, store.exists(), len(events), sorted({row[0] for row in rates}), len(rates))
    report.operations_rows = {table: len(rows) for table, rows in operations.items() if table != "raw.ops_snapshot"}
    report.bundle_lines = len(bundles)
    ensure_snapshot_tables(con)
    con.begin()
    try:
        for table in (EVENTS_TABLE, RATE_CARDS_TABLE, BUNDLES_TABLE):
            con.execute(f"delete from {table}")
        if events:
            con.executemany(
                f"insert into {EVENTS_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
                [(e[0], e[1], e[2], e[3], _utc(e[4]), e[5], e[6]) for e in events],
            )
        if rates:
            # Text from the store, cast by the warehouse: the decimal is exactly the seed's, never a float.
            con.executemany(
                f"""
                insert into {RATE_CARDS_TABLE} values (
                    ?, cast(? as integer), cast(? as date), cast(? as date), ?, ?, ?, ?, cast(? as decimal(38, 10)),
                    ?, ?, ?, ?, ?, ?
                )
                """,
                [(*(_text(value) for value in r[:10]), r[10], _utc(r[11]), r[12], _utc(r[13]), r[14]) for r in rates],
            )
        if bundles:
            con.executemany(
                f"insert into {BUNDLES_TABLE} values (?, ?, ?, ?, cast(? as decimal(38, 10)), ?)",
                [(*(_text(value) for value in b[:5]), b[5]) for b in bundles],
            )
        for table, rows in operations.items():
            con.execute(f"delete from {table}")
            if rows:
                con.executemany(_operations_insert(table), rows)
        con.commit()
    except BaseException:
        con.rollback()
        raise
    return report


# The store's select for each warehouse table, its columns in OPERATIONS_TABLES' order.
_OPERATIONS_SELECTS: dict[str, str] = {
    "raw.ops_disputes": "select {columns} from disputes order by dispute_id",
    "raw.ops_dispute_events": "select {columns} from dispute_events order by event_id",
    "raw.ops_adjustments": "select {columns} from adjustments order by adjustment_id",
    "raw.ops_adjustment_decisions": "select {columns} from adjustment_decisions order by decision_id",
    "raw.ops_adjustment_notes": "select {columns} from adjustment_notes order by document_number",
    "raw.ops_payments": (
        "select {columns} from payments join "
        "(select file_sha256 as f_sha, file_name as statement_file from payment_files) on f_sha = file_sha256 "
        "order by payment_id"
    ),
    "raw.ops_audit_events": "select {columns} from audit_events order by event_id",
}


def _operations_rows(ops: sqlite3.Connection | None, store: Path) -> dict[str, list[tuple]]:
    """Every billing-operations table of one consistent read, converted to the warehouse's types."""
    has_operations = ops is not None and bool(
        ops.execute("select 1 from sqlite_master where type = 'table' and name = 'audit_events'").fetchone()
    )
    rows: dict[str, list[tuple]] = {}
    for table, columns in OPERATIONS_TABLES.items():
        if table == "raw.ops_snapshot":
            continue
        rows[table] = []
        if has_operations:
            assert ops is not None
            sql = _OPERATIONS_SELECTS[table].format(columns=", ".join(name for name, _ in columns))
            rows[table] = [
                tuple(
                    _utc(value) if kind == "timestamp" else value for (_, kind), value in zip(columns, row, strict=True)
                )
                for row in ops.execute(sql).fetchall()
            ]
    audit = rows["raw.ops_audit_events"]
    head = audit[-1][-1] if audit else None
    rows["raw.ops_snapshot"] = [(datetime.now(UTC).replace(tzinfo=None), str(store), len(audit), head)]
    return rows


def _operations_insert(table: str) -> str:
    """Text from the store cast by the warehouse: decimals and dates exactly as recorded, never via float."""
    placeholders = [
        f"cast(? as {kind})" if kind.startswith("decimal") or kind == "date" else "?"
        for _, kind in OPERATIONS_TABLES[table]
    ]
    return f"insert into {table} values ({', '.join(placeholders)})"
