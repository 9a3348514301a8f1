"""Which documents a client receives, by its delivery method, and under which file names.

`pdf` clients get the readable PDF; `einvoice` clients get the CII XML for their accounts-payable system; `both`
get a Factur-X PDF (readable, with the same XML embedded) plus the XML on its own. The audit package and
`write_documents` use this one list, so the archive always holds exactly what the client was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from orchestration.documents.invoices.cii import render_cii_xml
from orchestration.documents.invoices.facturx_pdf import render_facturx_pdf
from orchestration.documents.invoices.model import InvoiceDocument
from orchestration.documents.invoices.pdf import render_pdf
from orchestration.documents.invoices.validation import validate

DocumentKind = Literal["pdf", "facturx_pdf", "cii_xml", "audit_package"]

_RENDERERS: dict[str, tuple[tuple[DocumentKind, str, Callable[[InvoiceDocument], bytes]], ...]] = {
    "pdf": (("pdf", ".pdf", render_pdf),),
    "einvoice": (("cii_xml", ".xml", render_cii_xml),),
    "both": (("facturx_pdf", ".pdf", render_facturx_pdf), ("cii_xml", ".xml", render_cii_xml)),
}


@dataclass(frozen=True)
class RenderedDocument:
    kind: DocumentKind
    filename: str
    content: bytes


def render_delivery(doc: InvoiceDocument) -> tuple[RenderedDocument, ...]:
    """The client-facing documents of `doc` for its delivery method, named `<number>.pdf` / `<number>.xml`."""
    validate(doc)
    return tuple(
        RenderedDocument(kind, f"{doc.number}{suffix}", render(doc))
        for kind, suffix, render in _RENDERERS[doc.delivery_method]
    )
