"""Writing a finalized document's files: atomically, and never replacing a finalized file with other bytes.

A document sent to a client is immutable; a correction is a credit or debit note with its own number. Because
every rendering is reproducible, re-running the writer for an unchanged document finds identical files and
leaves them; different bytes under the same number mean the data or the code changed after finalization, which
must be investigated, not silently overwritten. Every file is first written completely under a temporary name
and then hard-linked into place, which fails if the name exists, so a reader never sees half a document and
two writers cannot overwrite each other.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from orchestration.documents.invoices.audit import AuditEvidence, audit_package
from orchestration.documents.invoices.delivery import DocumentKind, RenderedDocument, render_delivery
from orchestration.documents.invoices.model import InvoiceDocument, InvoiceDocumentError


@dataclass(frozen=True)
class WrittenDocument:
    kind: DocumentKind
    path: Path
    sha256: str
    size: int


def write_documents(doc: InvoiceDocument, evidence: AuditEvidence, output_dir: Path) -> tuple[WrittenDocument, ...]:
    """Write the delivery documents of `doc` and `<number>-audit.zip` into `output_dir`; return all of them.

    Files already present with identical bytes are left as they are and reported. If any file exists with
    different bytes nothing is written and `InvoiceDocumentError` is raised.
    """
    rendered = render_delivery(doc)
    audit = RenderedDocument("audit_package", f"{doc.number}-audit.zip", audit_package(doc, evidence, rendered))
    documents = (*rendered, audit)
    output_dir.mkdir(parents=True, exist_ok=True)
    for document in documents:
        _refuse_if_different(output_dir / document.filename, document.content)
    return tuple(_write(output_dir / document.filename, document) for document in documents)


def _write(path: Path, document: RenderedDocument) -> WrittenDocument:
    digest = hashlib.sha256(document.content).hexdigest()
    if path.exists():  # identical bytes: write_documents has compared them already
        return WrittenDocument(document.kind, path, digest, len(document.content))
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(document.content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        try:
            os.link(temporary, path)  # atomic, and unlike rename it refuses to replace an existing file
        except FileExistsError:
            _refuse_if_different(path, document.content)  # a concurrent writer got there first
        except OSError:  # a file system without hard links: rename is still atomic, only not exclusive
            _refuse_if_different(path, document.content)
            if not path.exists():
                os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return WrittenDocument(document.kind, path, digest, len(document.content))


def _refuse_if_different(path: Path, content: bytes) -> None:
    if not path.exists():
        return
    existing = hashlib.sha256(path.read_bytes()).hexdigest()
    new = hashlib.sha256(content).hexdigest()
    if existing != new:
        raise InvoiceDocumentError(
            f"finalized documents are immutable: {path} exists with sha256 {existing}, new rendering is {new}"
        )
