"""The human-readable document: an A4 PDF of the invoice, credit note or debit note, drawn with fpdf2.

It shows what a client's accounts payable checks before paying: who bills whom (with VAT ids), which contract and
period, every line with its unit price and service period, the VAT breakdown with the legal wording for
untaxed supplies, and totals that are the model's totals. The bytes are reproducible: the only date in the
file's metadata is the issue date, and fpdf2 derives the file /ID from the content.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fpdf import FPDF, FontFace

from orchestration.documents.invoices.formatting import amount_text, date_text, number_text, percent
from orchestration.documents.invoices.model import InvoiceDocument, Party
from orchestration.documents.invoices.validation import validate
from orchestration.documents.pdf_text import latin1

_FONT = "Helvetica"
_WIDTH = 180  # A4 width minus 15 mm margins
_HEADINGS = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))


class _InvoicePdf(FPDF):
    """An A4 page with a footer naming the document and the page, so a printed page is never anonymous."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(_FONT, "", 7)
        self.cell(0, 5, latin1(f"{self.footer_text} - page {self.page_no()} of {{nb}}"), align="C")


def issue_datetime(doc: InvoiceDocument) -> datetime:
    """The one timestamp the documents carry: midnight UTC of the issue date, never the rendering time."""
    return datetime(doc.issue_date.year, doc.issue_date.month, doc.issue_date.day, tzinfo=UTC)


def render_pdf(doc: InvoiceDocument) -> bytes:
    """The PDF of `doc`; identical input gives identical bytes."""
    validate(doc)
    pdf = _InvoicePdf(f"{doc.seller.name} - {doc.title} {doc.number}")
    pdf.set_creation_date(issue_datetime(doc))
    pdf.set_title(latin1(f"{doc.title} {doc.number}"))
    pdf.set_author(latin1(doc.seller.name))
    pdf.set_subject(latin1(f"{doc.title} {doc.number} from {doc.seller.name} to {doc.buyer.name}"))
    pdf.set_lang("en")
    pdf.add_page()
    _header(pdf, doc)
    _parties(pdf, doc)
    _lines(pdf, doc)
    _tax_breakdown(pdf, doc)
    _totals(pdf, doc)
    _closing(pdf, doc)
    return bytes(pdf.output())


def _header(pdf: FPDF, doc: InvoiceDocument) -> None:
    top = pdf.get_y()
    pdf.set_font(_FONT, "B", 12)
    _paragraph(pdf, 100, 6, doc.seller.name)
    pdf.set_font(_FONT, "", 9)
    _paragraph(pdf, 100, 4.5, "\n".join(_party_lines(doc.seller)))
    seller_bottom = pdf.get_y()
    pdf.set_xy(120, top)
    pdf.set_font(_FONT, "B", 18)
    pdf.cell(75, 9, latin1(doc.title), align="R", new_x="LEFT", new_y="NEXT")
    pdf.set_font(_FONT, "B", 10)
    pdf.cell(75, 6, latin1(doc.number), align="R")
    pdf.set_y(max(seller_bottom, pdf.get_y() + 6) + 6)


def _parties(pdf: FPDF, doc: InvoiceDocument) -> None:
    """The buyer on the left, the document's dates and references on the right."""
    top = pdf.get_y()
    pdf.set_font(_FONT, "B", 9)
    pdf.cell(90, 5, "Bill to", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 9)
    _paragraph(pdf, 90, 4.5, "\n".join([doc.buyer.name, *_party_lines(doc.buyer)]))
    buyer_bottom = pdf.get_y()
    details = [
        (f"{doc.title} number", doc.number),
        ("Issue date", date_text(doc.issue_date)),
        ("Due date", date_text(doc.due_date)),
        ("Billing period", f"{date_text(doc.period_start)} to {date_text(doc.period_end)}"),
        ("Contract", doc.contract_reference),
        ("Currency", doc.currency),
    ]
    if doc.preceding_invoice_number:
        preceding = doc.preceding_invoice_number
        if doc.preceding_invoice_date is not None:
            preceding += f" of {date_text(doc.preceding_invoice_date)}"
        details.insert(4, ("Preceding invoice", preceding))
    pdf.set_y(top)
    for label, value in details:
        pdf.set_x(110)
        pdf.set_font(_FONT, "B", 9)
        pdf.cell(32, 5, latin1(label))
        pdf.set_font(_FONT, "", 9)
        _paragraph(pdf, 53, 5, value)
    pdf.set_y(max(buyer_bottom, pdf.get_y()) + 6)


