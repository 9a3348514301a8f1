"""The rate-card workflow: draft (seed rows only) -> approved (finance sign-off of exact content) -> published.

Only published rates ever charge anybody. Publishing copies the version's rows into the operational store, so
a published version is immutable: later edits of its seed rows change nothing (they show as edited in
`billing rates list`; the way to change a rate is a new version).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.ops.audit_trail import record_row
from orchestration.ops.errors import OpsError
from orchestration.ops.fiscal_year import FiscalCalendar, fiscal_calendar
from orchestration.ops.rate_card_rules import version_problems
from orchestration.ops.rate_card_seeds import (
    BUNDLE_COLUMNS,
    RATE_CARD_COLUMNS,
    BundleLine,
    RateCardLine,
    RateCardSeeds,
    VersionContent,
)
from orchestration.ops.store import read_transaction, write_transaction

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RateCardEvent:
    event_id: int
    rate_card_version: str
    action: str  # approved | published
    actor: str
    acted_at: str  # ISO 8601, UTC
    content_sha256: str
    note: str | None

    @property
    def when(self) -> str:
        """acted_at for people: 2026-12-01 10:00:00 UTC."""
        return datetime.fromisoformat(self.acted_at).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _events(con: sqlite3.Connection, version: str | None = None) -> list[RateCardEvent]:
    where, params = ("where rate_card_version = ?", [version]) if version is not None else ("", [])
    rows = con.execute(
        "select event_id, rate_card_version, action, actor, acted_at, content_sha256, note "
        f"from rate_card_events {where} order by event_id",
        params,
    ).fetchall()
    return [RateCardEvent(*row) for row in rows]


@dataclass(frozen=True)
class History:
    """A version's events: the publication (if any) and the approval it rests on (or the latest one)."""

    approved: RateCardEvent | None
    published: RateCardEvent | None


def history(events: Iterable[RateCardEvent]) -> History:
    approved: RateCardEvent | None = None
    for event in events:
        if event.action == "published":
            return History(approved, event)  # nothing after a publication counts (and none is allowed)
        approved = event
    return History(approved, None)


def _record(
    con: sqlite3.Connection,
    version: str,
    action: str,
    actor: str,
    clock: Clock | None,
    sha: str,
    note: str | None,
    role: str,
) -> RateCardEvent:
    acted_at = (clock or utc_now)().astimezone(UTC).isoformat(timespec="seconds")
    cursor = con.execute(
        "insert into rate_card_events (rate_card_version, action, actor, acted_at, content_sha256, note) "
        "values (?, ?, ?, ?, ?, ?)",
        [version, action, actor, acted_at, sha, note],
    )
    event_id = int(cursor.lastrowid or 0)
    record_row(
        con,
        table="rate_card_events",
        key="event_id",
        value=event_id,
        actor=actor,
        actor_role=role,
        action=f"rate_card.{action}",
        reason=note,
    )
    return RateCardEvent(event_id, version, action, actor, acted_at, sha, note)


def _refuse_invalid(content: VersionContent, calendar: FiscalCalendar, doing: str) -> None:
    problems = version_problems(content, calendar)
    if problems:
        more = f" ({len(problems) - 1} more problem(s) after this one)" if len(problems) > 1 else ""
        raise OpsError(f"{problems[0]}{more}; nothing was {doing}")


def _refuse_published(version: str, published: RateCardEvent | None) -> None:
    if published is not None:
        raise OpsError(
            f"rate card {version} is already published (by {published.actor} at {published.when}) and a "
            "published version never changes; draft a new version in the seeds instead"
        )


def _recorded_history(store: Path, version: str) -> History:
    """The version's history read without creating the store: a refused action leaves no file behind."""
    with read_transaction(store) as con:
        return history(_events(con, version) if con is not None else [])


def _content(seeds: RateCardSeeds, version: str) -> VersionContent:
    if not seeds.has(version):
        known = ", ".join(seeds.versions()) or "none"
        raise OpsError(
            f"rate card {version} is not in {seeds.rate_cards_path} (versions there: {known}); draft its rows there "
            "first"
        )
    return seeds.content(version)


def _actor(actor: str) -> str:
    actor = actor.strip()
    if not actor:
        raise OpsError("no acting user: pass --as NAME or set BILLING_USER")
    return actor


def approve(
    store: Path,
    seeds: RateCardSeeds,
    version: str,
    *,
    actor: str,
    note: str | None = None,
    clock: Clock | None = None,
    calendar: FiscalCalendar | None = None,
    role: str = "finance_controller",
) -> RateCardEvent:
    """Finance's sign-off of the version's seed content as it is now (its sha256 is recorded)."""
    actor = _actor(actor)
    content = _content(seeds, version)
    _refuse_published(version, _recorded_history(store, version).published)
    _refuse_invalid(content, calendar or fiscal_calendar(), "approved")
    with write_transaction(store) as con:
        # Again under the write lock: somebody may have published it since.
        _refuse_published(version, history(_events(con, version)).published)
        return _record(con, version, "approved", actor, clock, content.sha256, note or None, role)


@dataclass(frozen=True)
class Publication:
    approved: RateCardEvent
    published: RateCardEvent
    rates: int
    bundles: int
    content: VersionContent


