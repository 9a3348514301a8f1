"""`billing retention apply`: archive each due raw slice to Parquet, prove the copy, then purge it.

For every slice the plan makes due (plan.py), in order:

1. the slice is written to `<data>/archive/raw_usage/<table>/billing_period_start=<date>/part-<n>.parquet` (first
   under a temporary name) and read back: its row count, the sum of each money column and an order-independent
   fingerprint of every row must equal the warehouse slice's, else the file is removed and nothing is deleted;
2. the file gets its final name and a `.sha256` beside it (`sha256sum -c` format);
3. in ONE warehouse transaction the slice's rows are deleted (exactly the counted rows, else roll back) and a
   manifest row is appended to `audit.retention_actions`;
4. the ops store records the same manifest as an audit event (`retention.archived`) in the hash-chained trail.

A second apply finds no rows for an archived slice: it does nothing. Nothing but the raw tables of provider sources
is ever deleted; audit.ingested_files keeps every delivery's history. The warehouse is opened for writing, so a
running close (DuckDB's single writer) makes apply refuse in one line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.ingest.file_digests import sha256_of
from orchestration.ingest.warehouse import RETENTION_ACTIONS_DDL
from orchestration.ops.audit_trail import append_event
from orchestration.ops.errors import OpsError
from orchestration.ops.people import User
from orchestration.ops.store import write_transaction
from orchestration.retention.plan import PERIOD_COLUMN, Plan, Slice

ACTIONS_TABLE = "audit.retention_actions"
ACTIONS_DDL = RETENTION_ACTIONS_DDL
# Columns whose sums must survive the copy: every delivered column named like money.
MONEY_WORDS = ("cost", "amount")
MONEY_TYPE = "decimal(38, 18)"


@dataclass(frozen=True)
class Archived:
    slice: Slice
    path: Path
    sha256: str
    money_totals: dict[str, str]


@contextmanager
def warehouse_connection(path: Path, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse, read-only for a plan and for writing for apply; a running close refuses both in one line."""
    if not path.exists():
        raise OpsError(f"no warehouse at {path}; run `billing demo` and `billing close` first")
    try:
        con = duckdb.connect(str(path), read_only=not write)
    except duckdb.IOException as error:
        raise OpsError(
            f"the warehouse {path} is in use by another process, a close probably ({str(error).splitlines()[0]}); "
            "run retention again when it has finished"
        ) from None
    try:
        yield con
    finally:
        con.close()


def money_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ? "
            "order by ordinal_position",
            [table],
        ).fetchall()
        if not name.startswith("_") and any(word in name.lower() for word in MONEY_WORDS)
    ]


def _figures(con: duckdb.DuckDBPyConnection, relation: str, money: list[str], params: list[object]) -> tuple:
    sums = ", ".join(f'sum(try_cast("{name}" as {MONEY_TYPE}))' for name in money)
    sql = f"select count(*), cast(sum(hash(r)::hugeint) as varchar){', ' + sums if sums else ''} from {relation} as r"
    return tuple(con.execute(sql, params).fetchone())


def archive_path(archive_dir: Path, item: Slice) -> Path:
    folder = archive_dir / item.data_class / item.table / f"billing_period_start={item.period.isoformat()}"
    part = 0
    while (folder / f"part-{part}.parquet").exists():
        part += 1  # rows of the period loaded after an earlier archive (a late re-delivery) get the next part
    return folder / f"part-{part}.parquet"


