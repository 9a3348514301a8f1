"""Legal holds in the operational store: placed and released by the finance controller, each an audit event.

A hold names a data class (seeds/retention_policies.csv) and optionally one billing period, one source and/or
one client; an empty scope part means "all". While a hold is active nothing it covers is archived or purged.
Raw usage rows do not say which client they belong to, so a hold with a client covers every source's raw
usage of its period (or of every period, without one): a client's dispute or audit keeps everything that
could stand behind its invoices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.ops.audit_trail import insert_recorded, instant, sqlite_rows
from orchestration.ops.errors import OpsError
from orchestration.ops.people import Action, Directory
from orchestration.ops.store import read_transaction, write_transaction
from orchestration.retention.policy import DATA_CLASSES
from orchestration.sources import FORMATS


@dataclass(frozen=True)
class Hold:
    hold_id: str
    placed_at: str
    placed_by: str
    data_class: str
    billing_period_start: date | None
    source: str | None
    client_id: str | None
    reason: str
    released_at: str | None = None
    released_by: str | None = None
    release_reason: str | None = None

    @property
    def active(self) -> bool:
        return self.released_at is None

    @property
    def scope(self) -> str:
        parts = [
            self.data_class,
            f"period {self.billing_period_start:%Y-%m}" if self.billing_period_start else "every period",
        ]
        if self.source:
            parts.append(f"source {self.source}")
        if self.client_id:
            parts.append(f"client {self.client_id}")
        return ", ".join(parts)

    def covers(self, data_class: str, period: date, source: str | None) -> bool:
        """Whether this active hold covers a slice (a client hold covers raw usage of every source)."""
        return (
            self.active
            and self.data_class == data_class
            and (self.billing_period_start is None or self.billing_period_start == period)
            and (self.source is None or source is None or self.source == source)
        )


def _hold(row: dict[str, object]) -> Hold:
    period = row["billing_period_start"]
    return Hold(
        hold_id=str(row["hold_id"]),
        placed_at=str(row["placed_at"]),
        placed_by=str(row["placed_by"]),
        data_class=str(row["data_class"]),
        billing_period_start=date.fromisoformat(str(period)) if period else None,
        source=str(row["source"]) if row["source"] else None,
        client_id=str(row["client_id"]) if row["client_id"] else None,
        reason=str(row["reason"]),
        released_at=str(row["released_at"]) if row.get("released_at") else None,
        released_by=str(row["released_by"]) if row.get("released_by") else None,
        release_reason=str(row["release_reason"]) if row.get("release_reason") else None,
    )


_SELECT = """
    select holds.*, releases.released_at, releases.released_by, releases.reason as release_reason
    from legal_holds as holds
    left join legal_hold_releases as releases on releases.hold_id = holds.hold_id
"""


def read_holds(store: Path) -> list[Hold]:
    """Every hold, active and released, oldest first; none when the store does not exist or predates holds."""
    with read_transaction(store) as con:
        if con is None or not con.execute("select 1 from sqlite_master where name = 'legal_holds'").fetchone():
            return []
        return [_hold(row) for row in sqlite_rows(con, _SELECT + " order by holds.hold_id", [])]


def place_hold(
    store: Path,
    people: Directory,
    *,
    actor: str,
    data_class: str,
    reason: str,
    period: date | None = None,
    source: str | None = None,
    client_id: str | None = None,
) -> Hold:
    user = people.authorize(actor, Action.RETENTION_HOLD)
    if data_class not in DATA_CLASSES:
        raise OpsError(f"--class {data_class!r} is not a data class; use one of {', '.join(DATA_CLASSES)}")
    if source is not None and source not in FORMATS:
        raise OpsError(f"--source {source!r} is not a source; use one of {', '.join(FORMATS)}")
    if not reason.strip():
        raise OpsError("a legal hold needs --reason (the matter or request it serves)")
    with write_transaction(store) as con:
        (count,) = con.execute("select count(*) from legal_holds").fetchone()
        hold_id = f"LH-{count + 1:06d}"
        insert_recorded(
            con,
            "legal_holds",
            {
                "hold_id": hold_id,
                "placed_at": instant(),
                "placed_by": user.user_id,
                "data_class": data_class,
                "billing_period_start": period.isoformat() if period else None,
                "source": source,
                "client_id": client_id,
                "reason": reason.strip(),
            },
            actor=user.user_id,
            actor_role=user.role,
            action="legal_hold.placed",
            reason=reason.strip(),
        )
        return _hold(sqlite_rows(con, _SELECT + " where holds.hold_id = ?", [hold_id])[0])


def release_hold(store: Path, people: Directory, *, actor: str, hold_id: str, reason: str) -> Hold:
    user = people.authorize(actor, Action.RETENTION_HOLD)
    if not reason.strip():
        raise OpsError("releasing a legal hold needs --reason (why the matter no longer needs it)")
    with write_transaction(store) as con:
        rows = sqlite_rows(con, _SELECT + " where holds.hold_id = ?", [hold_id.strip()])
        if not rows:
            raise OpsError(f"there is no legal hold {hold_id.strip()}; see `billing retention holds list`")
        hold = _hold(rows[0])
        if not hold.active:
            raise OpsError(f"{hold.hold_id} was already released by {hold.released_by} at {hold.released_at}")
        insert_recorded(
            con,
            "legal_hold_releases",
            {"hold_id": hold.hold_id, "released_at": instant(), "released_by": user.user_id, "reason": reason.strip()},
            actor=user.user_id,
            actor_role=user.role,
            action="legal_hold.released",
            reason=reason.strip(),
        )
        return _hold(sqlite_rows(con, _SELECT + " where holds.hold_id = ?", [hold.hold_id])[0])
