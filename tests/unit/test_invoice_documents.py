"""Client invoice documents: the e-invoice passes the Factur-X EN 16931 XSD with our totals, the PDFs show what a
payer checks, every rendering is reproducible, the audit package proves its contents, and finalized files are
never overwritten."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import replace
from decimal import Decimal

import facturx
import pypdf
import pytest
from lxml import etree

from orchestration.documents.invoices import (
    AuditEvidence,
    EvidenceFile,
    InvoiceDocumentError,
    build_audit_package,
    render_cii_xml,
    render_facturx_pdf,
    render_pdf,
    validate,
    write_documents,
)
from orchestration.documents.invoices.cii import NAMESPACES
from orchestration.documents.invoices.formatting import amount_text
from tests.unit.invoice_samples import REVERSE_CHARGE, SAMPLES, credit_note, eur_invoice, jpy_invoice, line

EVIDENCE = AuditEvidence(
    (
        EvidenceFile("usage_lines.csv", b"service_id,quantity\nSVC-1,720\n", "Rated usage lines of January"),
        EvidenceFile("fx/ecb_2026-01-30.csv", b"currency,rate\nUSD,1.0842\n", "ECB reference rates"),
    )
)
SUMMATION = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"


def _xml_amount(root: etree._Element, path: str) -> str:
    return root.xpath(path, namespaces=NAMESPACES)[0].text


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text with line breaks as spaces, so wrapped cells read as one phrase."""
    return " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_cii_xml_passes_the_xsd_and_carries_the_model_totals_exactly(sample: str) -> None:
    doc = SAMPLES[sample]()
    xml = render_cii_xml(doc)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    root = etree.fromstring(xml)
    sign = -1 if doc.document_type == "credit_note" else 1  # EN 16931 credit notes state positive amounts
    for element, model_value in (
        ("GrandTotalAmount", doc.total),
        ("TaxTotalAmount", doc.tax_total),
        ("LineTotalAmount", doc.line_total),
        ("DuePayableAmount", doc.total),
    ):
        text = _xml_amount(root, SUMMATION + element)
        assert Decimal(text) == sign * model_value
        assert len(text.partition(".")[2]) == doc.minor_units, text  # JPY 539000, KWD 1546.745
    line_amounts = root.xpath(
        "//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount/text()", namespaces=NAMESPACES
    )
    assert sum(Decimal(amount) for amount in line_amounts) == sign * doc.line_total
    prices = root.xpath("//ram:NetPriceProductTradePrice/ram:ChargeAmount/text()", namespaces=NAMESPACES)
    assert all(Decimal(price) >= 0 for price in prices)  # BR-27: credits are negative quantities, not prices
    expected_type = {"invoice": "380", "credit_note": "381", "debit_note": "384"}[doc.document_type]
    assert root.xpath("//rsm:ExchangedDocument/ram:TypeCode/text()", namespaces=NAMESPACES) == [expected_type]


def test_credit_note_and_reverse_charge_carry_their_references_and_reasons() -> None:
    credit = etree.fromstring(render_cii_xml(credit_note()))
    assert credit.xpath("//ram:InvoiceReferencedDocument/ram:IssuerAssignedID/text()", namespaces=NAMESPACES) == [
        "EBTG-INV-2026-000001"
    ]
    assert _xml_amount(credit, SUMMATION + "GrandTotalAmount") == "119.00"  # the model says -119.00
    reverse = etree.fromstring(render_cii_xml(SAMPLES["reverse_charge"]()))
    tax = reverse.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NAMESPACES)[0]
    assert tax.findtext("ram:ExemptionReason", namespaces=NAMESPACES) == "Reverse charge"
    assert tax.findtext("ram:ExemptionReasonCode", namespaces=NAMESPACES) == "VATEX-EU-AE"
    buyer_vat = "//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()"
    assert reverse.xpath(buyer_vat, namespaces=NAMESPACES) == ["FR40303265045"]


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_facturx_pdf_embeds_the_xml_and_shows_what_a_payer_checks(sample: str) -> None:
    doc = SAMPLES[sample]()
    pdf = render_facturx_pdf(doc)
    filename, embedded = facturx.get_xml_from_pdf(pdf, check_xsd=True)
    assert (filename, embedded) == ("factur-x.xml", render_cii_xml(doc))
    text = _pdf_text(pdf)
    assert doc.number in text
    assert amount_text(doc.total, doc.minor_units) in text
    if doc.buyer.vat_id:
        assert f"VAT ID: {doc.buyer.vat_id}" in text
    if sample == "reverse_charge":
        assert "Reverse charge (VATEX-EU-AE)" in text and REVERSE_CHARGE in text
    if sample == "credit_note":
        assert "Credit note" in text and "Preceding invoice EBTG-INV-2026-000001 of 2026-02-02" in text


def test_amounts_are_printed_with_the_currency_decimals() -> None:
    jpy = _pdf_text(render_pdf(jpy_invoice()))
    assert "539,000" in jpy and "539,000." not in jpy
    kwd = _pdf_text(render_pdf(SAMPLES["kwd"]()))
    assert "1,546.745" in kwd and "-25.005" in kwd and "Not subject to VAT (VATEX-EU-O)" in kwd
    eur = _pdf_text(render_pdf(eur_invoice()))
    assert "1,428,188.37" in eur and "-120.00" in eur
    assert ">= EUR credit" in eur and "Object storage - standard tier" in eur  # non-Latin-1 text shown, not fatal


