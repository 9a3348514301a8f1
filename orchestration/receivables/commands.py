"""`billing payments import`: bank statements into the operational store (matched to invoices at the next close)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orchestration.ops.cli_support import ActingUser, ops_context, refusals, say
from orchestration.receivables.payments import import_payments

payments_app = typer.Typer(
    no_args_is_help=True,
    help="Receivables: import bank statements (CSV export or ISO 20022 camt.053); the next close matches them.",
)


@payments_app.command("import")
def payments_import(
    files: Annotated[list[Path], typer.Argument(help="Bank statement files (CSV or camt.053 XML).")],
    user: ActingUser = None,
) -> None:
    """Import incoming payments; a file imported before, or an entry already imported from another file, is not
    counted twice. Matching and aging run in the next close (marts.fct_payment_applications, fct_ar_aging)."""
    ctx = ops_context(user)
    for path in files:
        with refusals():
            result = import_payments(ctx.settings.ops_store_path, ctx.directory, actor=ctx.user_id, path=path)
        totals = ", ".join(f"{amount} {currency}" for currency, amount in result.totals.items()) or "nothing"
        say(
            f"{path.name} ({result.statement_format}): {result.imported} payment(s) imported ({totals}), "
            f"{result.already_imported} already imported from another file, {result.skipped_debits} debit(s) and "
            f"{result.skipped_unbooked} unbooked entry(ies) skipped"
        )
    say("matched to invoices at the next close: billing close --period YYYY-MM")
