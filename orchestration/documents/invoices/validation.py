"""Refuse a document whose figures or references do not hold before anything is rendered from it.

A finalized invoice is a legal document: a PDF whose total is not the sum of its lines, or an e-invoice that the
buyer's platform rejects, costs more than a clear error at closing time. The checks are the ones a reader (or
an EN 16931 validator) would apply: exact sums at the currency's precision, a consistent VAT breakdown, the
data EN 16931 requires per VAT category, and a preceding invoice for credit and debit notes. Nothing is
rounded or fixed here; the first problem found is raised as one line naming the document.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from orchestration.documents.invoices.model import InvoiceDocument, InvoiceDocumentError

# UNCL5305 categories EN 16931 uses. Only S (and the Canary/Ceuta L, M) carry a non-zero rate.
TAX_CATEGORIES = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M"})
RATED_CATEGORIES = frozenset({"S", "L", "M"})
# BR-AE-10, BR-E-10, BR-G-10, BR-IC-10, BR-O-10: the breakdown must say why no VAT is charged.
REASON_REQUIRED = frozenset({"AE", "E", "G", "K", "O"})
# BR-S-02, BR-Z-02, BR-E-02, BR-AE-02, BR-IC-02, BR-G-02: the seller's VAT identifier must be present.
SELLER_VAT_REQUIRED = frozenset({"S", "Z", "E", "AE", "K", "G"})
# BR-AE-02, BR-IC-02: reverse charge and intra-community supply need the buyer's VAT identifier.
BUYER_VAT_REQUIRED = frozenset({"AE", "K"})

# The number is also the stem of every file name written, so it must not be able to leave the output directory.
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_UNIT = re.compile(r"[A-Z0-9]{2,3}")


def validate(doc: InvoiceDocument) -> None:
    """Raise `InvoiceDocumentError` with the first problem of `doc`; return None if it can be rendered."""
    for problem in _problems(doc):
        raise InvoiceDocumentError(f"{doc.title} {doc.number}: {problem}")


def has_decimals_beyond(value: Decimal, minor_units: int) -> bool:
    """True if `value` cannot be written with `minor_units` decimals without rounding (trailing zeros are fine)."""
    return value != value.quantize(Decimal(1).scaleb(-minor_units))


def _problems(doc: InvoiceDocument) -> Iterator[str]:
    yield from _header_problems(doc)
    yield from _precision_problems(doc)
    yield from _sum_problems(doc)
    yield from _tax_problems(doc)


def _header_problems(doc: InvoiceDocument) -> Iterator[str]:
    if not _NUMBER.fullmatch(doc.number):
        yield f"number {doc.number!r} must be letters, digits, '.', '_' or '-' (it names the files written)"
    if doc.document_type not in ("invoice", "credit_note", "debit_note"):
        yield f"unknown document_type {doc.document_type!r}"
    if doc.delivery_method not in ("pdf", "einvoice", "both"):
        yield f"unknown delivery_method {doc.delivery_method!r}"
    if not re.fullmatch(r"[A-Z]{3}", doc.currency):
        yield f"currency {doc.currency!r} is not an ISO 4217 code"
    if not 0 <= doc.minor_units <= 4:
        yield f"minor_units {doc.minor_units} is outside 0..4"
    for role, party in (("seller", doc.seller), ("buyer", doc.buyer)):
        if not re.fullmatch(r"[A-Z]{2}", party.country_code):
            yield f"{role} country_code {party.country_code!r} is not an ISO 3166-1 alpha-2 code"
    if doc.period_start > doc.period_end:
        yield f"billing period starts {doc.period_start} after it ends {doc.period_end}"
    if doc.due_date < doc.issue_date:
        yield f"due date {doc.due_date} is before the issue date {doc.issue_date}"
    if not doc.lines:
        yield "has no lines"
    numbers = [line.line_number for line in doc.lines]
    if len(set(numbers)) != len(numbers):
        yield f"line numbers are not unique: {numbers}"
    for line in doc.lines:
        if line.period_start > line.period_end:
            yield f"line {line.line_number} period starts {line.period_start} after it ends {line.period_end}"
        if not _UNIT.fullmatch(line.unit):
            yield f"line {line.line_number} unit {line.unit!r} is not a UN/ECE Recommendation 20 code"
    if doc.document_type != "invoice" and not doc.preceding_invoice_number:
        yield f"a {doc.title.lower()} must reference the preceding invoice (preceding_invoice_number is empty)"
    if doc.preceding_invoice_date is not None and not doc.preceding_invoice_number:
        yield "preceding_invoice_date is set without a preceding_invoice_number"
    if doc.document_type == "credit_note" and doc.total >= 0:
        yield f"a credit note carries negative amounts in this model, but its total is {doc.total}"


def _precision_problems(doc: InvoiceDocument) -> Iterator[str]:
    amounts: list[tuple[str, Decimal]] = [
        ("line_total", doc.line_total),
        ("tax_total", doc.tax_total),
        ("total", doc.total),
    ]
    for line in doc.lines:
        amounts += [(f"line {line.line_number} amount", line.amount), (f"line {line.line_number} tax", line.tax_amount)]
    for entry in doc.tax_breakdown:
        label = f"tax breakdown {entry.tax_category_code} {entry.tax_rate}"
        amounts += [(f"{label} taxable amount", entry.taxable_amount), (f"{label} tax amount", entry.tax_amount)]
    for label, value in amounts:
        if has_decimals_beyond(value, doc.minor_units):
            yield f"{label} {value} has more than the {doc.minor_units} decimals of {doc.currency}"


def _sum_problems(doc: InvoiceDocument) -> Iterator[str]:
    line_sum = sum((line.amount for line in doc.lines), Decimal(0))
    if line_sum != doc.line_total:
        yield f"line amounts sum to {line_sum} but line_total is {doc.line_total}"
    tax_sum = sum((line.tax_amount for line in doc.lines), Decimal(0))
    if tax_sum != doc.tax_total:
        yield f"line taxes sum to {tax_sum} but tax_total is {doc.tax_total}"
    if doc.line_total + doc.tax_total != doc.total:
        yield f"total {doc.total} is not line_total {doc.line_total} + tax_total {doc.tax_total}"
    taxable_sum = sum((entry.taxable_amount for entry in doc.tax_breakdown), Decimal(0))
    if taxable_sum != doc.line_total:
        yield f"tax breakdown taxable amounts sum to {taxable_sum} but line_total is {doc.line_total}"
    breakdown_tax = sum((entry.tax_amount for entry in doc.tax_breakdown), Decimal(0))
    if breakdown_tax != doc.tax_total:
        yield f"tax breakdown tax amounts sum to {breakdown_tax} but tax_total is {doc.tax_total}"


def _tax_problems(doc: InvoiceDocument) -> Iterator[str]:
    groups: dict[tuple[str, Decimal], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in doc.lines:
        group = groups[(line.tax_category_code, line.tax_rate)]
        group[0] += line.amount
        group[1] += line.tax_amount
    keys = [(entry.tax_category_code, entry.tax_rate) for entry in doc.tax_breakdown]
    if len(set(keys)) != len(keys):
        yield "tax breakdown has more than one entry for the same category and rate"
    for key in sorted(set(groups) - set(keys)):
        yield f"lines with tax category {key[0]} at rate {key[1]} have no tax breakdown entry"
    categories = {entry.tax_category_code for entry in doc.tax_breakdown}
    for entry in doc.tax_breakdown:
        code, rate = entry.tax_category_code, entry.tax_rate
        taxable, tax = groups.get((code, rate), (Decimal(0), Decimal(0)))
        if (taxable, tax) != (entry.taxable_amount, entry.tax_amount):
            yield (
                f"tax breakdown {code} {rate} says {entry.taxable_amount} taxable and {entry.tax_amount} tax, "
                f"its lines sum to {taxable} and {tax}"
            )
        if code not in TAX_CATEGORIES:
            yield f"tax category {code!r} is not an EN 16931 (UNCL5305) VAT category"
        if code in RATED_CATEGORIES and rate <= 0:
            yield f"tax category {code} needs a positive rate, got {rate}"
        if code not in RATED_CATEGORIES and (rate != 0 or entry.tax_amount != 0):
            yield f"tax category {code} carries no VAT, but has rate {rate} and tax {entry.tax_amount}"
        if code in REASON_REQUIRED and not (entry.exemption_reason or entry.exemption_reason_code):
            yield f"tax category {code} needs an exemption reason (text or VATEX code), none given"
    if categories & SELLER_VAT_REQUIRED and not doc.seller.vat_id:
        yield f"the seller has no VAT id, required for tax categories {sorted(categories & SELLER_VAT_REQUIRED)}"
    if categories & BUYER_VAT_REQUIRED and not doc.buyer.vat_id:
        yield f"the buyer has no VAT id, required for tax categories {sorted(categories & BUYER_VAT_REQUIRED)}"
