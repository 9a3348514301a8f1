"""`billing disputes open|ack|assign|comment|resolve|list|show|alerts`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from orchestration.disputes import workflow
from orchestration.disputes.workflow import DisputeState
from orchestration.ops.audit_trail import instant
from orchestration.ops.cli_support import ActingUser, ops_context, parse_amount, refusals, say, table

disputes_app = typer.Typer(
    no_args_is_help=True,
    help="Disputes of invoice and chargeback lines: intake, acknowledgment, assignment, resolution, SLA breaches.",
)


def _target(state: DisputeState) -> str:
    r = state.record
    if r["target_type"] == "invoice_line":
        return f"{r['invoice_number']} line {r['line_number']}"
    cost_center = f"/{r['cost_center_id']}" if r["cost_center_id"] else ""
    return f"chargeback {str(r['billing_period_start'])[:7]}/{r['department_id']}/{r['service_id']}{cost_center}"


def _when(text: object) -> str:
    return "-" if text is None else str(text)[:16].replace("T", " ")


def _say_state(state: DisputeState, done: str) -> None:
    owner = f", owner {state.owner}" if state.owner else ""
    say(f"{state.dispute_id} {done}: {_target(state)}, status {state.status}{owner}")


@disputes_app.command("open")
def disputes_open(
    description: Annotated[str, typer.Option("--description", help="What is wrong with the line.")],
    invoice: Annotated[str | None, typer.Option("--invoice", help="Issued invoice or note number.")] = None,
    line: Annotated[int | None, typer.Option("--line", help="Line number on that invoice.")] = None,
    chargeback: Annotated[
        str | None, typer.Option("--chargeback", help="Chargeback line: PERIOD/DEPARTMENT/SERVICE(/COST_CENTER).")
    ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="Amount the line is wrong by (optional).")] = None,
    currency: Annotated[str | None, typer.Option("--currency", help="Currency of --amount (chargeback lines).")] = None,
    user: ActingUser = None,
) -> None:
    """Open a dispute of one invoice or chargeback line; works while a close is running."""
    ctx = ops_context(user)
    with refusals():
        target = workflow.parse_target(invoice, line, chargeback)
        state = workflow.open_dispute(
            ctx.settings.ops_store_path,
            ctx.directory,
            ctx.policy,
            ctx.settings.seeds_dir,
            actor=ctx.user_id,
            target=target,
            description=description,
            disputed_amount=None if amount is None else parse_amount(amount),
            currency=currency.strip().upper() if currency else None,
        )
    r = state.record
    say(
        f"opened {state.dispute_id} on {_target(state)} as {r['opened_by']}; acknowledge by "
        f"{_when(r['acknowledge_due_at'])} UTC, investigate by {_when(r['investigate_due_at'])}, resolve by "
        f"{_when(r['resolve_due_at'])}"
    )


@disputes_app.command("ack")
def disputes_ack(
    dispute_id: Annotated[str, typer.Argument(help="Dispute id, e.g. DSP-000001.")],
    note: Annotated[str | None, typer.Option("--note", help="Message to the disputing party.")] = None,
    user: ActingUser = None,
) -> None:
    """Acknowledge a dispute (the first SLA stage)."""
    ctx = ops_context(user)
    with refusals():
        state = workflow.acknowledge(
            ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id, dispute_id=dispute_id, comment=note
        )
    _say_state(state, "acknowledged")


@disputes_app.command("assign")
def disputes_assign(
    dispute_id: Annotated[str, typer.Argument(help="Dispute id.")],
    owner: Annotated[str, typer.Option("--to", help="Owner from the billing operations team.")],
    user: ActingUser = None,
) -> None:
    """Assign an owner from the billing operations team; the investigation starts."""
    ctx = ops_context(user)
    with refusals():
        state = workflow.assign(
            ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id, dispute_id=dispute_id, owner=owner
        )
    _say_state(state, "assigned")


@disputes_app.command("comment")
def disputes_comment(
    dispute_id: Annotated[str, typer.Argument(help="Dispute id.")],
    text: Annotated[str, typer.Option("--text", help="The comment.")],
    user: ActingUser = None,
) -> None:
    """Add a comment (findings, questions, answers)."""
    ctx = ops_context(user)
    with refusals():
        state = workflow.comment(
            ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id, dispute_id=dispute_id, text=text
        )
    _say_state(state, "commented")


@disputes_app.command("resolve")
def disputes_resolve(
    dispute_id: Annotated[str, typer.Argument(help="Dispute id.")],
    root_cause: Annotated[str, typer.Option("--root-cause", help=f"One of {', '.join(workflow.ROOT_CAUSES)}.")],
    outcome: Annotated[str, typer.Option("--outcome", help="upheld (a note follows) or rejected (the charge stands).")],
    resolution: Annotated[str, typer.Option("--resolution", help="What was found and decided.")],
    user: ActingUser = None,
) -> None:
    """Resolve with a root cause and an outcome; an upheld dispute is followed by `billing adjustments propose`."""
    ctx = ops_context(user)
    with refusals():
        state = workflow.resolve(
            ctx.settings.ops_store_path,
            ctx.directory,
            actor=ctx.user_id,
            dispute_id=dispute_id,
            root_cause=root_cause.strip().lower(),
            outcome=outcome.strip().lower(),
            resolution=resolution,
        )
    _say_state(state, f"resolved ({outcome}, root cause {root_cause})")
    if outcome.strip().lower() == "upheld" and state.record["target_type"] == "invoice_line":
        say(
            f"next: billing adjustments propose --dispute {state.dispute_id} "
            f"--invoice {state.record['invoice_number']} --line {state.record['line_number']} "
            "--amount ... --description ... --reason ..."
        )


def _rows(states: list[DisputeState], now: str) -> list[tuple[str, ...]]:
    return [
        (
            s.dispute_id,
            _target(s),
            s.status,
            s.owner or "-",
            _when(s.record["opened_at"]),
            _when(s.record["resolve_due_at"]),
            ", ".join(s.breached_stages(now)) or "-",
            str((s.resolution or {}).get("root_cause") or "-"),
        )
        for s in states
    ]


@disputes_app.command("list")
def disputes_list(
    status: Annotated[
        str | None, typer.Option("--status", help="open, acknowledged, investigating or resolved.")
    ] = None,
    breached: Annotated[bool, typer.Option("--breached", help="Only disputes past an SLA deadline.")] = False,
    user: ActingUser = None,
) -> None:
    """Disputes you may see, with their SLA state."""
    ctx = ops_context(user)
    with refusals():
        states = workflow.list_disputes(ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id)
    now = instant()
    states = [s for s in states if (status is None or s.status == status) and (not breached or s.breached_stages(now))]
    if not states:
        say("no disputes" + (" matching" if status or breached else ""))
        return
    header = ("dispute", "line", "status", "owner", "opened (UTC)", "resolve by", "SLA breached", "root cause")
    for text in table(header, _rows(states, now), right=set()):
        say(text)


@disputes_app.command("show")
def disputes_show(
    dispute_id: Annotated[str, typer.Argument(help="Dispute id.")],
    user: ActingUser = None,
) -> None:
    """One dispute, its history, and what stands behind the line: usage rows, rate card, contract version."""
    from orchestration.disputes.lineage import dispute_lineage

    ctx = ops_context(user)
    with refusals():
        state = workflow.get_dispute(
            ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id, dispute_id=dispute_id
        )
    r = state.record
    amount = f", disputed amount {r['disputed_amount']} {r['currency']}" if r["disputed_amount"] else ""
    say(f"{state.dispute_id}: {_target(state)}, status {state.status}{amount}")
    say(f"  opened by {r['opened_by']} at {_when(r['opened_at'])} UTC: {r['description']}")
    now = instant()
    for stage in workflow.STAGE_EVENTS:
        done = state.stage_done_at(stage)
        late = " BREACHED" if stage in state.breached_stages(now) else ""
        say(f"  {stage:<11} due {_when(r[f'{stage}_due_at'])}, {'done ' + _when(done) if done else 'not done'}{late}")
    for event in state.events:
        detail = " ".join(f"{key}={event[key]}" for key in ("owner", "root_cause", "outcome") if event[key] is not None)
        text = f": {event['comment']}" if event["comment"] else ""
        say(f"  {_when(event['acted_at'])} {event['action']} by {event['actor']} {detail}{text}".rstrip())
    if ctx.directory.user(ctx.user_id).scoped:
        return
    lineage = dispute_lineage(ctx.settings.warehouse_path, r)
    if lineage.unavailable:
        say(f"behind the line: not shown, {lineage.unavailable}")
        return
    for section in lineage.sections:
        more = f" (first {len(section.rows)} of {section.total_rows})" if section.total_rows > len(section.rows) else ""
        say("")
        say(f"{section.title}{more}:")
        if not section.rows:
            say("  (none)")
            continue
        cells = [tuple("" if v is None else str(v) for v in row) for row in section.rows]
        for text in table(tuple(section.columns), cells, right=set()):
            say(f"  {text}")


@disputes_app.command("alerts")
def disputes_alerts(user: ActingUser = None) -> None:
    """Record and print each SLA stage newly breached (once per dispute and stage); run it daily."""
    ctx = ops_context(user)
    with refusals():
        alerts = workflow.record_breach_alerts(ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id)
    if not alerts:
        say(f"no new SLA breaches at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        return
    for state, stage in alerts:
        due = _when(state.record[f"{stage}_due_at"])
        say(f"SLA breach: {state.dispute_id} ({_target(state)}) not {workflow.STAGE_EVENTS[stage]} by {due} UTC")
