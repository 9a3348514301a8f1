"""Deliveries still waiting for files: what a close closed without, recorded so that it can say so.

A delivery in parts loads only once every file its manifest lists has landed (orchestration/ingest/deliveries.py).
Until then a close of its month closes on the month's previous delivery, if any. Each ingest of a source replaces
that source's rows of `audit.waiting_deliveries` with the deliveries waiting now, so the table holds what the landing
zone is waiting for, with when each was first seen; the close summary lists those of its month (and those whose
month is not known yet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import duckdb

WAITING_DELIVERIES_DDL = """
create table if not exists audit.waiting_deliveries (
    source varchar not null,
    manifest varchar not null,
    manifest_sha256 varchar not null,
    billing_period_start date,
    files_listed integer not null,
    files_landed integer not null,
    missing varchar not null,
    first_seen_at timestamp not null,
    checked_at timestamp not null
)
"""


@dataclass(frozen=True)
class WaitingDelivery:
    source: str
    manifest: str
    manifest_sha256: str
    billing_period_start: date | None
    files_listed: int
    missing: tuple[str, ...]
    first_seen_at: datetime | None = None

    @property
    def files_landed(self) -> int:
        return self.files_listed - len(self.missing)

    def state(self) -> str:
        """What waits, for which month, since when, and for which files."""
        month = f"{self.billing_period_start:%Y-%m}" if self.billing_period_start else "a month not known yet"
        since = f", waiting since {self.first_seen_at:%Y-%m-%d %H:%M} UTC" if self.first_seen_at else ""
        shown = ", ".join(self.missing[:3]) + (f" and {len(self.missing) - 3} more" if len(self.missing) > 3 else "")
        return (
            f"{self.source} delivery {self.manifest} for {month} lists {self.files_listed} files, "
            f"{self.files_landed} landed{since} (missing {shown})"
        )

    def describe(self) -> str:
        """One line for a close: what waits and what to do."""
        return f"{self.state()}: none of its rows is in this close; close the month again once the rest has landed"


def record_waiting(
    con: duckdb.DuckDBPyConnection, source: str, waiting: list[WaitingDelivery], checked_at: datetime
) -> None:
    """The source's deliveries waiting now replace those its previous ingest found; a delivery still waiting keeps
    the time it was first seen."""
    con.execute("begin transaction")
    try:
        first_seen = {
            (manifest, sha): seen
            for manifest, sha, seen in con.execute(
                "select manifest, manifest_sha256, first_seen_at from audit.waiting_deliveries where source = ?",
                [source],
            ).fetchall()
        }
        con.execute("delete from audit.waiting_deliveries where source = ?", [source])
        for delivery in waiting:
            con.execute(
                "insert into audit.waiting_deliveries values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    source,
                    delivery.manifest,
                    delivery.manifest_sha256,
                    delivery.billing_period_start,
                    delivery.files_listed,
                    delivery.files_landed,
                    json.dumps(list(delivery.missing)),
                    first_seen.get((delivery.manifest, delivery.manifest_sha256), checked_at),
                    checked_at,
                ],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def waiting_for_period(con: duckdb.DuckDBPyConnection, period: date | None) -> list[WaitingDelivery]:
    """The deliveries waiting for files of `period`, and those whose month is not known until their parts land;
    with no period, every delivery waiting (as of each source's last ingest)."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'audit' and table_name = 'waiting_deliveries'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    rows = con.execute(
        """
        select source, manifest, manifest_sha256, billing_period_start, files_listed, missing, first_seen_at
        from audit.waiting_deliveries
        where $period is null or billing_period_start = $period or billing_period_start is null
        order by billing_period_start nulls last, source, manifest
        """,
        {"period": period},
    ).fetchall()
    return [
        WaitingDelivery(source, manifest, sha, start, listed, tuple(json.loads(missing)), seen)
        for source, manifest, sha, start, listed, missing, seen in rows
    ]
