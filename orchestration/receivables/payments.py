"""Import bank statements (CSV export or ISO 20022 camt.053) into the operational store's payments.

A file already imported (same sha256) is refused; an entry whose bank reference was imported from another file
(overlapping exports) is skipped and counted, never stored twice. Matching payments to invoices is a business
rule and lives in dbt (marts.fct_payment_applications, marts.fct_ar_aging) after the next close's snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.ops.audit_trail import Clock, instant, record_row
from orchestration.ops.errors import OpsError
from orchestration.ops.people import Action, Directory
from orchestration.ops.store import write_transaction
from orchestration.receivables.bank_statements import BankStatementError, read_bank_statement


@dataclass(frozen=True)
class PaymentImport:
    path: Path
    statement_format: str
    imported: int
    already_imported: int
    skipped_debits: int
    skipped_unbooked: int  # pending / information-only entries: booked ones arrive on a later statement
    totals: dict[str, str]  # currency -> exact sum of the imported entries


def import_payments(
    store: Path, directory: Directory, *, actor: str | None, path: Path, clock: Clock | None = None
) -> PaymentImport:
    user = directory.authorize(actor, Action.PAYMENT_IMPORT)
    try:
        statement = read_bank_statement(path)
    except BankStatementError as error:
        raise OpsError(f"{error}; nothing was imported") from None
    now = instant(clock)
    with write_transaction(store) as con:
        known = con.execute(
            "select file_name, imported_at, imported_by from payment_files where file_sha256 = ?", [statement.sha256]
        ).fetchone()
        if known:
            raise OpsError(
                f"{path.name} was imported already (as {known[0]} by {known[2]} at {known[1]}, same sha256); "
                "nothing was imported twice"
            )
        fresh = []
        for entry in statement.entries:
            seen = con.execute(
                "select 1 from payments where bank_reference = ? and currency = ?",
                [entry.bank_reference, entry.currency],
            ).fetchone()
            if not seen:
                fresh.append(entry)
        con.execute(
            "insert into payment_files values (?, ?, ?, ?, ?, ?, ?)",
            [
                statement.sha256,
                path.name,
                statement.statement_format,
                len(fresh),
                statement.skipped_debits,
                now,
                user.user_id,
            ],
        )
        (count,) = con.execute("select count(*) from payments").fetchone()
        totals: dict[str, object] = {}
        for offset, entry in enumerate(fresh, start=1):
            payment_id = f"PAY-{count + offset:07d}"
            con.execute(
                "insert into payments values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    payment_id,
                    statement.sha256,
                    entry.source_row,
                    statement.statement_format,
                    entry.booking_date.isoformat(),
                    entry.value_date.isoformat(),
                    format(entry.amount, "f"),
                    entry.currency,
                    entry.payer_name,
                    entry.payer_account,
                    entry.remittance_information,
                    entry.bank_reference,
                    now,
                    user.user_id,
                ],
            )
            record_row(
                con,
                table="payments",
                key="payment_id",
                value=payment_id,
                actor=user.user_id,
                actor_role=user.role,
                action="payment.imported",
                reason=f"{path.name} entry {entry.source_row}",
            )
            totals[entry.currency] = totals.get(entry.currency, 0) + entry.amount  # type: ignore[operator]
    return PaymentImport(
        path,
        statement.statement_format,
        len(fresh),
        len(statement.entries) - len(fresh),
        statement.skipped_debits,
        statement.skipped_unbooked,
        {currency: format(total, "f") for currency, total in sorted(totals.items())},
    )