def _approval_to_publish(content: VersionContent, past: History) -> RateCardEvent:
    """The approval a publication rests on: the latest one, of exactly the content as it is now."""
    version = content.version
    _refuse_published(version, past.published)
    if past.approved is None:
        raise OpsError(
            f"rate card {version} has not been approved; finance signs it off first with "
            f"`billing rates approve {version}`, then publish it"
        )
    if past.approved.content_sha256 != content.sha256:
        raise OpsError(
            f"rate card {version} changed since it was approved by {past.approved.actor} at "
            f"{past.approved.when}; approve it again"
        )
    return past.approved


def publish(
    store: Path,
    seeds: RateCardSeeds,
    version: str,
    *,
    actor: str,
    clock: Clock | None = None,
    calendar: FiscalCalendar | None = None,
    role: str = "finance_controller",
) -> Publication:
    """Copy the approved content into the store's published tables; from then on these rows are what charges."""
    actor = _actor(actor)
    content = _content(seeds, version)
    _approval_to_publish(content, _recorded_history(store, version))
    # The approved content passed these rules; checked again because these rows are about to charge people.
    _refuse_invalid(content, calendar or fiscal_calendar(), "published")
    with write_transaction(store) as con:
        # Again under the write lock: another publisher or a new approval may have come in since.
        approval = _approval_to_publish(content, history(_events(con, version)))
        event = _record(con, version, "published", actor, clock, content.sha256, None, role)
        con.executemany(
            f"insert into published_rate_cards ({', '.join(RATE_CARD_COLUMNS)}, published_event_id) "
            f"values ({', '.join('?' for _ in RATE_CARD_COLUMNS)}, ?)",
            [[*line.values(), event.event_id] for line in content.rates],
        )
        con.executemany(
            f"insert into published_rate_card_bundles ({', '.join(BUNDLE_COLUMNS)}, published_event_id) "
            f"values ({', '.join('?' for _ in BUNDLE_COLUMNS)}, ?)",
            [[*line.values(), event.event_id] for line in content.bundles],
        )
        return Publication(approval, event, len(content.rates), len(content.bundles), content)


def published_content(store: Path, version: str) -> VersionContent | None:
    """The rows a published version charges with, as frozen at publication; None if it is not published."""
    with read_transaction(store) as con:
        if con is None:
            return None
        rates = con.execute(
            f"select {', '.join(RATE_CARD_COLUMNS)} from published_rate_cards where rate_card_version = ?", [version]
        ).fetchall()
        bundles = con.execute(
            f"select {', '.join(BUNDLE_COLUMNS)} from published_rate_card_bundles where rate_card_version = ?",
            [version],
        ).fetchall()
        if not history(_events(con, version)).published:
            return None
    return VersionContent(
        version, tuple(RateCardLine(*row) for row in rates), tuple(BundleLine(*row) for row in bundles)
    )


def known_versions(store: Path) -> set[str]:
    """Every version the store has a record of (approved or published)."""
    with read_transaction(store) as con:
        if con is None:
            return set()
        return {version for (version,) in con.execute("select distinct rate_card_version from rate_card_events")}


@dataclass(frozen=True)
class VersionStatus:
    """One line of `billing rates list`."""

    version: str
    fiscal_year: str
    valid_from: str
    valid_to: str
    status: str  # draft | approved | published
    lines: int  # rate lines: the published ones once published, else the seed's
    approved: RateCardEvent | None
    published: RateCardEvent | None
    # Why the seed no longer matches what was approved or published (None when it does).
    drift: str | None = None


def _shared(lines: Iterable[RateCardLine], column: str) -> str:
    """The value all lines have ('' included: an open valid_to), '-' without lines, 'mixed' if they differ."""
    values = {getattr(line, column) for line in lines}
    if not values:
        return "-"
    return values.pop() if len(values) == 1 else "mixed"


def _drift(status: str, seed: VersionContent | None, recorded: RateCardEvent) -> str | None:
    if seed is not None and seed.sha256 == recorded.content_sha256:
        return None
    if status == "published":
        if seed is None:
            return "removed from the seed after publishing; the published rows still charge"
        return "edited after publishing — draft a new version; the published rows still charge"
    if seed is None:
        return "removed from the seed since it was approved"
    return "changed since it was approved — approve it again before publishing"


def list_versions(store: Path, seeds: RateCardSeeds) -> list[VersionStatus]:
    """Every version of the seed or the store, ordered by fiscal year, validity start and name."""
    with read_transaction(store) as con:
        events = _events(con) if con is not None else []
        published_rows: dict[str, list[RateCardLine]] = defaultdict(list)
        if con is not None:
            for row in con.execute(f"select {', '.join(RATE_CARD_COLUMNS)} from published_rate_cards"):
                published_rows[row[0]].append(RateCardLine(*row))
    by_version: dict[str, list[RateCardEvent]] = defaultdict(list)
    for event in events:
        by_version[event.rate_card_version].append(event)
    statuses = []
    for version in dict.fromkeys([*seeds.versions(), *by_version]):
        past = history(by_version.get(version, []))
        seed = seeds.content(version) if seeds.has(version) else None
        if past.published is not None:
            status, lines, recorded = "published", published_rows[version], past.published
        else:
            status = "approved" if past.approved is not None else "draft"
            lines, recorded = list(seed.rates if seed else ()), past.approved
        statuses.append(
            VersionStatus(
                version,
                _shared(lines, "fiscal_year"),
                _shared(lines, "valid_from"),
                _shared(lines, "valid_to"),
                status,
                len(lines),
                past.approved,
                past.published,
                _drift(status, seed, recorded) if recorded is not None else None,
            )
        )
    return sorted(statuses, key=lambda s: (s.fiscal_year, s.valid_from, s.version))
