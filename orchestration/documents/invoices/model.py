"""The in-memory model of a finalized client invoice, credit note or debit note.

The warehouse code that loads a finalized document builds these frozen dataclasses; the renderers only present
them. Money is `Decimal` and already rounded by the caller (line amounts and line taxes to the currency's minor
units), so nothing downstream rounds or recomputes money: a printed total is always the model's total.
Sign convention: amounts carry their economic sign for the seller. An SLA credit inside an invoice is a negative
line; a credit note's lines and totals are negative (the CII renderer maps them to EN 16931's positive 381).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

DocumentType = Literal["invoice", "credit_note", "debit_note"]
DeliveryMethod = Literal["pdf", "einvoice", "both"]


class InvoiceDocumentError(ValueError):
    """A document that cannot be rendered or written as it is; the message names the document and the problem."""


@dataclass(frozen=True)
class Party:
    party_id: str
    name: str
    address_line: str
    city: str
    postal_code: str
    country_code: str  # ISO 3166-1 alpha-2
    subdivision: str | None  # e.g. "NY"
    vat_id: str | None  # VAT / tax registration id, None if none
    email: str | None


@dataclass(frozen=True)
class DocumentLine:
    line_number: int
    description: str
    quantity: Decimal
    unit: str  # UN/ECE Recommendation 20 code (C62 one, HUR hour, MON month, DAY day, E34 gigabyte, ...)
    unit_price: Decimal  # net price per unit, in the document currency (may have many decimals)
    amount: Decimal  # net line amount, rounded to the currency's minor units; negative for credits/discounts
    tax_category_code: str  # UNCL5305: S standard, Z zero, E exempt, AE reverse charge, G export, O outside scope
    tax_rate: Decimal  # fraction, e.g. Decimal("0.19")
    tax_amount: Decimal  # already rounded per line
    service_id: str | None
    period_start: date  # the service period this line covers
    period_end: date  # inclusive
    note: str | None  # e.g. the SLA measurement behind a credit, or the FX rule used


@dataclass(frozen=True)
class TaxBreakdown:
    """One entry per (tax_category_code, tax_rate): the EN 16931 VAT breakdown (BG-23)."""

    tax_category_code: str
    tax_rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason: str | None  # required (text or code) for AE, E, G, O; e.g. "Reverse charge"
    exemption_reason_code: str | None  # VATEX code, e.g. "VATEX-EU-AE", "VATEX-EU-G", "VATEX-EU-O"


@dataclass(frozen=True)
class InvoiceDocument:
    document_type: DocumentType
    number: str  # e.g. "EBTG-INV-2026-000001"; also the file name stem of every rendered document
    issue_date: date
    due_date: date
    period_start: date  # billing period
    period_end: date  # inclusive
    currency: str  # ISO 4217
    minor_units: int  # 0 for JPY, 2 for EUR, 3 for KWD: every amount is printed with exactly this many decimals
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    tax_breakdown: tuple[TaxBreakdown, ...]
    line_total: Decimal  # sum of line amounts
    tax_total: Decimal
    total: Decimal  # line_total + tax_total, exactly
    payment_terms: str  # e.g. "Net 30 days"
    contract_reference: str  # e.g. "MSA-GLOBEX-2026 v2"
    preceding_invoice_number: str | None  # credit/debit notes reference the original invoice
    preceding_invoice_date: date | None
    notes: tuple[str, ...]  # free texts (FX rule used, reverse charge wording, restatement reason)
    delivery_method: DeliveryMethod

    @property
    def title(self) -> str:
        """The document's name as printed: "Invoice", "Credit note" or "Debit note"."""
        return {"invoice": "Invoice", "credit_note": "Credit note", "debit_note": "Debit note"}[self.document_type]
