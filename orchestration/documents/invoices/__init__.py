"""Documents of a finalized client invoice, credit note or debit note, rendered from an in-memory model.

The caller loads a finalized document from the warehouse into `InvoiceDocument`; this package only presents it
(a readable PDF, the EN 16931 CII e-invoice, a Factur-X PDF carrying both, and an audit package) and never
queries a database or recomputes money. Every rendering is byte-for-byte reproducible, so a finalized document
can be re-rendered and proven unchanged, and `write_documents` refuses to replace one with different bytes.
"""

from orchestration.documents.invoices.audit import AuditEvidence, EvidenceFile, build_audit_package
from orchestration.documents.invoices.cii import render_cii_xml
from orchestration.documents.invoices.facturx_pdf import render_facturx_pdf
from orchestration.documents.invoices.model import (
    DeliveryMethod,
    DocumentLine,
    DocumentType,
    InvoiceDocument,
    InvoiceDocumentError,
    Party,
    TaxBreakdown,
)
from orchestration.documents.invoices.output import WrittenDocument, write_documents
from orchestration.documents.invoices.pdf import render_pdf
from orchestration.documents.invoices.validation import validate

__all__ = [
    "AuditEvidence",
    "DeliveryMethod",
    "DocumentLine",
    "DocumentType",
    "EvidenceFile",
    "InvoiceDocument",
    "InvoiceDocumentError",
    "Party",
    "TaxBreakdown",
    "WrittenDocument",
    "build_audit_package",
    "render_cii_xml",
    "render_facturx_pdf",
    "render_pdf",
    "validate",
    "write_documents",
]
