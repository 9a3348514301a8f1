"""`billing retention apply [--dry-run] [--as-of DATE]` and `billing retention holds place|release|list`."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

import typer

from orchestration.ops.cli_support import ActingUser, ops_context, refusals, say, table
from orchestration.ops.people import Action
from orchestration.retention import holds as legal_holds
from orchestration.retention.apply import apply_plan, warehouse_connection
from orchestration.retention.plan import Plan, build_plan
from orchestration.retention.policy import policy_in_force
from orchestration.user_errors import UserError

retention_app = typer.Typer(
    no_args_is_help=True,
    help="Retention (seeds/retention_policies.csv): archive and purge raw usage past its online time; legal holds.",
)
holds_app = typer.Typer(no_args_is_help=True, help="Legal holds: what retention must not archive or purge.")
retention_app.add_typer(holds_app, name="holds")


def _month(text: str | None) -> date | None:
    if text is None:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-01)?", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UserError(f"--period {text!r} is not a billing month; write it as YYYY-MM, e.g. 2025-09")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _day(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01") from None


def _say_plan(plan: Plan, *, dry_run: bool) -> None:
    say(
        f"retention policy {plan.policy.version} (effective {plan.policy.effective_from}) as of {plan.as_of}: "
        "retention counts from the end of each billing period"
    )
    if plan.slices:
        rows = [
            (
                s.data_class,
                f"raw.{s.table}",
                f"{s.period:%Y-%m}",
                str(s.rows),
                ("would archive+purge" if dry_run else "archive+purge") if s.due else s.action,
                s.why,
            )
            for s in plan.slices
        ]
        for text in table(("class", "table", "period", "rows", "action", "why"), rows, right={3}):
            say(text)
    else:
        say("raw usage: no rows in the warehouse")
    for kept in plan.kept:
        say(f"{kept.data_class}: {kept.what}: {kept.why}")


@retention_app.command("apply")
def retention_apply(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only print the plan; change nothing.")] = False,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day the retention is computed for, YYYY-MM-DD (default: today).")
    ] = None,
    user: ActingUser = None,
) -> None:
    """Archive raw usage past its online time to Parquet (+ sha256), verify, then purge; skip legal holds."""
    day = _day(as_of)
    if day > date.today() and not dry_run:
        raise UserError(
            f"--as-of {day} is in the future: apply never purges what is still inside its retention period; "
            "preview a future day with --dry-run"
        )
    ctx = ops_context(user)
    with refusals():
        actor = ctx.directory.authorize(ctx.user_id, Action.RETENTION_VIEW if dry_run else Action.RETENTION_APPLY)
        policy = policy_in_force(ctx.settings.seeds_dir, day)
        holds = legal_holds.read_holds(ctx.settings.ops_store_path)
        with warehouse_connection(ctx.settings.warehouse_path, write=not dry_run) as con:
            plan = build_plan(con, policy, holds, day)
            _say_plan(plan, dry_run=dry_run)
            if dry_run:
                due = plan.due
                rows = sum(s.rows for s in due)
                say(f"dry run: {len(due)} slice(s), {rows} row(s) would be archived; nothing changed")
                return
            done = apply_plan(
                con,
                plan,
                user=actor,
                data_dir=ctx.settings.data_dir,
                archive_dir=ctx.settings.archive_dir,
                store=ctx.settings.ops_store_path,
                progress=say,
            )
    say(
        f"applied: {len(done)} slice(s), {sum(d.slice.rows for d in done)} row(s) archived under "
        f"{ctx.settings.archive_dir} and purged"
        if done
        else "applied: nothing was due; nothing changed"
    )


@holds_app.command("place")
def holds_place(
    data_class: Annotated[str, typer.Option("--class", help="Data class, e.g. raw_usage or issued_documents.")],
    reason: Annotated[str, typer.Option("--reason", help="The matter or request the hold serves.")],
    period: Annotated[str | None, typer.Option("--period", help="Billing month YYYY-MM (default: all).")] = None,
    source: Annotated[str | None, typer.Option("--source", help="Source, e.g. aws_cur (default: all).")] = None,
    client: Annotated[str | None, typer.Option("--client", help="Client id (default: all).")] = None,
    user: ActingUser = None,
) -> None:
    """Place a legal hold: nothing it covers is archived or purged until it is released."""
    month = _month(period)
    ctx = ops_context(user)
    with refusals():
        hold = legal_holds.place_hold(
            ctx.settings.ops_store_path,
            ctx.directory,
            actor=ctx.user_id,
            data_class=data_class.strip(),
            reason=reason,
            period=month,
            source=source.strip() if source else None,
            client_id=client.strip().upper() if client else None,
        )
    say(f"placed legal hold {hold.hold_id} on {hold.scope} as {hold.placed_by}: {hold.reason}")


@holds_app.command("release")
def holds_release(
    hold_id: Annotated[str, typer.Argument(help="Hold id, e.g. LH-000001.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the hold is no longer needed.")],
    user: ActingUser = None,
) -> None:
    """Release a legal hold; the next `billing retention apply` treats what it covered like the rest."""
    ctx = ops_context(user)
    with refusals():
        hold = legal_holds.release_hold(
            ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id, hold_id=hold_id, reason=reason
        )
    say(f"released legal hold {hold.hold_id} on {hold.scope} as {hold.released_by}: {hold.release_reason}")


@holds_app.command("list")
def holds_list(
    all_holds: Annotated[bool, typer.Option("--all", help="Also released holds.")] = False,
    user: ActingUser = None,
) -> None:
    """Active legal holds (with --all, released ones too)."""
    ctx = ops_context(user)
    with refusals():
        ctx.directory.authorize(ctx.user_id, Action.RETENTION_VIEW)
        found = [h for h in legal_holds.read_holds(ctx.settings.ops_store_path) if all_holds or h.active]
    if not found:
        say("no legal holds" if all_holds else "no active legal holds")
        return
    rows = [
        (
            h.hold_id,
            h.scope,
            f"{h.placed_at[:16].replace('T', ' ')} {h.placed_by}",
            h.reason,
            f"released {h.released_at[:16].replace('T', ' ')} by {h.released_by}" if h.released_at else "active",
        )
        for h in found
    ]
    for text in table(("hold", "covers", "placed (UTC)", "reason", "status"), rows, right=set()):
        say(text)
