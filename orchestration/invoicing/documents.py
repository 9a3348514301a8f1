"""Documents of issued invoices and notes: built from the frozen audit rows, written under
data/output/<YYYY-MM>/, their hashes recorded in audit.issued_documents.

Rendering reads only what was frozen at issue (header, lines, the parties as they were), so re-running a
finalized period reproduces the same bytes; a rendering that differs from the recorded hash is refused, never
written over.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.documents.invoices.audit import AuditEvidence, EvidenceFile
from orchestration.documents.invoices.model import (
    DocumentLine,
    InvoiceDocument,
    InvoiceDocumentError,
    Party,
    TaxBreakdown,
)
from orchestration.documents.invoices.output import write_documents
from orchestration.documents.invoices.validation import validate
from orchestration.invoicing.columns import LINE_NAMES
from orchestration.invoicing.evidence_csv import evidence_csv
from orchestration.invoicing.finalize import warehouse_rows


class DocumentsChanged(Exception):
    """A re-rendered document differs from the hash recorded when it was first written."""


@dataclass(frozen=True)
class PeriodDocuments:
    written: int  # files written for the first time
    verified: int  # files re-rendered and found identical to the recorded hash
    documents: int  # issued documents of the period


def write_period_documents(con: duckdb.DuckDBPyConnection, period: date, output_dir: Path) -> PeriodDocuments:
    """Render every issued document of `period` into `output_dir/<YYYY-MM>/` and record or verify hashes."""
    numbers = [
        row[0]
        for row in con.execute(
            "select invoice_number from audit.issued_invoices where billing_period_start = ? order by invoice_number",
            [period],
        ).fetchall()
    ]
    target = output_dir / f"{period:%Y-%m}"
    written = verified = 0
    for number in numbers:
        document = load_document(con, number)
        recorded = dict(
            con.execute(
                "select file_name, sha256 from audit.issued_documents where invoice_number = ?", [number]
            ).fetchall()
        )
        try:
            files = write_documents(document, frozen_evidence(con, number), target)
        except InvoiceDocumentError as error:
            raise DocumentsChanged(str(error)) from None
        now = datetime.now(UTC).replace(tzinfo=None)
        for file in files:
            name = file.path.name
            if name in recorded:
                if recorded[name] != file.sha256:
                    raise DocumentsChanged(
                        f"{number}: {name} renders to sha256 {file.sha256}, but {recorded[name]} was recorded at "
                        "issue; issued documents are immutable (restore the file from the audit package or "
                        "investigate the change in rendering)"
                    )
                verified += 1
                continue
            con.execute(
                "insert into audit.issued_documents values (?, ?, ?, ?, ?, ?)",
                [number, file.kind, name, file.sha256, file.size, now],
            )
            written += 1
    return PeriodDocuments(written, verified, len(numbers))


def load_document(con: duckdb.DuckDBPyConnection, invoice_number: str) -> InvoiceDocument:
    """The document model of one issued invoice or note, from audit rows only."""
    header = warehouse_rows(con, "select * from audit.issued_invoices where invoice_number = ?", [invoice_number])
    if not header:
        raise KeyError(invoice_number)
    head = header[0]
    lines = warehouse_rows(
        con,
        f"select {', '.join(LINE_NAMES)} from audit.issued_invoice_lines where invoice_id = ? order by line_number",
        [head["invoice_id"]],
    )
    minor_units = _minor_units(con, str(head["currency"]))
    period_start: date = head["billing_period_start"]  # type: ignore[assignment]
    period_end = month_end(period_start)
    document_lines = tuple(
        DocumentLine(
            line_number=int(line["line_number"]),
            description=str(line["description"]),
            quantity=_scaled(line["quantity"], 4),
            unit=_rec20_unit(line["unit"]),
            unit_price=_scaled(line["unit_price"], 6),
            amount=_scaled(line["amount"], minor_units),
            tax_category_code=str(line["tax_category_code"]),
            tax_rate=_normal(line["tax_rate"]),
            tax_amount=_scaled(line["tax_amount"], minor_units),
            service_id=line["service_id"],  # type: ignore[arg-type]
            period_start=line["service_period_start"] or period_start,  # type: ignore[arg-type]
            period_end=(
                line["service_period_end"] - timedelta(days=1)  # type: ignore[operator]
                if line["service_period_end"]
                else period_end
            ),
            note=_line_note(line),
        )
        for line in lines
    )
    breakdown: dict[tuple[str, Decimal], list[DocumentLine]] = defaultdict(list)
    reasons: dict[tuple[str, Decimal], tuple[str | None, str | None]] = {}
    for line, raw in zip(document_lines, lines, strict=True):
        key = (line.tax_category_code, line.tax_rate)
        breakdown[key].append(line)
        reasons.setdefault(key, (raw["exemption_reason"], raw["exemption_reason_code"]))  # type: ignore[arg-type]
    taxes = tuple(
        TaxBreakdown(
            tax_category_code=code,
            tax_rate=rate,
            taxable_amount=sum((x.amount for x in members), Decimal(0)),
            tax_amount=sum((x.tax_amount for x in members), Decimal(0)),
            exemption_reason=reasons[(code, rate)][0],
            exemption_reason_code=reasons[(code, rate)][1],
        )
        for (code, rate), members in sorted(breakdown.items())
    )
    line_total = sum((x.amount for x in document_lines), Decimal(0))
    tax_total = sum((x.tax_amount for x in document_lines), Decimal(0))
    original = head.get("original_invoice_number")
    original_date = None
    if original:
        original_date = con.execute(
            "select invoice_date from audit.issued_invoices where invoice_number = ?", [original]
        ).fetchone()[0]
    notes = _notes(head, lines)
    return InvoiceDocument(
        document_type=head["document_type"],  # type: ignore[arg-type]
        number=invoice_number,
        issue_date=head["invoice_date"],  # type: ignore[arg-type]
        due_date=head["due_date"],  # type: ignore[arg-type]
        period_start=period_start,
        period_end=period_end,
        currency=str(head["currency"]),
        minor_units=minor_units,
        seller=party_from_frozen(json.loads(str(head["seller_party"])), "legal_entity_id", "legal_name", "email"),
        buyer=party_from_frozen(json.loads(str(head["buyer_party"])), "client_id", "client_name", "billing_email"),
        lines=document_lines,
        tax_breakdown=taxes,
        line_total=line_total,
        tax_total=tax_total,
        total=line_total + tax_total,
        payment_terms=f"Net {head['payment_terms_days'] or 0} days",
        contract_reference=f"{head['contract_id']} v{head['contract_version']}" if head["contract_id"] else "",
        preceding_invoice_number=original,  # type: ignore[arg-type]
        preceding_invoice_date=original_date,
        notes=notes,
        delivery_method=head["delivery_method"],  # type: ignore[arg-type]
    )


def frozen_evidence(con: duckdb.DuckDBPyConnection, invoice_number: str) -> AuditEvidence:
    """The evidence frozen when the document was issued (audit.issued_evidence), in file-name order."""
    rows = con.execute(
        "select file_name, content, description from audit.issued_evidence where invoice_number = ? order by file_name",
        [invoice_number],
    ).fetchall()
    return AuditEvidence(
        files=tuple(EvidenceFile(name=name, content=bytes(content), description=text) for name, content, text in rows)
    )


def load_evidence(con: duckdb.DuckDBPyConnection, invoice_number: str, document: InvoiceDocument) -> AuditEvidence:
    """What an auditor needs to re-derive every line: the frozen lines, the usage and allocations behind them,
    the contract version with its prices, FX rates, tax determinations, gate results and source-file checksums."""
    head = warehouse_rows(con, "select * from audit.issued_invoices where invoice_number = ?", [invoice_number])[0]
    invoice_id, client_id = head["invoice_id"], head["client_id"]
    period = head["billing_period_start"]
    contract = (head["contract_id"], head["contract_version"])
    files = [
        _evidence(
            con,
            "header.csv",
            "The issued header as frozen in audit.issued_invoices.",
            "select * from audit.issued_invoices where invoice_number = ?",
            [invoice_number],
        ),
        _evidence(
            con,
            "lines.csv",
            "Every line as frozen in audit.issued_invoice_lines: price, FX and tax.",
            "select * from audit.issued_invoice_lines where invoice_id = ? order by line_number",
            [invoice_id],
        ),
        _evidence(
            con,
            "allocated_charges.csv",
            "The allocated charges of the client in the period (marts.fct_cost_allocations) behind usage lines.",
            "select * from marts.fct_cost_allocations where client_id = ? and billing_period_start = ? "
            "order by allocation_id",
            [client_id, period],
        ),
        _evidence(
            con,
            "contract.csv",
            "The contract version the document is priced under.",
            "select * from staging.stg_reference__contracts where contract_id = ? and contract_version = ?",
            list(contract),
        ),
        _evidence(
            con,
            "gate_results.csv",
            "The period's quality gates (approvals to issue) as evaluated.",
            "select * from audit.gate_results where billing_period_start = ? order by checked_at, suite, expectation",
            [period],
        ),
        _evidence(
            con,
            "source_files.csv",
            "Provider files behind the period, with their sha256.",
            "select path, source, sha256, bytes, row_count, status, loaded_at from audit.ingested_files "
            "where billing_period_start = ? order by path",
            [period],
        ),
    ]
    for relation, name, description in _OPTIONAL_EVIDENCE:
        if _relation_exists(con, relation):
            files.append(
                _evidence(
                    con,
                    name,
                    description,
                    f"select * from {relation} where contract_id = ? and contract_version = ?",
                    list(contract),
                )
            )
    if document.preceding_invoice_number:
        files.append(
            _evidence(
                con,
                "corrected_invoice_lines.csv",
                "Lines of the invoice this note corrects.",
                "select * from audit.issued_invoice_lines where invoice_id = ? order by line_number",
                [head["original_invoice_id"]],
            )
        )
    return AuditEvidence(files=tuple(files))


# Contract price lists (the client's rate card) when those models exist in the warehouse.
_OPTIONAL_EVIDENCE: tuple[tuple[str, str, str], ...] = (
    ("staging.stg_reference__contract_prices", "contract_prices.csv", "Usage prices of the contract version."),
    ("staging.stg_reference__contract_price_tiers", "contract_price_tiers.csv", "Price tiers of the contract version."),
    ("staging.stg_reference__contract_discount_tiers", "contract_discount_tiers.csv", "Discount tiers."),
    ("staging.stg_reference__contract_subscription_plans", "subscription_plans.csv", "Subscription plans."),
    ("staging.stg_reference__contract_sla_targets", "sla_targets.csv", "SLA targets of the contract version."),
)


def _evidence(
    con: duckdb.DuckDBPyConnection, name: str, description: str, sql: str, params: list[object]
) -> EvidenceFile:
    return EvidenceFile(name=name, content=evidence_csv(con, sql, params), description=description)


def _relation_exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    schema, name = relation.split(".")
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def _rec20_unit(unit: object) -> str:
    """The UN/ECE Rec 20 code for the document. Contract prices may carry a finer internal code
    (E34-MON: gigabyte-month, which Rec 20 lacks): the document shows its Rec 20 base (E34) and the line's
    description names the period."""
    return str(unit or "C62").split("-")[0]


def check_issued_documents(con: duckdb.DuckDBPyConnection, numbers: list[str]) -> None:
    """Inside the issuing transaction: freeze each new document's evidence and validate its document before
    the numbers are committed; a document that could not be rendered must not leave a numbered invoice without
    its files."""
    for number in numbers:
        try:
            document = load_document(con, number)
            validate(document)
            for file in load_evidence(con, number, document).files:
                con.execute(
                    "insert into audit.issued_evidence values (?, ?, ?, ?, ?)",
                    [number, file.name, file.description, file.content, hashlib.sha256(file.content).hexdigest()],
                )
        except InvoiceDocumentError as error:
            raise DocumentsChanged(f"{error}; nothing was issued (fix the cause and close the month again)") from None


def _line_note(line: dict[str, object]) -> str | None:
    parts = []
    if line["fx_rate_date"] is not None:
        parts.append(
            f"{line['price_currency']} {_normal(line['price_amount'])} at {_normal(line['fx_rate'])} "
            f"({line['fx_source']}, {line['fx_rate_date']})"
        )
    if line["reference"]:
        parts.append(str(line["reference"]))
    return "; ".join(parts) or None


def _notes(head: dict[str, object], lines: list[dict[str, object]]) -> tuple[str, ...]:
    notes = []
    if any(line["fx_rate_date"] is not None for line in lines):
        notes.append(
            "Amounts converted at the reference rate of the last business day on or before the invoice date, "
            "shown per line; each converted line is rounded once to the invoice currency."
        )
    if head["document_type"] != "invoice":
        notes.append(f"Corrects invoice {head['original_invoice_number']} after a restatement of its period.")
    return tuple(notes)


def party_from_frozen(row: dict[str, object], id_key: str, name_key: str, email_key: str) -> Party:
    """A party as frozen at issue (the legal entity or client seed row as JSON)."""
    return Party(
        party_id=str(row[id_key]),
        name=str(row[name_key]),
        address_line=str(row.get("address_line") or ""),
        city=str(row.get("city") or ""),
        postal_code=str(row.get("postal_code") or ""),
        country_code=str(row["country"]),
        subdivision=row.get("subdivision") or None,  # type: ignore[arg-type]
        vat_id=row.get("vat_id") or None,  # type: ignore[arg-type]
        email=row.get(email_key) or None,  # type: ignore[arg-type]
    )


def _minor_units(con: duckdb.DuckDBPyConnection, currency: str) -> int:
    row = con.execute(
        "select minor_units from staging.stg_reference__currencies where currency_code = ?", [currency]
    ).fetchone()
    if row is None:
        raise ValueError(f"currency {currency} is not in seeds/currencies.csv")
    return int(row[0])


def month_end(start: date) -> date:
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def _scaled(value: object, places: int) -> Decimal:
    """A stored DECIMAL(38,10) shown with `places` decimals; money columns are already rounded to them."""
    number = Decimal(str(value if value is not None else 0))
    quantum = Decimal(1).scaleb(-places)
    scaled = number.quantize(quantum)
    return scaled if scaled == number or places < 4 else number.normalize()


def _normal(value: object) -> Decimal:
    number = Decimal(str(value if value is not None else 0))
    return number.normalize() if number else Decimal(0)
