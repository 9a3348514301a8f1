"""Issue the credit or debit note of a fully approved adjustment: a gapless number in the adjustment series of the
issuing legal entity (`EBTG-ACN-2026-000001` credit, `-ADN-` debit, per year), one line with the original line's
tax treatment, and the same documents an invoice gets (PDF / CII XML / Factur-X by the client's delivery method,
and an audit package with the proposal, the approvals and the corrected line) under data/output/<YYYY-MM>/ of the
original invoice's period, with their sha256 recorded.

Runs inside the approving transaction: if the document cannot be rendered or written, nothing is recorded —
no number is used up, no approval is stored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import Decimal
from pathlib import Path

from orchestration.documents.invoices.audit import AuditEvidence, EvidenceFile
from orchestration.documents.invoices.model import (
    DocumentLine,
    InvoiceDocument,
    InvoiceDocumentError,
    TaxBreakdown,
)
from orchestration.documents.invoices.output import write_documents
from orchestration.documents.invoices.validation import validate
from orchestration.invoicing.documents import month_end, party_from_frozen
from orchestration.ops.audit_trail import Clock, insert_recorded, instant, now_utc, sqlite_rows
from orchestration.ops.errors import OpsError
from orchestration.ops.issued_register import IssuedRecord, issued_document
from orchestration.ops.policies import OperationsPolicy

SERIES_CODES = {"credit_note": "ACN", "debit_note": "ADN"}


@dataclass(frozen=True)
class IssuedNote:
    document_number: str
    document_type: str
    total: Decimal
    currency: str
    files: tuple[tuple[str, str, str], ...]  # (kind, path, sha256)


def note_document(
    record: dict[str, object], invoice: IssuedRecord, number: str, issue_date: date, minor_units: int
) -> InvoiceDocument:
    """The note as a document model: one line, signed (a credit is negative), the original line's tax."""
    line = invoice.line(int(str(record["line_number"])))
    assert line is not None
    sign = Decimal(-1) if record["kind"] == "credit_note" else Decimal(1)
    quantum = Decimal(1).scaleb(-minor_units)
    net = (sign * Decimal(str(record["net_amount"]))).quantize(quantum)
    tax = (sign * Decimal(str(record["tax_amount"]))).quantize(quantum)
    period_end = month_end(invoice.billing_period_start)
    due_date = (
        issue_date if record["kind"] == "credit_note" else issue_date + timedelta(days=invoice.payment_terms_days)
    )
    document_line = DocumentLine(
        line_number=1,
        description=str(record["description"]),
        quantity=Decimal(1),
        unit="C62",
        unit_price=net,
        amount=net,
        tax_category_code=line.tax_category_code,
        tax_rate=line.tax_rate.normalize() if line.tax_rate else Decimal(0),
        tax_amount=tax,
        service_id=line.service_id,
        period_start=invoice.billing_period_start,
        period_end=period_end,
        note=f"Adjustment {record['adjustment_id']} of line {line.line_number} of {invoice.invoice_number}",
    )
    breakdown = TaxBreakdown(
        tax_category_code=line.tax_category_code,
        tax_rate=document_line.tax_rate,
        taxable_amount=net,
        tax_amount=tax,
        exemption_reason=line.exemption_reason,
        exemption_reason_code=line.exemption_reason_code,
    )
    return InvoiceDocument(
        document_type=record["kind"],  # type: ignore[arg-type]
        number=number,
        issue_date=issue_date,
        due_date=due_date,
        period_start=invoice.billing_period_start,
        period_end=period_end,
        currency=invoice.currency,
        minor_units=minor_units,
        seller=party_from_frozen(invoice.seller_party, "legal_entity_id", "legal_name", "email"),
        buyer=party_from_frozen(invoice.buyer_party, "client_id", "client_name", "billing_email"),
        lines=(document_line,),
        tax_breakdown=(breakdown,),
        line_total=net,
        tax_total=tax,
        total=net + tax,
        payment_terms="Due on issue" if record["kind"] == "credit_note" else f"Net {invoice.payment_terms_days} days",
        contract_reference=invoice.contract_reference,
        preceding_invoice_number=invoice.invoice_number,
        preceding_invoice_date=invoice.invoice_date,
        notes=(f"Corrects invoice {invoice.invoice_number}: {record['reason']}",),
        delivery_method=invoice.delivery_method,  # type: ignore[arg-type]
    )


def _csv(rows: list[dict[str, object]]) -> bytes:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows([{k: "" if v is None else v for k, v in row.items()} for row in rows])
    return buffer.getvalue().encode()


