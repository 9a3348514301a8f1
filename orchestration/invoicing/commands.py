"""`billing invoices list|show|finalize`: what was invoiced, what one document holds, and issuing a period."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import duckdb
import typer

from orchestration.reporting import money
from orchestration.settings import Settings, load_settings
from orchestration.user_errors import UserError

invoices_app = typer.Typer(
    no_args_is_help=True,
    help="Client invoices and credit/debit notes: list them, show one, issue a period whose gates passed.",
)


def _say(message: str) -> None:
    typer.echo(message)


@contextmanager
def _warehouse(settings: Settings, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    if not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}; run `billing demo` and `billing close` first")
    try:
        con = duckdb.connect(str(settings.warehouse_path), read_only=read_only)
    except duckdb.IOException as error:
        raise UserError(
            f"the warehouse is in use by another process ({str(error).splitlines()[0]}); retry when it is done"
        ) from None
    try:
        if not con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'fct_invoices'"
        ).fetchone()[0]:
            raise UserError("no invoices yet: close a month first (`billing close --period YYYY-MM`)")
        yield con
    finally:
        con.close()


def _period(text: str) -> date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise UserError(f"--period {text!r} is not a billing month; write it as YYYY-MM, e.g. 2026-10") from None


def _minor_units(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return dict(con.execute("select currency_code, minor_units from staging.stg_reference__currencies").fetchall())


@invoices_app.command("list")
def invoices_list(
    period: Annotated[str | None, typer.Option("--period", help="Billing month, YYYY-MM (default: all).")] = None,
    client: Annotated[str | None, typer.Option("--client", help="Only this client id.")] = None,
) -> None:
    """One line per invoice and note: number (or draft id), type, client, issuer, currency, total, status."""
    settings = load_settings()
    with _warehouse(settings, read_only=True) as con:
        places = _minor_units(con)
        rows = con.execute(
            """
            select billing_period_start, coalesce(invoice_number, invoice_id), document_type, client_id,
                   legal_entity_id, currency, total, status, blocking_issues, original_invoice_number
            from marts.fct_invoices
            where (? is null or billing_period_start = ?) and (? is null or client_id = ?)
            order by billing_period_start, legal_entity_id, document_type, client_id, invoice_id
            """,
            [*(2 * [_period(period) if period else None]), client, client],
        ).fetchall()
    if not rows:
        _say("no invoices match" if period or client else "no invoices yet: close a month first")
        return
    table = [("period", "number / draft", "type", "client", "issuer", "cur", "total", "status")]
    notes = []
    for month, number, kind, client_id, entity, currency, total, status, blocking, original in rows:
        kind_text = kind.replace("_", " ") + (f" of {original}" if original else "")
        table.append(
            (
                f"{month:%Y-%m}",
                number,
                kind_text,
                client_id,
                entity,
                currency,
                money(total, places.get(currency, 2)),
                status,
            )
        )
        if blocking:
            notes.append(f"  {number} blocked: {blocking}")
    widths = [max(len(str(row[i])) for row in table) for i in range(len(table[0]))]
    for row in table:
        cells = zip(row, widths, strict=True)
        _say("  ".join(str(c).rjust(w) if i == 6 else str(c).ljust(w) for i, (c, w) in enumerate(cells)).rstrip())
    for note in notes:
        _say(note)


@invoices_app.command("show")
def invoices_show(
    document: Annotated[str, typer.Argument(help="Invoice or note number (EBTS-INV-2026-000001) or draft id.")],
) -> None:
    """Header, lines with price, FX and tax, the tax breakdown, documents and their recorded hashes."""
    from orchestration.invoicing.finalize import content_sha256, frozen_content

    settings = load_settings()
    with _warehouse(settings, read_only=True) as con:
        places = _minor_units(con)
        cursor = con.execute(
            "select * from marts.fct_invoices where invoice_number = ? or invoice_id = ?", [document, document]
        )
        names = [d[0] for d in cursor.description]
        found = cursor.fetchall()
        if not found:
            raise UserError(f"no invoice or note {document!r}; `billing invoices list` shows them")
        head = dict(zip(names, found[0], strict=True))
        digits = places.get(head["currency"], 2)
        lines = con.execute(
            """
            select line_number, description, quantity, unit, unit_price, amount, tax_category_code, tax_rate,
                   tax_amount, fx_rate, fx_rate_date, price_currency, price_amount, reference
            from marts.fct_invoice_lines where invoice_id = ? order by line_number
            """,
            [head["invoice_id"]],
        ).fetchall()
        files = con.execute(
            "select kind, file_name, sha256, size_bytes from audit.issued_documents where invoice_number = ? "
            "order by file_name",
            [head["invoice_number"]],
        ).fetchall()
        recomputed = None
        if head["invoice_number"]:
            recomputed = content_sha256(*frozen_content(con, head["invoice_number"]))
    title = head["document_type"].replace("_", " ")
    _say(f"{title} {head['invoice_number'] or head['invoice_id'] + ' (' + head['status'] + ')'}")
    month = f"{head['billing_period_start']:%Y-%m}"
    _say(f"  client {head['client_id']}, issued by {head['legal_entity_id']}, period {month}")
    _say(f"  contract {head['contract_id']} v{head['contract_version']}, currency {head['currency']}")
    if head["original_invoice_number"]:
        _say(f"  corrects {head['original_invoice_number']}")
    if head["invoice_number"]:
        _say(f"  dated {head['invoice_date']}, due {head['due_date']}, issued {head['issued_at']:%Y-%m-%d %H:%M} UTC")
        verdict = "matches" if recomputed == head["content_sha256"] else f"DIFFERS (now {recomputed})"
        _say(f"  content sha256 {head['content_sha256']} ({verdict} the frozen rows)")
    if head["blocking_issues"]:
        _say(f"  BLOCKED: {head['blocking_issues']}")
    for number, text, quantity, unit, price, amount, code, rate, tax, fx, fx_date, price_cur, price_amt, ref in lines:
        _say(f"  {number:>3}. {text}")
        detail = f"       {quantity.normalize():f} {unit} x {price.normalize():f} = {money(amount, digits)}"
        detail += f"  tax {code} {(rate * 100).normalize():f}% {money(tax, digits)}"
        if fx_date is not None:
            detail += f"  (from {price_cur} {price_amt.normalize():f} at {fx.normalize():f} of {fx_date})"
        _say(detail)
        if ref:
            _say(f"       ref: {ref}")
    _say(
        f"  subtotal {money(head['subtotal'], digits)}  discounts {money(head['discount_total'], digits)}  "
        f"credits {money(head['credit_total'], digits)}  tax {money(head['tax_total'], digits)}  "
        f"total {money(head['total'], digits)} {head['currency']}"
    )
    for kind, name, sha, size in files:
        _say(f"  {kind:<13} {settings.output_dir / month / name}  {size} bytes  sha256 {sha}")


@invoices_app.command("finalize")
def invoices_finalize(
    period: Annotated[str, typer.Option("--period", help="Billing month to issue, YYYY-MM.")],
    user: Annotated[
        str | None, typer.Option("--as", help="Acting user recorded on the issue (or BILLING_USER).")
    ] = None,
) -> None:
    """Issue the period's draft invoices and notes: only when its gates passed on the last close."""
    from orchestration.invoicing.documents import DocumentsChanged, check_issued_documents, write_period_documents
    from orchestration.invoicing.finalize import GatesNotPassed, finalize_period
    from orchestration.invoicing.register import register_issued_documents
    from orchestration.ops.errors import OpsError
    from orchestration.ops.people import Action, load_directory

    settings = load_settings()
    month = _period(period)
    try:
        actor = load_directory(settings.seeds_dir).authorize(user or settings.acting_user, Action.INVOICE_FINALIZE)
    except OpsError as error:
        raise UserError(str(error)) from None
    acting, role = actor.user_id, actor.role
    with _warehouse(settings, read_only=False) as con:
        try:
            result = finalize_period(con, month, issued_by=acting, check_documents=check_issued_documents)
        except GatesNotPassed as error:
            raise UserError(
                f"{month:%Y-%m} cannot be finalized: {error}; close the month again (`billing close --period "
                f"{month:%Y-%m}`) once the cause is fixed"
            ) from None
        except DocumentsChanged as error:
            raise UserError(f"{month:%Y-%m} not finalized: {error}") from None
        try:
            documents = write_period_documents(con, month, settings.output_dir)
        except DocumentsChanged as error:
            raise UserError(str(error)) from None
        try:
            register_issued_documents(con, settings.ops_store_path, actor_role=role)
        except OpsError as error:
            _say(f"warning: issued documents not registered in the operational store ({error}); the next close does")
    for issued in result.issued:
        _say(f"issued {issued.invoice_number} ({issued.document_type.replace('_', ' ')}, {issued.client_id})")
    for invoice_id, why in result.blocked:
        _say(f"not issued {invoice_id}: {why}")
    _say(
        f"{month:%Y-%m}: {len(result.issued)} issued now, {result.already_final} issued before, "
        f"{len(result.blocked)} blocked; documents: {documents.written} written, {documents.verified} verified "
        f"unchanged in {settings.output_dir / f'{month:%Y-%m}'}"
    )
