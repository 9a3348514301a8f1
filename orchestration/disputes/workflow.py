"""The dispute lifecycle in the operational store: open → acknowledged → investigating (owner assigned) → resolved.

Each action is one store transaction that checks the state under the write lock, appends its row and its audit
event, or refuses and writes nothing. Intake checks an invoice line against the issued-documents register and a
chargeback line against finance's seeds, never the warehouse, so a dispute can be recorded while a close runs.
SLA deadlines (business days, seeds/dispute_sla_policy.csv) are fixed at intake.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from orchestration.ops.audit_trail import Clock, insert_recorded, instant, now_utc, record_row, sqlite_rows
from orchestration.ops.errors import OpsError
from orchestration.ops.issued_register import issued_document
from orchestration.ops.people import OPERATIONS_TEAM_ROLES, Action, Directory, User
from orchestration.ops.policies import OperationsPolicy
from orchestration.ops.store import read_transaction, write_transaction

ROOT_CAUSES = (
    "metering_error",
    "misclassified_service",
    "rate_error",
    "contract_interpretation",
    "duplicate_charge",
    "other",
)
OUTCOMES = ("upheld", "rejected")
STAGE_EVENTS = {"acknowledge": "acknowledged", "investigate": "assigned", "resolve": "resolved"}


@dataclass(frozen=True)
class InvoiceLineTarget:
    invoice_number: str
    line_number: int


@dataclass(frozen=True)
class ChargebackLineTarget:
    billing_period_start: date
    department_id: str
    service_id: str
    cost_center_id: str | None = None


Target = InvoiceLineTarget | ChargebackLineTarget


@dataclass(frozen=True)
class DisputeState:
    """A dispute as its rows say now (derived, never stored)."""

    record: dict[str, object]
    events: list[dict[str, object]]

    @property
    def dispute_id(self) -> str:
        return str(self.record["dispute_id"])

    def _first(self, action: str) -> dict[str, object] | None:
        return next((event for event in self.events if event["action"] == action), None)

    @property
    def status(self) -> str:
        if self._first("resolved"):
            return "resolved"
        if self._first("assigned"):
            return "investigating"
        if self._first("acknowledged"):
            return "acknowledged"
        return "open"

    @property
    def owner(self) -> str | None:
        owners = [event["owner"] for event in self.events if event["action"] == "assigned"]
        return str(owners[-1]) if owners else None

    @property
    def resolution(self) -> dict[str, object] | None:
        return self._first("resolved")

    def stage_done_at(self, stage: str) -> str | None:
        event = self._first(STAGE_EVENTS[stage])
        return str(event["acted_at"]) if event else None

    def breached_stages(self, at: str) -> list[str]:
        """Stages whose deadline passed before they were done (or, not done, before `at`)."""
        late = []
        for stage in STAGE_EVENTS:
            due = str(self.record[f"{stage}_due_at"])
            done = self.stage_done_at(stage)
            if (done or at) > due:
                late.append(stage)
        return late

    def alerted_stages(self) -> set[str]:
        return {str(event["comment"]) for event in self.events if event["action"] == "breach_alerted"}


def _state(con: sqlite3.Connection, dispute_id: str) -> DisputeState:
    record = sqlite_rows(con, "select * from disputes where dispute_id = ?", [dispute_id])
    if not record:
        raise OpsError(f"dispute {dispute_id} does not exist; see `billing disputes list`")
    events = sqlite_rows(con, "select * from dispute_events where dispute_id = ? order by event_id", [dispute_id])
    return DisputeState(record[0], events)


def _seed_ids(seeds_dir: Path, seed: str, column: str) -> set[str]:
    with (seeds_dir / seed).open(newline="", encoding="utf-8") as handle:
        return {(row.get(column) or "").strip() for row in csv.DictReader(handle)}


def _in_scope(user: User, record: dict[str, object]) -> bool:
    if user.role == "department_viewer":
        return record.get("department_id") == user.department_id
    if user.role == "client_viewer":
        return record.get("client_id") == user.client_id
    return True


def _check_scope(user: User, record: dict[str, object], what: str) -> None:
    if not _in_scope(user, record):
        scope = user.department_id if user.role == "department_viewer" else user.client_id
        raise OpsError(f"{user.user_id} ({user.role}) sees only {scope}'s records; {what} is not one of them")


def open_dispute(
    store: Path,
    directory: Directory,
    policy: OperationsPolicy,
    seeds_dir: Path,
    *,
    actor: str | None,
    target: Target,
    description: str,
    disputed_amount: Decimal | None = None,
    currency: str | None = None,
    clock: Clock | None = None,
) -> DisputeState:
    """Record a dispute of one invoice or chargeback line, with its SLA deadlines."""
    user = directory.authorize(actor, Action.DISPUTE_OPEN)
    if not description.strip():
        raise OpsError("a dispute needs a description of what is wrong (--description)")
    if disputed_amount is not None and disputed_amount <= 0:
        raise OpsError(f"--amount {disputed_amount} must be positive: the amount the line is wrong by")
    opened = (clock or now_utc)()
    due = policy.due(opened)
    record: dict[str, object] = {"target_type": "", "client_id": None, "department_id": None}
    with write_transaction(store) as con:
        if isinstance(target, InvoiceLineTarget):
            issued = issued_document(con, target.invoice_number)
            if issued is None:
                raise OpsError(
                    f"{target.invoice_number} is not an issued invoice or note (the register is updated by every "
                    "close); check the number with `billing invoices list`"
                )
            if issued.line(target.line_number) is None:
                raise OpsError(
                    f"{target.invoice_number} has no line {target.line_number} (lines 1..{len(issued.lines)}); "
                    f"see `billing invoices show {target.invoice_number}`"
                )
            record = {
                "target_type": "invoice_line",
                "invoice_number": target.invoice_number,
                "line_number": target.line_number,
                "client_id": issued.client_id,
                "currency": currency or issued.currency,
            }
            _check_scope(user, record, f"invoice {target.invoice_number}")
        else:
            if target.department_id not in _seed_ids(seeds_dir, "departments.csv", "department_id"):
                raise OpsError(f"department {target.department_id} is not in {seeds_dir / 'departments.csv'}")
            if target.service_id not in _seed_ids(seeds_dir, "it_services.csv", "it_service_id"):
                raise OpsError(f"service {target.service_id} is not in {seeds_dir / 'it_services.csv'}")
            record = {
                "target_type": "chargeback_line",
                "billing_period_start": target.billing_period_start.isoformat(),
                "department_id": target.department_id,
                "cost_center_id": target.cost_center_id,
                "service_id": target.service_id,
                "currency": currency,
            }
            _check_scope(user, record, f"department {target.department_id}")
        if disputed_amount is not None and not record.get("currency"):
            raise OpsError("--amount needs --currency for a chargeback line")
        (last,) = con.execute("select count(*) from disputes").fetchone()
        dispute_id = f"DSP-{last + 1:06d}"
        record |= {
            "dispute_id": dispute_id,
            "opened_at": instant(lambda: opened),
            "opened_by": user.user_id,
            "disputed_amount": None if disputed_amount is None else format(disputed_amount, "f"),
            "description": description.strip(),
            **{f"{stage}_due_at": moment.isoformat(timespec="microseconds") for stage, moment in due.items()},
        }
        insert_recorded(
            con,
            "disputes",
            record,
            actor=user.user_id,
            actor_role=user.role,
            action="dispute.opened",
            reason=description.strip(),
        )
        return _state(con, dispute_id)


def _event(
    con: sqlite3.Connection,
    user: User,
    dispute_id: str,
    action: str,
    *,
    clock: Clock | None,
    owner: str | None = None,
    root_cause: str | None = None,
    outcome: str | None = None,
    comment: str | None = None,
) -> DisputeState:
    before = _state(con, dispute_id)
    cursor = con.execute(
        "insert into dispute_events (dispute_id, action, actor, acted_at, owner, root_cause, outcome, comment) "
        "values (?, ?, ?, ?, ?, ?, ?, ?)",
        [dispute_id, action, user.user_id, instant(clock), owner, root_cause, outcome, comment],
    )
    record_row(
        con,
        table="dispute_events",
        key="event_id",
        value=cursor.lastrowid,
        actor=user.user_id,
        actor_role=user.role,
        action=f"dispute.{action}",
        before={"dispute_id": dispute_id, "status": before.status, "owner": before.owner},
        reason=comment,
    )
    return _state(con, dispute_id)


def _refuse_resolved(state: DisputeState, doing: str) -> None:
    if state.status == "resolved":
        resolution = state.resolution or {}
        raise OpsError(
            f"dispute {state.dispute_id} was resolved by {resolution.get('actor')} at {resolution.get('acted_at')}; "
            f"a resolved dispute cannot be {doing} (open a new dispute if the problem persists)"
        )


def acknowledge(
    store: Path,
    directory: Directory,
    *,
    actor: str | None,
    dispute_id: str,
    comment: str | None = None,
    clock: Clock | None = None,
) -> DisputeState:
    user = directory.authorize(actor, Action.DISPUTE_ACKNOWLEDGE)
    with write_transaction(store) as con:
        state = _state(con, dispute_id)
        _refuse_resolved(state, "acknowledged")
        if state.status != "open":
            raise OpsError(f"dispute {dispute_id} was already acknowledged (status {state.status})")
        return _event(con, user, dispute_id, "acknowledged", clock=clock, comment=comment)


def assign(
    store: Path, directory: Directory, *, actor: str | None, dispute_id: str, owner: str, clock: Clock | None = None
) -> DisputeState:
    user = directory.authorize(actor, Action.DISPUTE_ASSIGN)
    assignee = directory.user(owner)
    if assignee.role not in OPERATIONS_TEAM_ROLES:
        raise OpsError(
            f"{assignee.user_id} ({assignee.role}) is not in the billing operations team; assign a "
            f"{' or '.join(sorted(OPERATIONS_TEAM_ROLES))}"
        )
    with write_transaction(store) as con:
        state = _state(con, dispute_id)
        _refuse_resolved(state, "reassigned")
        if state.status == "open":
            raise OpsError(f"dispute {dispute_id} is not acknowledged yet; acknowledge it first")
        if state.owner == assignee.user_id:
            raise OpsError(f"dispute {dispute_id} is already assigned to {assignee.user_id}")
        return _event(con, user, dispute_id, "assigned", clock=clock, owner=assignee.user_id)


def comment(
    store: Path, directory: Directory, *, actor: str | None, dispute_id: str, text: str, clock: Clock | None = None
) -> DisputeState:
    user = directory.authorize(actor, Action.DISPUTE_COMMENT)
    if not text.strip():
        raise OpsError("an empty comment says nothing; write what was found or asked")
    with write_transaction(store) as con:
        state = _state(con, dispute_id)
        _check_scope(user, state.record, f"dispute {dispute_id}")
        return _event(con, user, dispute_id, "commented", clock=clock, comment=text.strip())


def resolve(
    store: Path,
    directory: Directory,
    *,
    actor: str | None,
    dispute_id: str,
    root_cause: str,
    outcome: str,
    resolution: str,
    clock: Clock | None = None,
) -> DisputeState:
    user = directory.authorize(actor, Action.DISPUTE_RESOLVE)
    if root_cause not in ROOT_CAUSES:
        raise OpsError(f"root cause {root_cause!r} is not one of {', '.join(ROOT_CAUSES)}")
    if outcome not in OUTCOMES:
        raise OpsError(f"outcome {outcome!r} is not one of {', '.join(OUTCOMES)}")
    if not resolution.strip():
        raise OpsError("a resolution needs a text saying what was found and decided (--resolution)")
    with write_transaction(store) as con:
        state = _state(con, dispute_id)
        _refuse_resolved(state, "resolved again")
        if state.status != "investigating":
            raise OpsError(
                f"dispute {dispute_id} is {state.status}; it is resolved after an owner investigated it (assign it)"
            )
        return _event(
            con,
            user,
            dispute_id,
            "resolved",
            clock=clock,
            root_cause=root_cause,
            outcome=outcome,
            comment=resolution.strip(),
        )


def list_disputes(store: Path, directory: Directory, *, actor: str | None) -> list[DisputeState]:
    user = directory.authorize(actor, Action.DISPUTE_VIEW)
    with read_transaction(store) as con:
        if con is None or not con.execute("select 1 from sqlite_master where name = 'disputes'").fetchone():
            return []
        ids = [row[0] for row in con.execute("select dispute_id from disputes order by dispute_id")]
        states = [_state(con, dispute_id) for dispute_id in ids]
    return [state for state in states if _in_scope(user, state.record)]


def get_dispute(store: Path, directory: Directory, *, actor: str | None, dispute_id: str) -> DisputeState:
    user = directory.authorize(actor, Action.DISPUTE_VIEW)
    with read_transaction(store) as con:
        if con is None:
            raise OpsError(f"dispute {dispute_id} does not exist; nothing has been recorded yet")
        state = _state(con, dispute_id)
    _check_scope(user, state.record, f"dispute {dispute_id}")
    return state


def record_breach_alerts(
    store: Path, directory: Directory, *, actor: str | None, clock: Clock | None = None
) -> list[tuple[DisputeState, str]]:
    """Each SLA stage breached and not alerted yet gets one `breach_alerted` event; returns what is new."""
    user = directory.authorize(actor, Action.DISPUTE_ACKNOWLEDGE)
    now = instant(clock)
    alerts: list[tuple[DisputeState, str]] = []
    with write_transaction(store) as con:
        ids = [row[0] for row in con.execute("select dispute_id from disputes order by dispute_id")]
        for dispute_id in ids:
            state = _state(con, dispute_id)
            for stage in state.breached_stages(now):
                if stage in state.alerted_stages() or state.stage_done_at(stage):
                    continue
                _event(con, user, dispute_id, "breach_alerted", clock=clock, comment=stage)
                alerts.append((state, stage))
    return alerts


def parse_target(invoice: str | None, line: int | None, chargeback: str | None) -> Target:
    """`--invoice NUMBER --line N`, or `--chargeback YYYY-MM/DEPARTMENT/SERVICE[/COST_CENTER]`."""
    if invoice and chargeback:
        raise OpsError(
            "dispute either an invoice line (--invoice, --line) or a chargeback line (--chargeback), not both"
        )
    if invoice:
        if line is None or line < 1:
            raise OpsError("--invoice needs --line N, the disputed line's number (see `billing invoices show`)")
        return InvoiceLineTarget(invoice.strip(), line)
    if chargeback:
        match = re.fullmatch(r"(\d{4})-(\d{2})/([^/]+)/([^/]+)(?:/([^/]+))?", chargeback.strip())
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise OpsError(
                f"--chargeback {chargeback!r} is not PERIOD/DEPARTMENT/SERVICE[/COST_CENTER], e.g. 2026-10/D-ITOPS/"
                "IT-COMPUTE"
            )
        period = date(int(match.group(1)), int(match.group(2)), 1)
        return ChargebackLineTarget(period, match.group(3), match.group(4), match.group(5))
    raise OpsError("name the disputed line: --invoice NUMBER --line N, or --chargeback PERIOD/DEPARTMENT/SERVICE")
