"""The hybrid e-invoice: the readable PDF with its CII XML embedded as a Factur-X (PDF/A-3) attachment.

A buyer can read it and import it: the embedded `factur-x.xml` is the same XML as `render_cii_xml`, so the
two never disagree. factur-x stamps the rendering time into the document information (/CreationDate,
/ModDate), the XML attachment's /ModDate and the XMP packet (xmp:CreateDate, xmp:ModifyDate); those are pinned
to the issue date afterwards with pypdf so that a finalized document re-renders to identical bytes. The file
/ID is fpdf2's content hash, which pypdf keeps when cloning, so it needs no fixing.
"""

from __future__ import annotations

import io
import re

import facturx
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from orchestration.documents.invoices.cii import render_cii_xml
from orchestration.documents.invoices.model import InvoiceDocument
from orchestration.documents.invoices.pdf import issue_datetime, render_pdf
from orchestration.documents.invoices.validation import validate

# The XMP dates factur-x writes (and MetadataDate, should a later version add it), as `<xmp:Tag>value</xmp:Tag>`.
_XMP_DATES = re.compile(rb"<xmp:(CreateDate|ModifyDate|MetadataDate)>[^<]*</xmp:\1>")


def render_facturx_pdf(doc: InvoiceDocument) -> bytes:
    """The Factur-X PDF (EN 16931 level) of `doc`; identical input gives identical bytes, whatever the clock."""
    validate(doc)
    combined = facturx.generate_from_binary(
        render_pdf(doc),
        render_cii_xml(doc),
        flavor="factur-x",
        level="en16931",
        check_xsd=True,
        pdf_metadata={
            "author": doc.seller.name,
            "keywords": f"Factur-X, {doc.title}",
            "title": f"{doc.seller.name}: {doc.title} {doc.number}",
            "subject": f"Factur-X {doc.title.lower()} {doc.number} dated {doc.issue_date} issued by {doc.seller.name}",
        },
        lang="en",
    )
    return _pin_timestamps(combined, doc)


def _pin_timestamps(pdf: bytes, doc: InvoiceDocument) -> bytes:
    """`pdf` with every timestamp factur-x took from the clock replaced by the issue date (midnight UTC)."""
    moment = issue_datetime(doc)
    pdf_date = moment.strftime("D:%Y%m%d%H%M%S+00'00'")
    xmp_date = moment.strftime("%Y-%m-%dT%H:%M:%S+00:00").encode()
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.pdf_header = b"%PDF-1.6"  # what factur-x declares for PDF/A-3; cloning would otherwise keep fpdf2's
    writer.add_metadata({"/CreationDate": pdf_date, "/ModDate": pdf_date})
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    for filespec in list(names)[1::2]:
        embedded = filespec.get_object()["/EF"]["/F"].get_object()
        params = embedded.get("/Params", DictionaryObject())
        params[NameObject("/ModDate")] = TextStringObject(pdf_date)
        embedded[NameObject("/Params")] = params
    metadata = writer.root_object["/Metadata"].get_object()
    metadata.set_data(
        _XMP_DATES.sub(lambda match: b"<xmp:%s>%s</xmp:%s>" % (match[1], xmp_date, match[1]), metadata.get_data())
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
