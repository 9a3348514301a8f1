"""Maker-checker adjustments: a billing analyst proposes a credit or debit note against a line of an issued invoice;
someone else approves it (two distinct approvers above the currency's materiality threshold); the last approval
issues the note with its own gapless number and documents (orchestration/adjustments/notes.py).

Nothing is edited in place: a proposal, each decision and the issued note are new rows, each with its audit
event, in one store transaction per action; a refused action writes nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from orchestration.adjustments.notes import IssuedNote, issue_note
from orchestration.ops.audit_trail import Clock, insert_recorded, instant, record_row, sqlite_rows
from orchestration.ops.errors import OpsError
from orchestration.ops.issued_register import IssuedRecord, corrections_of, issued_document
from orchestration.ops.people import Action, Directory
from orchestration.ops.policies import OperationsPolicy
from orchestration.ops.store import read_transaction, write_transaction

KINDS = ("credit_note", "debit_note")


@dataclass(frozen=True)
class AdjustmentState:
    record: dict[str, object]
    decisions: list[dict[str, object]]
    note: dict[str, object] | None

    @property
    def adjustment_id(self) -> str:
        return str(self.record["adjustment_id"])

    @property
    def approvers(self) -> list[str]:
        return [str(d["actor"]) for d in self.decisions if d["decision"] == "approved"]

    @property
    def status(self) -> str:
        if any(d["decision"] == "rejected" for d in self.decisions):
            return "rejected"
        if self.note is not None:
            return "issued"
        return "proposed" if not self.approvers else "partially_approved"


def _state(con: sqlite3.Connection, adjustment_id: str) -> AdjustmentState:
    record = sqlite_rows(con, "select * from adjustments where adjustment_id = ?", [adjustment_id])
    if not record:
        raise OpsError(f"adjustment {adjustment_id} does not exist; see `billing adjustments list`")
    decisions = sqlite_rows(
        con, "select * from adjustment_decisions where adjustment_id = ? order by decision_id", [adjustment_id]
    )
    note = sqlite_rows(con, "select * from adjustment_notes where adjustment_id = ?", [adjustment_id])
    return AdjustmentState(record[0], decisions, note[0] if note else None)


def creditable_amount(con: sqlite3.Connection, invoice: IssuedRecord, *, excluding: str | None = None) -> Decimal:
    """What can still be credited on the invoice: its total, less every credit issued or pending against it, plus
    debit notes issued against it. Pending proposals count, so two proposals cannot together exceed it."""
    amount = invoice.total
    amount += sum((note.total for note in corrections_of(con, invoice.invoice_number)), Decimal(0))
    for kind, gross, adjustment_id in con.execute(
        "select kind, gross_amount, adjustment_id from adjustments where invoice_number = ? "
        "and adjustment_id not in (select adjustment_id from adjustment_decisions where decision = 'rejected')",
        [invoice.invoice_number],
    ).fetchall():
        if adjustment_id == excluding:
            continue
        issued = con.execute("select 1 from adjustment_notes where adjustment_id = ?", [adjustment_id]).fetchone()
        if kind == "credit_note":
            amount -= Decimal(gross)
        elif issued:
            amount += Decimal(gross)
    return amount


def propose(
    store: Path,
    directory: Directory,
    policy: OperationsPolicy,
    *,
    actor: str | None,
    kind: str,
    invoice_number: str,
    line_number: int,
    net_amount: Decimal,
    description: str,
    reason: str,
    dispute_id: str | None = None,
    clock: Clock | None = None,
) -> AdjustmentState:
    """Propose a note for one line of an issued invoice; its tax follows the line's tax category and rate."""
    user = directory.authorize(actor, Action.ADJUSTMENT_PROPOSE)
    if kind not in KINDS:
        raise OpsError(f"--kind {kind!r} is not one of {', '.join(KINDS)}")
    if net_amount <= 0:
        raise OpsError(f"--amount {net_amount} must be positive (the net amount the note credits or debits)")
    if not description.strip() or not reason.strip():
        raise OpsError("an adjustment needs --description (printed on the note) and --reason (kept in the audit trail)")
    with write_transaction(store) as con:
        invoice = issued_document(con, invoice_number)
        if invoice is None or invoice.document_type != "invoice":
            raise OpsError(
                f"{invoice_number} is not an issued invoice (notes correct invoices); check it with "
                "`billing invoices list`"
            )
        line = invoice.line(line_number)
        if line is None:
            raise OpsError(f"{invoice_number} has no line {line_number} (lines 1..{len(invoice.lines)})")
        minor = policy.minor_units.get(invoice.currency, 2)
        if net_amount != policy.round_money(net_amount, invoice.currency):
            raise OpsError(
                f"--amount {net_amount} has more decimals than {invoice.currency} has ({minor}); give it in "
                "the currency's minor units"
            )
        if dispute_id is not None:
            _check_dispute(con, dispute_id, invoice_number)
        mode = policy.tax_rounding.get(line.tax_jurisdiction_id or "", "half_up")
        tax = policy.round_money(net_amount * line.tax_rate, invoice.currency, mode)
        gross = net_amount + tax
        if kind == "credit_note":
            if net_amount > line.amount:
                raise OpsError(
                    f"a credit of {net_amount} {invoice.currency} is above line {line_number} of {invoice_number} "
                    f"({policy.round_money(line.amount, invoice.currency)} {invoice.currency} net); credit at most "
                    "the line"
                )
            left = creditable_amount(con, invoice)
            if gross > left:
                shown = policy.round_money(left, invoice.currency)
                raise OpsError(
                    f"a credit of {gross} {invoice.currency} (net {net_amount} + tax {tax}) is above what is left to "
                    f"credit on {invoice_number}: {shown} of its {policy.round_money(invoice.total, invoice.currency)} "
                    f"{invoice.currency} (credits issued and pending count); nothing was proposed"
                )
        threshold = policy.threshold(invoice.currency)
        (count,) = con.execute("select count(*) from adjustments").fetchone()
        adjustment_id = f"ADJ-{count + 1:06d}"
        record = {
            "adjustment_id": adjustment_id,
            "proposed_at": instant(clock),
            "proposed_by": user.user_id,
            "kind": kind,
            "dispute_id": dispute_id,
            "invoice_number": invoice_number,
            "line_number": line_number,
            "legal_entity_id": invoice.legal_entity_id,
            "client_id": invoice.client_id,
            "billing_period_start": invoice.billing_period_start.isoformat(),
            "currency": invoice.currency,
            "net_amount": format(net_amount, "f"),
            "tax_amount": format(tax, "f"),
            "gross_amount": format(gross, "f"),
            "description": description.strip(),
            "reason": reason.strip(),
            "required_approvals": 2 if gross > threshold else 1,
        }
        insert_recorded(
            con,
            "adjustments",
            record,
            actor=user.user_id,
            actor_role=user.role,
            action="adjustment.proposed",
            reason=reason.strip(),
        )
        return _state(con, adjustment_id)


