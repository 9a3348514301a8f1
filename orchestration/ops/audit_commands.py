"""`billing audit verify`: recompute the audit trail's hash chain and compare every workflow record with it."""

from __future__ import annotations

import typer

from orchestration.ops.audit_trail import verify_trail
from orchestration.ops.cli_support import ActingUser, ops_context, refusals, say
from orchestration.ops.people import Action
from orchestration.user_errors import UserError

audit_app = typer.Typer(no_args_is_help=True, help="The hash-chained audit trail of billing operations.")


@audit_app.command("verify")
def audit_verify(user: ActingUser = None) -> None:
    """Exit 0 when the trail is intact; otherwise name every event or record that was edited, added or deleted."""
    ctx = ops_context(user)
    with refusals():
        ctx.directory.authorize(ctx.user_id, Action.AUDIT_VERIFY)
        result = verify_trail(ctx.settings.ops_store_path)
    if result.intact:
        say(
            f"audit trail intact: {result.events} event(s), head sha256 {result.head_sha256}, "
            f"{result.records_checked} workflow record(s) match their events ({result.store})"
        )
        return
    for problem in result.problems:
        say(f"TAMPERED: {problem}")
    raise UserError(
        f"the audit trail in {result.store} was tampered with ({len(result.problems)} problem(s) above); restore the "
        "store from a backup and investigate who changed it"
    )