def _party_lines(party: Party) -> list[str]:
    region = f", {party.subdivision}" if party.subdivision else ""
    lines = [party.address_line, f"{party.postal_code} {party.city}{region}", party.country_code]
    if party.vat_id:
        lines.append(f"VAT ID: {party.vat_id}")
    if party.email:
        lines.append(party.email)
    return lines


def _lines(pdf: FPDF, doc: InvoiceDocument) -> None:
    """The line table; long descriptions and notes wrap inside their cell, headings repeat on new pages."""
    pdf.set_font(_FONT, "", 8)
    headings = ("No.", "Description", "Period", "Qty", "Unit", "Unit price", "Amount", "Tax %")
    with pdf.table(
        col_widths=(8, 60, 22, 18, 10, 22, 28, 12),
        width=_WIDTH,
        text_align=("RIGHT", "LEFT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=_HEADINGS,
        borders_layout="HORIZONTAL_LINES",
        line_height=4,
        padding=1,
        v_align="TOP",
    ) as table:
        table.row([latin1(heading) for heading in headings])
        for line in doc.lines:
            description = line.description
            if line.service_id:
                description += f"\nService: {line.service_id}"
            if line.note:
                description += f"\n{line.note}"
            table.row(
                [
                    latin1(text)
                    for text in (
                        str(line.line_number),
                        description,
                        f"{date_text(line.period_start)} to {date_text(line.period_end)}",
                        number_text(line.quantity),
                        line.unit,
                        number_text(line.unit_price),
                        amount_text(line.amount, doc.minor_units),
                        f"{percent(line.tax_rate)} ({line.tax_category_code})",
                    )
                ]
            )
    pdf.ln(4)


def _tax_breakdown(pdf: FPDF, doc: InvoiceDocument) -> None:
    """VAT per category and rate, with why no VAT is charged where none is (reverse charge, export ...)."""
    pdf.set_font(_FONT, "B", 9)
    pdf.cell(0, 6, "Tax breakdown", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 8)
    with pdf.table(
        col_widths=(16, 14, 30, 30, 90),
        width=_WIDTH,
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        headings_style=_HEADINGS,
        borders_layout="HORIZONTAL_LINES",
        line_height=4,
        padding=1,
        v_align="TOP",
    ) as table:
        table.row(["Category", "Rate %", "Taxable amount", "Tax amount", "Exemption reason"])
        for entry in doc.tax_breakdown:
            reason = entry.exemption_reason or ""
            if entry.exemption_reason_code:
                reason = f"{reason} ({entry.exemption_reason_code})".strip()
            table.row(
                [
                    latin1(entry.tax_category_code),
                    percent(entry.tax_rate),
                    amount_text(entry.taxable_amount, doc.minor_units),
                    amount_text(entry.tax_amount, doc.minor_units),
                    latin1(reason),
                ]
            )
    pdf.ln(4)


def _totals(pdf: FPDF, doc: InvoiceDocument) -> None:
    total_label = {"invoice": "Total due", "credit_note": "Total credited", "debit_note": "Total due"}
    for label, value, style in (
        ("Net total", doc.line_total, ""),
        ("Tax total", doc.tax_total, ""),
        (f"{total_label[doc.document_type]} ({doc.currency})", doc.total, "B"),
    ):
        pdf.set_font(_FONT, style, 10 if style else 9)
        pdf.set_x(15 + _WIDTH - 95)
        pdf.cell(55, 6, latin1(label), border="T" if style else "")
        pdf.cell(
            40,
            6,
            amount_text(value, doc.minor_units),
            align="R",
            border="T" if style else "",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)


def _closing(pdf: FPDF, doc: InvoiceDocument) -> None:
    """Notes (FX rule, reverse-charge wording, restatement reason) and the payment terms."""
    pdf.set_font(_FONT, "", 9)
    if doc.document_type == "credit_note":
        _paragraph(
            pdf, 0, 4.5, f"This credit note reduces the amount owed under invoice {doc.preceding_invoice_number}."
        )
    for note in doc.notes:
        _paragraph(pdf, 0, 4.5, note)
    pdf.ln(2)
    pdf.set_font(_FONT, "B", 9)
    pdf.cell(30, 5, "Payment terms")
    pdf.set_font(_FONT, "", 9)
    _paragraph(pdf, 0, 5, f"{doc.payment_terms}; due on {date_text(doc.due_date)}.")


def _paragraph(pdf: FPDF, width: float, height: float, text: str) -> None:
    """Left-aligned text that wraps within `width` mm (0: to the right margin), then a new line."""
    pdf.multi_cell(width, height, latin1(text), align="L", new_x="LMARGIN", new_y="NEXT")
