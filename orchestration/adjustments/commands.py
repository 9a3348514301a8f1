"""`billing adjustments propose|approve|reject|list`."""

from __future__ import annotations

from typing import Annotated

import typer

from orchestration.adjustments import workflow
from orchestration.adjustments.workflow import AdjustmentState
from orchestration.ops.cli_support import ActingUser, ops_context, parse_amount, refusals, say, table

adjustments_app = typer.Typer(
    no_args_is_help=True,
    help="Credit and debit notes with maker-checker approval: propose, approve (two approvers above materiality), "
    "reject, list.",
)


def _approvals(state: AdjustmentState) -> str:
    return f"{len(state.approvers)}/{state.record['required_approvals']}"


@adjustments_app.command("propose")
def adjustments_propose(
    invoice: Annotated[str, typer.Option("--invoice", help="The issued invoice the note corrects.")],
    line: Annotated[int, typer.Option("--line", help="Its line whose tax treatment the note takes.")],
    amount: Annotated[str, typer.Option("--amount", help="Net amount, positive, in the invoice currency.")],
    description: Annotated[str, typer.Option("--description", help="Printed on the note.")],
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the audit trail and on the note.")],
    kind: Annotated[str, typer.Option("--kind", help="credit_note or debit_note.")] = "credit_note",
    dispute: Annotated[str | None, typer.Option("--dispute", help="The upheld dispute it resolves.")] = None,
    user: ActingUser = None,
) -> None:
    """Propose a credit or debit note; it is issued when approved by someone else (two people above materiality)."""
    ctx = ops_context(user)
    with refusals():
        state = workflow.propose(
            ctx.settings.ops_store_path,
            ctx.directory,
            ctx.policy,
            actor=ctx.user_id,
            kind=kind.strip().lower(),
            invoice_number=invoice.strip(),
            line_number=line,
            net_amount=parse_amount(amount),
            description=description,
            reason=reason,
            dispute_id=dispute,
        )
    r = state.record
    say(
        f"proposed {state.adjustment_id}: {str(r['kind']).replace('_', ' ')} of {r['net_amount']} + tax "
        f"{r['tax_amount']} = {r['gross_amount']} {r['currency']} on {r['invoice_number']} line {r['line_number']}; "
        f"needs {r['required_approvals']} approver(s) other than {r['proposed_by']}"
    )


@adjustments_app.command("approve")
def adjustments_approve(
    adjustment_id: Annotated[str, typer.Argument(help="Adjustment id, e.g. ADJ-000001.")],
    reason: Annotated[str | None, typer.Option("--reason", help="What was checked.")] = None,
    user: ActingUser = None,
) -> None:
    """Approve; the last required approval issues the note with its number and documents."""
    ctx = ops_context(user)
    with refusals():
        decision = workflow.approve(
            ctx.settings.ops_store_path,
            ctx.directory,
            ctx.policy,
            ctx.settings.output_dir,
            actor=ctx.user_id,
            adjustment_id=adjustment_id,
            reason=reason,
        )
    state = decision.state
    if decision.note is None:
        say(f"approved {adjustment_id} as {ctx.user_id} ({_approvals(state)} approvals); waiting for another approver")
        return
    note = decision.note
    say(
        f"approved {adjustment_id} as {ctx.user_id} ({_approvals(state)} approvals): issued "
        f"{note.document_type.replace('_', ' ')} {note.document_number}, total {note.total} {note.currency}, "
        f"correcting {state.record['invoice_number']}"
    )
    for kind, path, sha256 in note.files:
        say(f"  {kind:<13} {path}  sha256 {sha256}")


@adjustments_app.command("reject")
def adjustments_reject(
    adjustment_id: Annotated[str, typer.Argument(help="Adjustment id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (for the proposer and the audit trail).")],
    user: ActingUser = None,
) -> None:
    """Reject a proposal (final: propose again if needed)."""
    ctx = ops_context(user)
    with refusals():
        workflow.reject(
            ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id, adjustment_id=adjustment_id, reason=reason
        )
    say(f"rejected {adjustment_id} as {ctx.user_id}: {reason}")


@adjustments_app.command("list")
def adjustments_list(user: ActingUser = None) -> None:
    """Every adjustment with its approvals and issued note."""
    ctx = ops_context(user)
    with refusals():
        states = workflow.list_adjustments(ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id)
    if not states:
        say("no adjustments")
        return
    rows = [
        (
            s.adjustment_id,
            str(s.record["kind"]),
            f"{s.record['invoice_number']}/{s.record['line_number']}",
            f"{s.record['gross_amount']} {s.record['currency']}",
            str(s.record["proposed_by"]),
            ", ".join(s.approvers) or "-",
            _approvals(s),
            s.status,
            str(s.note["document_number"]) if s.note else "-",
        )
        for s in states
    ]
    header = (
        "adjustment",
        "kind",
        "invoice/line",
        "gross",
        "proposed by",
        "approved by",
        "approvals",
        "status",
        "note",
    )
    for text in table(header, rows, right={3}):
        say(text)