def _check_dispute(con: sqlite3.Connection, dispute_id: str, invoice_number: str) -> None:
    dispute = con.execute("select invoice_number from disputes where dispute_id = ?", [dispute_id]).fetchone()
    if dispute is None:
        raise OpsError(f"dispute {dispute_id} does not exist; see `billing disputes list`")
    if dispute[0] != invoice_number:
        raise OpsError(f"dispute {dispute_id} is about {dispute[0] or 'a chargeback line'}, not {invoice_number}")
    resolved = con.execute(
        "select outcome from dispute_events where dispute_id = ? and action = 'resolved'", [dispute_id]
    ).fetchone()
    if resolved is None or resolved[0] != "upheld":
        raise OpsError(
            f"dispute {dispute_id} is not resolved as upheld; a note follows a dispute only once it is resolved in "
            "the client's favour"
        )


@dataclass(frozen=True)
class Decision:
    state: AdjustmentState
    note: IssuedNote | None  # the note issued by this decision (the last approval), else None


def approve(
    store: Path,
    directory: Directory,
    policy: OperationsPolicy,
    output_dir: Path,
    *,
    actor: str | None,
    adjustment_id: str,
    reason: str | None = None,
    clock: Clock | None = None,
) -> Decision:
    user = directory.authorize(actor, Action.ADJUSTMENT_DECIDE)
    with write_transaction(store) as con:
        state = _open_for_decision(con, adjustment_id, user.user_id, "approve")
        if user.user_id in state.approvers:
            raise OpsError(
                f"{user.user_id} has already approved {adjustment_id}; its second approval must come from another "
                "approver"
            )
        if state.record["kind"] == "credit_note":
            invoice = issued_document(con, str(state.record["invoice_number"]))
            assert invoice is not None
            left = creditable_amount(con, invoice, excluding=adjustment_id)
            if Decimal(str(state.record["gross_amount"])) > left:
                raise OpsError(
                    f"{adjustment_id} would credit more than is left on {invoice.invoice_number} "
                    f"({policy.round_money(left, invoice.currency)} {invoice.currency}) after notes issued since it "
                    "was proposed; reject it"
                )
        _decide(con, user.user_id, user.role, adjustment_id, "approved", reason, clock)
        state = _state(con, adjustment_id)
        note = None
        if len(state.approvers) >= int(str(state.record["required_approvals"])):
            note = issue_note(con, state.record, state.approvers, policy, output_dir, user.user_id, user.role, clock)
            state = _state(con, adjustment_id)
        return Decision(state, note)


