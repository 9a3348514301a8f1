"""The e-invoice: UN/CEFACT Cross Industry Invoice (CII D16B) in the Factur-X / ZUGFeRD EN 16931 profile.

Buyers' accounts-payable systems read this XML, not the PDF, so it must pass the Factur-X EN 16931 XSD and keep
the EN 16931 business rules that a validator checks arithmetically (BR-CO-10 to BR-CO-16): every total below
is one of the model's totals, at most with its sign turned (see `document_sign`), written with exactly the
currency's minor units. Element order follows the XSD sequences, which are order-sensitive.
"""

from __future__ import annotations

from datetime import date

from lxml import etree

from orchestration.documents.invoices.formatting import amount_xml, percent, plain_number
from orchestration.documents.invoices.model import DocumentLine, InvoiceDocument, Party, TaxBreakdown
from orchestration.documents.invoices.validation import validate

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NAMESPACES = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}

# BT-24: the EN 16931 core specification (Factur-X calls this profile "EN 16931" / "COMFORT").
GUIDELINE_ID = "urn:cen.eu:en16931:2017"

# BT-3, UNTDID 1001. A debit note here is a supplementary charge for an invoiced period (a restatement upwards)
# that references the original invoice. EN 16931 itself accepts both 383 "Debit note" and 384 "Corrected
# invoice", but the CIUS that Factur-X and ZUGFeRD documents meet in practice (the French e-invoicing reform,
# XRechnung) accept 384 and reject 383, so a debit note is sent as 384 with the preceding invoice (BT-25).
TYPE_CODES = {"invoice": "380", "credit_note": "381", "debit_note": "384"}

# BR-S-10, BR-Z-10: standard and zero-rated breakdowns must NOT carry an exemption reason; the PDF still shows
# any reason the caller gives, the XML omits it there.
_NO_EXEMPTION_REASON = frozenset({"S", "Z"})
# BR-O-05, BR-O-11: "not subject to VAT" lines and breakdowns carry no rate at all.
_NO_RATE = frozenset({"O"})


def document_sign(doc: InvoiceDocument) -> int:
    """The factor from the model's amounts to the XML's: -1 for a credit note, 1 otherwise.

    The model gives credit notes negative amounts (a credit of 120.00 is a line of -120.00, so summing all
    documents of a client gives the balance). EN 16931 credit notes (381) state the credited amounts as
    positive numbers, the type code carrying the direction, and receivers book them that way. So every amount
    of a credit note is negated in the XML: its totals are exactly the model's totals times -1. A line that
    is positive in a credit note (e.g. the reversal of a discount) becomes negative, which 381 allows.
    """
    return -1 if doc.document_type == "credit_note" else 1


def render_cii_xml(doc: InvoiceDocument) -> bytes:
    """The CII XML of `doc`, UTF-8 with declaration; identical input gives identical bytes."""
    validate(doc)
    sign = document_sign(doc)
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NAMESPACES)
    context = _sub(root, "rsm", "ExchangedDocumentContext")
    _text(_sub(context, "ram", "GuidelineSpecifiedDocumentContextParameter"), "ID", GUIDELINE_ID)
    header = _sub(root, "rsm", "ExchangedDocument")
    _text(header, "ID", doc.number)
    _text(header, "TypeCode", TYPE_CODES[doc.document_type])
    _date(_sub(header, "ram", "IssueDateTime"), doc.issue_date)
    for note in doc.notes:
        _text(_sub(header, "ram", "IncludedNote"), "Content", note)
    transaction = _sub(root, "rsm", "SupplyChainTradeTransaction")
    for line in doc.lines:
        _line(transaction, doc, line, sign)
    agreement = _sub(transaction, "ram", "ApplicableHeaderTradeAgreement")
    _party(agreement, "SellerTradeParty", doc.seller)
    _party(agreement, "BuyerTradeParty", doc.buyer)
    _text(_sub(agreement, "ram", "ContractReferencedDocument"), "IssuerAssignedID", doc.contract_reference)
    _sub(transaction, "ram", "ApplicableHeaderTradeDelivery")
    _settlement(transaction, doc, sign)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _line(parent: etree._Element, doc: InvoiceDocument, line: DocumentLine, sign: int) -> None:
    """One invoice line (BG-25).

    BR-27 forbids a negative item net price, so a negative unit price (an SLA credit priced at -120.00 per
    unit) is written as a positive price with the quantity negated: quantity x price keeps the line's sign.
    """
    price_sign = -1 if line.unit_price < 0 else 1
    item = _sub(parent, "ram", "IncludedSupplyChainTradeLineItem")
    document = _sub(item, "ram", "AssociatedDocumentLineDocument")
    _text(document, "LineID", str(line.line_number))
    if line.note:
        _text(_sub(document, "ram", "IncludedNote"), "Content", line.note)
    product = _sub(item, "ram", "SpecifiedTradeProduct")
    if line.service_id:
        _text(product, "SellerAssignedID", line.service_id)
    _text(product, "Name", line.description)
    agreement = _sub(item, "ram", "SpecifiedLineTradeAgreement")
    _text(_sub(agreement, "ram", "NetPriceProductTradePrice"), "ChargeAmount", plain_number(abs(line.unit_price)))
    delivery = _sub(item, "ram", "SpecifiedLineTradeDelivery")
    quantity = _text(delivery, "BilledQuantity", plain_number(line.quantity * sign * price_sign))
    quantity.set("unitCode", line.unit)
    settlement = _sub(item, "ram", "SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram", "ApplicableTradeTax")
    _text(tax, "TypeCode", "VAT")
    _text(tax, "CategoryCode", line.tax_category_code)
    if line.tax_category_code not in _NO_RATE:
        _text(tax, "RateApplicablePercent", percent(line.tax_rate))
    _period(settlement, line.period_start, line.period_end)
    summation = _sub(settlement, "ram", "SpecifiedTradeSettlementLineMonetarySummation")
    _text(summation, "LineTotalAmount", amount_xml(line.amount * sign, doc.minor_units))