def _archive_one(
    con: duckdb.DuckDBPyConnection, item: Slice, data_dir: Path, archive_dir: Path, plan: Plan, user: User
) -> Archived:
    money = money_columns(con, item.table)
    where = f"from raw.{item.table} where {PERIOD_COLUMN} = ?"
    period = [item.period.isoformat()]
    expected = _figures(con, f"(select * {where})", money, period)
    if expected[0] != item.rows:
        raise OpsError(
            f"raw.{item.table} {item.period:%Y-%m} has {expected[0]} rows, the plan counted {item.rows}: the "
            "warehouse changed meanwhile; run retention again"
        )
    target = archive_path(archive_dir, item)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    quoted = temporary.as_posix().replace("'", "''")
    con.execute(
        f"copy (select * {where} order by _source_file, try_cast(_source_row as bigint)) "
        f"to '{quoted}' (format parquet, compression zstd)",
        period,
    )
    # hive_partitioning off: the folder's billing_period_start=... would otherwise be read as an extra column
    found = _figures(con, f"read_parquet('{quoted}', hive_partitioning = false)", money, [])
    if found != expected:
        temporary.unlink()
        raise OpsError(
            f"the Parquet copy of raw.{item.table} {item.period:%Y-%m} does not match the warehouse (rows, money "
            f"totals or content: {found[:2]} vs {expected[:2]}); nothing was deleted — check disk space and retry"
        )
    temporary.replace(target)
    digest = sha256_of(target)
    target.with_name(target.name + ".sha256").write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    sums = expected[2:]
    totals = {name: "" if value is None else format(value, "f") for name, value in zip(money, sums, strict=True)}
    relative = target.relative_to(data_dir).as_posix()
    action_id = f"{item.table}/{item.period.isoformat()}/{target.stem}"
    con.execute("begin transaction")
    try:
        (deleted,) = con.execute(f"delete {where}", period).fetchone()
        if deleted != item.rows:
            raise OpsError(
                f"purging raw.{item.table} {item.period:%Y-%m} would delete {deleted} rows, not the {item.rows} "
                "archived; nothing was deleted — run retention again"
            )
        con.execute(
            f"insert into {ACTIONS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                action_id,
                datetime.now(UTC).replace(tzinfo=None),
                user.user_id,
                plan.policy.version,
                item.data_class,
                item.table,
                item.source,
                item.period,
                item.online_until,
                item.rows,
                json.dumps(totals, sort_keys=True),
                expected[1],
                relative,
                digest,
                target.stat().st_size,
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return Archived(item, target, digest, totals)


def _record_event(store: Path, user: User, plan: Plan, done: Archived, data_dir: Path) -> None:
    item = done.slice
    with write_transaction(store) as con:
        append_event(
            con,
            actor=user.user_id,
            actor_role=user.role,
            action="retention.archived",
            entity_type="retention_action",
            entity_id=f"{item.table}/{item.period.isoformat()}/{done.path.stem}",
            after={
                "policy_version": plan.policy.version,
                "as_of": plan.as_of.isoformat(),
                "data_class": item.data_class,
                "table": f"raw.{item.table}",
                "source": item.source,
                "billing_period_start": item.period.isoformat(),
                "online_until": item.online_until.isoformat(),
                "rows": item.rows,
                "money_totals": done.money_totals,
                "archive_path": done.path.relative_to(data_dir).as_posix(),
                "archive_sha256": done.sha256,
            },
            reason=item.why,
        )


def apply_plan(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    *,
    user: User,
    data_dir: Path,
    archive_dir: Path,
    store: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Archived]:
    """Archive and purge every due slice of the plan, one by one (each fully done before the next starts)."""
    con.execute("create schema if not exists audit")
    con.execute(ACTIONS_DDL)
    done: list[Archived] = []
    for item in plan.due:
        archived = _archive_one(con, item, data_dir, archive_dir, plan, user)
        _record_event(store, user, plan, archived, data_dir)
        done.append(archived)
        progress(
            f"archived raw.{item.table} {item.period:%Y-%m}: {item.rows} rows to "
            f"{archived.path.relative_to(data_dir).as_posix()} (sha256 {archived.sha256[:12]}…), purged"
        )
    return done


def archived_periods(con: duckdb.DuckDBPyConnection) -> dict[date, list[str]]:
    """Billing periods some raw slice of which was archived and purged, with the tables (for a re-close check)."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'audit' and table_name = "
        "'retention_actions'"
    ).fetchone()
    if not exists or not exists[0]:
        return {}
    periods: dict[date, list[str]] = {}
    for period, table in con.execute(
        f"select distinct billing_period_start, table_name from {ACTIONS_TABLE} order by 1, 2"
    ).fetchall():
        periods.setdefault(period, []).append(table)
    return periods