def _evidence(con: sqlite3.Connection, record: dict[str, object], invoice: IssuedRecord) -> AuditEvidence:
    def rows(sql: str, params: list[object]) -> list[dict[str, object]]:
        return sqlite_rows(con, sql, params)

    adjustment_id = record["adjustment_id"]
    files = [
        EvidenceFile("adjustment.csv", _csv([record]), "The proposal as recorded (who, when, amount, reason)."),
        EvidenceFile(
            "approvals.csv",
            _csv(
                rows("select * from adjustment_decisions where adjustment_id = ? order by decision_id", [adjustment_id])
            ),
            "The approvals (maker-checker: none by the proposer).",
        ),
        EvidenceFile(
            "original_line.csv",
            _csv(
                [
                    {"invoice_number": invoice.invoice_number, **line.__dict__}
                    for line in invoice.lines
                    if line.line_number == record["line_number"]
                ]
            ),
            "The line of the original invoice this note corrects, as issued.",
        ),
    ]
    if record.get("dispute_id"):
        dispute = [record["dispute_id"]]
        files += [
            EvidenceFile(
                "dispute.csv",
                _csv(rows("select * from disputes where dispute_id = ?", dispute)),
                "The dispute the note resolves, as opened.",
            ),
            EvidenceFile(
                "dispute_events.csv",
                _csv(rows("select * from dispute_events where dispute_id = ? order by event_id", dispute)),
                "Its lifecycle: acknowledgment, assignment, comments, resolution with the root cause.",
            ),
        ]
    return AuditEvidence(files=tuple(files))


def issue_note(
    con: sqlite3.Connection,
    record: dict[str, object],
    approvers: list[str],
    policy: OperationsPolicy,
    output_dir: Path,
    actor: str,
    role: str,
    clock: Clock | None,
) -> IssuedNote:
    invoice = issued_document(con, str(record["invoice_number"]))
    assert invoice is not None
    document_type = str(record["kind"])
    prefix = invoice.seller_party.get("document_prefix")
    if not prefix:
        raise OpsError(f"legal entity {invoice.legal_entity_id} has no document_prefix in the frozen invoice")
    issued_at = (clock or now_utc)()
    issue_date = issued_at.astimezone(UTC).date()
    series = f"{prefix}-{SERIES_CODES[document_type]}-{issue_date:%Y}"
    (last,) = con.execute(
        "select coalesce(max(sequence_number), 0) from adjustment_notes where series = ?", [series]
    ).fetchone()
    number = f"{series}-{last + 1:06d}"
    document = note_document(record, invoice, number, issue_date, policy.minor_units.get(invoice.currency, 2))
    try:
        validate(document)
        written = write_documents(
            document, _evidence(con, record, invoice), output_dir / f"{invoice.billing_period_start:%Y-%m}"
        )
    except InvoiceDocumentError as error:
        raise OpsError(
            f"the note for {record['adjustment_id']} cannot be issued: {error}; nothing was recorded"
        ) from None
    note = {
        "document_number": number,
        "series": series,
        "sequence_number": last + 1,
        "document_type": document_type,
        "adjustment_id": record["adjustment_id"],
        "legal_entity_id": invoice.legal_entity_id,
        "client_id": invoice.client_id,
        "original_invoice_number": invoice.invoice_number,
        "original_line_number": record["line_number"],
        "billing_period_start": invoice.billing_period_start.isoformat(),
        "invoice_date": issue_date.isoformat(),
        "due_date": document.due_date.isoformat(),
        "currency": invoice.currency,
        "net_amount": format(document.line_total, "f"),
        "tax_category_code": document.lines[0].tax_category_code,
        "tax_rate": format(document.lines[0].tax_rate, "f"),
        "tax_amount": format(document.tax_total, "f"),
        "total": format(document.total, "f"),
    }
    content = json.dumps({**note, "approved_by": sorted(approvers)}, sort_keys=True, separators=(",", ":"))
    note |= {
        "issued_at": instant(lambda: issued_at),
        "issued_by": actor,
        "content_sha256": hashlib.sha256(content.encode()).hexdigest(),
    }
    insert_recorded(
        con,
        "adjustment_notes",
        note,
        actor=actor,
        actor_role=role,
        action=f"{document_type}.issued",
        reason=f"{record['adjustment_id']} approved by {', '.join(approvers)}",
    )
    for file in written:
        con.execute(
            "insert into adjustment_note_documents values (?, ?, ?, ?, ?, ?)",
            [number, file.kind, file.path.name, file.sha256, file.size, instant(clock)],
        )
    return IssuedNote(
        number,
        document_type,
        document.total,
        invoice.currency,
        tuple((file.kind, str(file.path), file.sha256) for file in written),
    )
