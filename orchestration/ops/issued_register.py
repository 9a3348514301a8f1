"""Issued documents as the operational store knows them: each finalization is an audit event (`invoice.finalized`)
whose record is the document's header and lines, written by the close that issued it (orchestration/invoicing/
register.py). Disputes and adjustments check numbers, lines, clients and totals here, so they never need the
warehouse, which a running close holds."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

FINALIZED = "invoice.finalized"
ENTITY = "issued_document"


@dataclass(frozen=True)
class IssuedLine:
    line_number: int
    description: str
    service_id: str | None
    amount: Decimal
    tax_amount: Decimal
    tax_category_code: str
    tax_rate: Decimal
    tax_jurisdiction_id: str | None
    exemption_reason: str | None
    exemption_reason_code: str | None


@dataclass(frozen=True)
class IssuedRecord:
    invoice_number: str
    document_type: str
    legal_entity_id: str
    client_id: str
    billing_period_start: date
    invoice_date: date
    due_date: date
    currency: str
    total: Decimal
    original_invoice_number: str | None
    seller_party: dict[str, Any]
    buyer_party: dict[str, Any]
    payment_terms_days: int
    delivery_method: str
    contract_reference: str
    lines: tuple[IssuedLine, ...]

    def line(self, number: int) -> IssuedLine | None:
        return next((line for line in self.lines if line.line_number == number), None)


def _record(after: str) -> IssuedRecord:
    data = json.loads(after)
    return IssuedRecord(
        invoice_number=data["invoice_number"],
        document_type=data["document_type"],
        legal_entity_id=data["legal_entity_id"],
        client_id=data["client_id"],
        billing_period_start=date.fromisoformat(data["billing_period_start"]),
        invoice_date=date.fromisoformat(data["invoice_date"]),
        due_date=date.fromisoformat(data["due_date"]),
        currency=data["currency"],
        total=Decimal(data["total"]),
        original_invoice_number=data.get("original_invoice_number"),
        seller_party=data["seller_party"],
        buyer_party=data["buyer_party"],
        payment_terms_days=int(data.get("payment_terms_days") or 0),
        delivery_method=data["delivery_method"],
        contract_reference=data.get("contract_reference") or "",
        lines=tuple(
            IssuedLine(
                line_number=int(line["line_number"]),
                description=line["description"],
                service_id=line.get("service_id"),
                amount=Decimal(line["amount"]),
                tax_amount=Decimal(line["tax_amount"]),
                tax_category_code=line["tax_category_code"],
                tax_rate=Decimal(line["tax_rate"]),
                tax_jurisdiction_id=line.get("tax_jurisdiction_id"),
                exemption_reason=line.get("exemption_reason"),
                exemption_reason_code=line.get("exemption_reason_code"),
            )
            for line in data["lines"]
        ),
    )


def issued_document(con: sqlite3.Connection, number: str) -> IssuedRecord | None:
    row = con.execute(
        "select after_json from audit_events where entity_type = ? and entity_id = ? and action = ? "
        "order by event_id limit 1",
        [ENTITY, number, FINALIZED],
    ).fetchone()
    return _record(row[0]) if row else None


def registered_numbers(con: sqlite3.Connection) -> set[str]:
    return {
        row[0]
        for row in con.execute(
            "select entity_id from audit_events where entity_type = ? and action = ?", [ENTITY, FINALIZED]
        )
    }


def corrections_of(con: sqlite3.Connection, number: str) -> list[IssuedRecord]:
    """Notes the close issued against `number` (restatement credit and debit notes)."""
    rows = con.execute(
        "select after_json from audit_events where entity_type = ? and action = ? "
        "and json_extract(after_json, '$.original_invoice_number') = ? order by event_id",
        [ENTITY, FINALIZED, number],
    ).fetchall()
    return [_record(row[0]) for row in rows]
