"""The audit package of a finalized document: what was sent, the model it was rendered from, and the evidence.

An auditor (or a client disputing a line) must be able to trace every amount to its inputs years later without
access to the warehouse. The zip holds the client documents as delivered, `invoice.json` (the model), the
caller's evidence files (usage lines, contract and rate-card versions, FX rates, approvals ...) under
`evidence/`, and `MANIFEST.json` with the sha256 and size of every other member plus the totals. The zip itself
is reproducible: sorted members, a timestamp derived from the issue date, fixed permissions and compression.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from orchestration.documents.invoices.delivery import RenderedDocument, render_delivery
from orchestration.documents.invoices.formatting import amount_xml
from orchestration.documents.invoices.model import InvoiceDocument, InvoiceDocumentError
from orchestration.documents.invoices.serialization import document_json

MANIFEST_NAME = "MANIFEST.json"
DOCUMENT_JSON_NAME = "invoice.json"
EVIDENCE_FOLDER = "evidence"


@dataclass(frozen=True)
class EvidenceFile:
    name: str  # relative path inside evidence/, e.g. "usage_lines.csv" or "fx/ecb_2026-01-30.csv"
    content: bytes
    description: str


@dataclass(frozen=True)
class AuditEvidence:
    files: tuple[EvidenceFile, ...]


def build_audit_package(doc: InvoiceDocument, evidence: AuditEvidence) -> bytes:
    """The audit zip of `doc` with its delivered documents rendered now; identical input gives identical bytes."""
    return audit_package(doc, evidence, render_delivery(doc))


def audit_package(doc: InvoiceDocument, evidence: AuditEvidence, rendered: tuple[RenderedDocument, ...]) -> bytes:
    """The audit zip around documents already rendered (so `write_documents` renders each document once)."""
    if doc.issue_date.year < 1980:
        raise InvoiceDocumentError(f"{doc.title} {doc.number}: a zip cannot date its members before 1980")
    members: dict[str, tuple[bytes, dict[str, str]]] = {}
    for document in rendered:
        members[document.filename] = (document.content, {"kind": document.kind})
    members[DOCUMENT_JSON_NAME] = (document_json(doc), {"kind": "document_model"})
    for item in evidence.files:
        name = _evidence_name(doc, item.name)
        if name in members:
            raise InvoiceDocumentError(f"{doc.title} {doc.number}: evidence file {item.name!r} is given twice")
        members[name] = (item.content, {"kind": "evidence", "description": item.description})
    manifest = {
        "document": {
            "number": doc.number,
            "document_type": doc.document_type,
            "issue_date": doc.issue_date.isoformat(),
            "currency": doc.currency,
            "line_total": amount_xml(doc.line_total, doc.minor_units),
            "tax_total": amount_xml(doc.tax_total, doc.minor_units),
            "total": amount_xml(doc.total, doc.minor_units),
            "delivery_method": doc.delivery_method,
        },
        "files": [
            {"name": name, **labels, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
            for name, (content, labels) in sorted(members.items())
        ],
    }
    members[MANIFEST_NAME] = ((json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), {})
    timestamp = (doc.issue_date.year, doc.issue_date.month, doc.issue_date.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (content, _) in sorted(members.items()):
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.create_system = 3  # Unix, whatever the platform, so the permissions below mean the same
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def _evidence_name(doc: InvoiceDocument, name: str) -> str:
    """`evidence/<name>`, refusing names that would escape the folder or be ambiguous inside a zip."""
    path = PurePosixPath(name)
    if not name or "\\" in name or path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        raise InvoiceDocumentError(f"{doc.title} {doc.number}: evidence file name {name!r} is not a relative path")
    return f"{EVIDENCE_FOLDER}/{path}"