def reject(
    store: Path, directory: Directory, *, actor: str | None, adjustment_id: str, reason: str, clock: Clock | None = None
) -> AdjustmentState:
    user = directory.authorize(actor, Action.ADJUSTMENT_DECIDE)
    if not reason.strip():
        raise OpsError("a rejection needs --reason, kept in the audit trail for the proposer")
    with write_transaction(store) as con:
        _open_for_decision(con, adjustment_id, user.user_id, "reject")
        _decide(con, user.user_id, user.role, adjustment_id, "rejected", reason.strip(), clock)
        return _state(con, adjustment_id)


def _open_for_decision(con: sqlite3.Connection, adjustment_id: str, user_id: str, verb: str) -> AdjustmentState:
    state = _state(con, adjustment_id)
    if state.status in ("issued", "rejected"):
        raise OpsError(f"{adjustment_id} is already {state.status}; nothing was recorded")
    if state.record["proposed_by"] == user_id:
        raise OpsError(
            f"{user_id} proposed {adjustment_id} and cannot {verb} it too: the checker must be someone other than the "
            "maker"
        )
    return state


def _decide(
    con: sqlite3.Connection,
    user_id: str,
    role: str,
    adjustment_id: str,
    decision: str,
    reason: str | None,
    clock: Clock | None,
) -> None:
    cursor = con.execute(
        "insert into adjustment_decisions (adjustment_id, decision, actor, decided_at, reason) values (?, ?, ?, ?, ?)",
        [adjustment_id, decision, user_id, instant(clock), reason],
    )
    record_row(
        con,
        table="adjustment_decisions",
        key="decision_id",
        value=cursor.lastrowid,
        actor=user_id,
        actor_role=role,
        action=f"adjustment.{decision}",
        reason=reason,
    )


def list_adjustments(store: Path, directory: Directory, *, actor: str | None) -> list[AdjustmentState]:
    directory.authorize(actor, Action.ADJUSTMENT_VIEW)
    with read_transaction(store) as con:
        if con is None or not con.execute("select 1 from sqlite_master where name = 'adjustments'").fetchone():
            return []
        ids = [row[0] for row in con.execute("select adjustment_id from adjustments order by adjustment_id")]
        return [_state(con, adjustment_id) for adjustment_id in ids]
