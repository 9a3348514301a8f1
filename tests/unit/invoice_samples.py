"""Sample client documents for the invoice renderer tests: one per currency precision and VAT situation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from typing import Any

from orchestration.documents.invoices import DocumentLine, InvoiceDocument, Party, TaxBreakdown

SELLER = Party(
    "EBTG",
    "Example Billing Tech GmbH",
    "Musterstrasse 1",
    "Berlin",
    "10115",
    "DE",
    None,
    "DE123456789",
    "billing@example.test",
)
GLOBEX_DE = Party(
    "GLOBEX-DE",
    "Globex Deutschland GmbH",
    "Hauptstrasse 5",
    "Munich",
    "80331",
    "DE",
    "BY",
    "DE987654321",
    "ap@globex.test",
)
INITECH_FR = Party(
    "INITECH-FR",
    "Initech SAS",
    "12 rue de la Paix",
    "Paris",
    "75002",
    "FR",
    None,
    "FR40303265045",
    "factures@initech.test",
)
EBTG_JP = Party(
    "EBTG-JP", "Example Billing Tech KK", "1-1 Marunouchi", "Tokyo", "100-0005", "JP", "13", "T1234567890123", None
)
UMBRELLA_JP = Party(
    "UMBRELLA-JP", "Umbrella Japan KK", "2-2 Shibuya", "Tokyo", "150-0002", "JP", "13", "T9876543210987", None
)
EBTG_KW = Party(
    "EBTG-KW", "Example Billing Tech WLL", "Block 3, Street 10", "Kuwait City", "13001", "KW", None, None, None
)
HOOLI_KW = Party("HOOLI-KW", "Hooli Kuwait KSCC", "Tower 7", "Kuwait City", "13002", "KW", None, None, None)

REVERSE_CHARGE = "Reverse charge: VAT to be accounted for by the recipient (Art. 196 Directive 2006/112/EC)"
SLA_NOTE = "SLA credit: availability 99.42% < 99.9% target (measurement SLA-2026-01-K8S) \u2265 \u20ac credit"


def line(
    number: int,
    description: str,
    quantity: str,
    unit: str,
    price: str,
    amount: str,
    category: str = "S",
    rate: str = "0.19",
    tax: str = "0",
    note: str | None = None,
) -> DocumentLine:
    return DocumentLine(
        number,
        description,
        D(quantity),
        unit,
        D(price),
        D(amount),
        category,
        D(rate),
        D(tax),
        f"SVC-{number}",
        date(2026, 1, 1),
        date(2026, 1, 31),
        note,
    )


def document(lines: tuple[DocumentLine, ...], **overrides: Any) -> InvoiceDocument:
    """A January 2026 document whose totals and breakdown are the sums of `lines`."""
    groups: dict[tuple[str, D], list[D]] = {}
    for item in lines:
        sums = groups.setdefault((item.tax_category_code, item.tax_rate), [D(0), D(0)])
        sums[0] += item.amount
        sums[1] += item.tax_amount
    reasons = overrides.pop("reasons", {})
    breakdown = tuple(
        TaxBreakdown(code, rate, taxable, tax, *reasons.get(code, (None, None)))
        for (code, rate), (taxable, tax) in groups.items()
    )
    line_total = sum((item.amount for item in lines), D(0))
    tax_total = sum((item.tax_amount for item in lines), D(0))
    base = InvoiceDocument(
        "invoice",
        "EBTG-INV-2026-000001",
        date(2026, 2, 2),
        date(2026, 3, 4),
        date(2026, 1, 1),
        date(2026, 1, 31),
        "EUR",
        2,
        SELLER,
        GLOBEX_DE,
        lines,
        breakdown,
        line_total,
        tax_total,
        line_total + tax_total,
        "Net 30 days",
        "MSA-GLOBEX-2026 v2",
        None,
        None,
        ("FX: ECB reference rate of the last business day of the period",),
        "both",
    )
    return replace(base, **overrides)


def eur_invoice() -> InvoiceDocument:
    long_text = "Managed Kubernetes cluster k8s-prod-eu-central-1, control plane and 12 worker nodes " * 2
    return document(
        (
            line(1, long_text.strip(), "720", "HUR", "0.35", "252.00", tax="47.88"),
            line(2, "Object storage \u2013 standard tier", "1234.5", "E34", "0.0213", "26.29", tax="5.00"),
            line(3, "SLA credit Managed Kubernetes", "1", "C62", "-120", "-120.00", tax="-22.80", note=SLA_NOTE),
            line(4, "Platform fee", "1", "MON", "1200000", "1200000.00", tax="228000.00"),
        )
    )


def jpy_invoice() -> InvoiceDocument:
    lines = (
        line(1, "Dedicated hosting", "3", "MON", "150000", "450000", rate="0.10", tax="45000"),
        line(2, "Support days", "12", "DAY", "3333.3333", "40000", rate="0.10", tax="4000"),
    )
    return document(
        lines,
        number="EBTG-JP-2026-000007",
        currency="JPY",
        minor_units=0,
        seller=EBTG_JP,
        buyer=UMBRELLA_JP,
        delivery_method="pdf",
    )


def kwd_invoice() -> InvoiceDocument:
    lines = (
        line(1, "Consulting hours", "10", "HUR", "12.125", "121.250", "O", "0"),
        line(2, "Managed database", "1", "MON", "1450.5", "1450.500", "O", "0"),
        line(3, "Migration discount", "1", "C62", "-25.005", "-25.005", "O", "0"),
    )
    return document(
        lines,
        number="EBTG-KW-2026-000003",
        currency="KWD",
        minor_units=3,
        seller=EBTG_KW,
        buyer=HOOLI_KW,
        delivery_method="einvoice",
        reasons={"O": ("Not subject to VAT", "VATEX-EU-O")},
    )


def reverse_charge_invoice() -> InvoiceDocument:
    lines = (
        line(1, "Managed platform subscription", "1", "MON", "2500", "2500.00", "AE", "0"),
        line(2, "Engineering hours", "40", "HUR", "95.5", "3820.00", "AE", "0"),
    )
    return document(
        lines,
        number="EBTG-INV-2026-000002",
        buyer=INITECH_FR,
        notes=(REVERSE_CHARGE,),
        reasons={"AE": ("Reverse charge", "VATEX-EU-AE")},
    )


def credit_note() -> InvoiceDocument:
    lines = (line(1, "Restatement: storage overbilled in January", "-1000", "E34", "0.1", "-100.00", tax="-19.00"),)
    return document(
        lines,
        document_type="credit_note",
        number="EBTG-CRN-2026-000001",
        preceding_invoice_number="EBTG-INV-2026-000001",
        preceding_invoice_date=date(2026, 2, 2),
        notes=("Restatement of January usage after a meter correction",),
    )


def debit_note() -> InvoiceDocument:
    lines = (line(1, "Restatement: late-arriving compute usage of January", "48", "HUR", "0.35", "16.80", tax="3.19"),)
    return document(
        lines,
        document_type="debit_note",
        number="EBTG-DBN-2026-000001",
        preceding_invoice_number="EBTG-INV-2026-000001",
        preceding_invoice_date=date(2026, 2, 2),
        delivery_method="einvoice",
    )


SAMPLES = {
    "eur": eur_invoice,
    "jpy": jpy_invoice,
    "kwd": kwd_invoice,
    "reverse_charge": reverse_charge_invoice,
    "credit_note": credit_note,
    "debit_note": debit_note,
}