def _settlement(parent: etree._Element, doc: InvoiceDocument, sign: int) -> None:
    settlement = _sub(parent, "ram", "ApplicableHeaderTradeSettlement")
    _text(settlement, "InvoiceCurrencyCode", doc.currency)
    for entry in doc.tax_breakdown:
        _breakdown(settlement, doc, entry, sign)
    _period(settlement, doc.period_start, doc.period_end)
    terms = _sub(settlement, "ram", "SpecifiedTradePaymentTerms")
    _text(terms, "Description", doc.payment_terms)
    _date(_sub(terms, "ram", "DueDateDateTime"), doc.due_date)
    summation = _sub(settlement, "ram", "SpecifiedTradeSettlementHeaderMonetarySummation")
    # No document-level allowances or charges: the tax basis is the line total (BR-CO-13).
    _text(summation, "LineTotalAmount", amount_xml(doc.line_total * sign, doc.minor_units))
    _text(summation, "TaxBasisTotalAmount", amount_xml(doc.line_total * sign, doc.minor_units))
    tax_total = _text(summation, "TaxTotalAmount", amount_xml(doc.tax_total * sign, doc.minor_units))
    tax_total.set("currencyID", doc.currency)
    _text(summation, "GrandTotalAmount", amount_xml(doc.total * sign, doc.minor_units))
    _text(summation, "DuePayableAmount", amount_xml(doc.total * sign, doc.minor_units))
    if doc.preceding_invoice_number:
        reference = _sub(settlement, "ram", "InvoiceReferencedDocument")
        _text(reference, "IssuerAssignedID", doc.preceding_invoice_number)
        if doc.preceding_invoice_date is not None:
            _date(_sub(reference, "ram", "FormattedIssueDateTime"), doc.preceding_invoice_date, namespace=QDT)


def _breakdown(parent: etree._Element, doc: InvoiceDocument, entry: TaxBreakdown, sign: int) -> None:
    """One VAT breakdown (BG-23) with the exemption reason EN 16931 requires for AE, E, G, K and O."""
    code = entry.tax_category_code
    tax = _sub(parent, "ram", "ApplicableTradeTax")
    _text(tax, "CalculatedAmount", amount_xml(entry.tax_amount * sign, doc.minor_units))
    _text(tax, "TypeCode", "VAT")
    if entry.exemption_reason and code not in _NO_EXEMPTION_REASON:
        _text(tax, "ExemptionReason", entry.exemption_reason)
    _text(tax, "BasisAmount", amount_xml(entry.taxable_amount * sign, doc.minor_units))
    _text(tax, "CategoryCode", code)
    if entry.exemption_reason_code and code not in _NO_EXEMPTION_REASON:
        _text(tax, "ExemptionReasonCode", entry.exemption_reason_code)
    if code not in _NO_RATE:
        _text(tax, "RateApplicablePercent", percent(entry.tax_rate))


def _party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _sub(parent, "ram", tag)
    _text(element, "ID", party.party_id)
    _text(element, "Name", party.name)
    address = _sub(element, "ram", "PostalTradeAddress")
    _text(address, "PostcodeCode", party.postal_code)
    _text(address, "LineOne", party.address_line)
    _text(address, "CityName", party.city)
    _text(address, "CountryID", party.country_code)
    if party.subdivision:
        _text(address, "CountrySubDivisionName", party.subdivision)
    if party.email:
        uri = _text(_sub(element, "ram", "URIUniversalCommunication"), "URIID", party.email)
        uri.set("schemeID", "EM")  # BT-34 / BT-49 electronic address, EAS code EM: e-mail
    if party.vat_id:
        registration = _text(_sub(element, "ram", "SpecifiedTaxRegistration"), "ID", party.vat_id)
        registration.set("schemeID", "VA")  # VA: VAT identifier (BT-31 / BT-48)


def _period(parent: etree._Element, start: date, end: date) -> None:
    period = _sub(parent, "ram", "BillingSpecifiedPeriod")
    _date(_sub(period, "ram", "StartDateTime"), start)
    _date(_sub(period, "ram", "EndDateTime"), end)


def _date(parent: etree._Element, value: date, namespace: str = UDT) -> None:
    element = etree.SubElement(parent, f"{{{namespace}}}DateTimeString", format="102")
    element.text = f"{value:%Y%m%d}"


def _sub(parent: etree._Element, prefix: str, tag: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{tag}")


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    element = _sub(parent, "ram", tag)
    element.text = text
    return element