class _OtherClock(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _OtherClock:
        return cls(2031, 5, 6, 7, 8, 9, tzinfo=tz)


@pytest.mark.parametrize(
    "render",
    [render_pdf, render_cii_xml, render_facturx_pdf, lambda doc: build_audit_package(doc, EVIDENCE)],
    ids=["pdf", "xml", "facturx", "zip"],
)
def test_rendering_is_byte_for_byte_reproducible_whatever_the_clock(render, monkeypatch) -> None:
    doc = eur_invoice()
    first = render(doc)
    assert render(doc) == first
    monkeypatch.setattr("facturx.facturx.datetime", _OtherClock)  # factur-x reads the clock for its dates
    monkeypatch.setattr("time.time", lambda: 1_938_000_000.0)
    assert render(doc) == first


def test_audit_package_manifest_proves_every_member_and_the_totals() -> None:
    doc = eur_invoice()
    archive = zipfile.ZipFile(io.BytesIO(build_audit_package(doc, EVIDENCE)))
    names = archive.namelist()
    assert names == sorted(names)
    assert set(names) == {
        "EBTG-INV-2026-000001.pdf",
        "EBTG-INV-2026-000001.xml",
        "MANIFEST.json",
        "invoice.json",
        "evidence/fx/ecb_2026-01-30.csv",
        "evidence/usage_lines.csv",
    }
    assert {info.date_time for info in archive.infolist()} == {(2026, 2, 2, 0, 0, 0)}
    manifest = json.loads(archive.read("MANIFEST.json"))
    assert manifest["document"]["total"] == "1428188.37"
    assert {entry["name"] for entry in manifest["files"]} == set(names) - {"MANIFEST.json"}
    for entry in manifest["files"]:
        content = archive.read(entry["name"])
        assert (entry["sha256"], entry["size"]) == (hashlib.sha256(content).hexdigest(), len(content))
    assert archive.read("EBTG-INV-2026-000001.xml") == render_cii_xml(doc)
    model = json.loads(archive.read("invoice.json"))
    line_sum = sum(Decimal(item["amount"]) for item in model["lines"])
    tax_sum = sum(Decimal(item["tax_amount"]) for item in model["lines"])
    assert line_sum == Decimal(model["line_total"]) and line_sum + tax_sum == Decimal(model["total"]) == doc.total
    pdf_only = zipfile.ZipFile(io.BytesIO(build_audit_package(replace(doc, delivery_method="pdf"), EVIDENCE)))
    assert "EBTG-INV-2026-000001.xml" not in pdf_only.namelist()


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            replace(eur_invoice(), line_total=Decimal("1200158.30")),
            "Invoice EBTG-INV-2026-000001: line amounts sum to 1200158.29 but line_total is 1200158.30",
        ),
        (
            replace(jpy_invoice(), lines=(line(1, "Hosting", "1", "MON", "10.5", "10.5", rate="0.10", tax="1"),)),
            "Invoice EBTG-JP-2026-000007: line 1 amount 10.5 has more than the 0 decimals of JPY",
        ),
        (
            replace(credit_note(), preceding_invoice_number=None, preceding_invoice_date=None),
            "Credit note EBTG-CRN-2026-000001: a credit note must reference the preceding invoice",
        ),
        (
            replace(SAMPLES["reverse_charge"](), buyer=replace(SAMPLES["reverse_charge"]().buyer, vat_id=None)),
            "the buyer has no VAT id, required for tax categories ['AE']",
        ),
    ],
    ids=["lines-vs-total", "jpy-decimals", "credit-note-without-invoice", "reverse-charge-without-buyer-vat"],
)
def test_validate_refuses_documents_that_do_not_hold(broken, message: str) -> None:
    with pytest.raises(InvoiceDocumentError) as raised:
        validate(broken)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    with pytest.raises(InvoiceDocumentError):
        render_pdf(broken)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("pdf", {"pdf": ".pdf", "audit_package": "-audit.zip"}),
        ("einvoice", {"cii_xml": ".xml", "audit_package": "-audit.zip"}),
        ("both", {"facturx_pdf": ".pdf", "cii_xml": ".xml", "audit_package": "-audit.zip"}),
    ],
)
def test_write_documents_per_delivery_method_and_never_overwrites(tmp_path, method: str, expected) -> None:
    doc = replace(eur_invoice(), delivery_method=method)
    written = write_documents(doc, EVIDENCE, tmp_path)
    assert {item.kind: item.path.name for item in written} == {kind: doc.number + end for kind, end in expected.items()}
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(item.path.name for item in written)
    for item in written:
        content = item.path.read_bytes()
        assert (item.sha256, item.size) == (hashlib.sha256(content).hexdigest(), len(content))
    if method == "both":
        assert facturx.get_xml_from_pdf(written[0].path.read_bytes())[1] == written[1].path.read_bytes()
    assert write_documents(doc, EVIDENCE, tmp_path) == written  # identical bytes: left in place and reported
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    with pytest.raises(InvoiceDocumentError, match=r"finalized documents are immutable: .* exists with sha256"):
        write_documents(replace(doc, payment_terms="Net 10 days"), EVIDENCE, tmp_path)
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
