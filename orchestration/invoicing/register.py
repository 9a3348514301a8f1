"""Register issued documents in the operational store: one audit event `invoice.finalized` per document, whose
record (header and lines as frozen at issue) disputes and adjustments check against while a close holds the
warehouse. Idempotent: every close registers whatever is issued and not yet registered, so a store that missed a
close (or predates the audit trail) catches up."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import duckdb

from orchestration.invoicing.finalize import warehouse_rows
from orchestration.ops.audit_trail import append_event
from orchestration.ops.issued_register import ENTITY, FINALIZED, registered_numbers
from orchestration.ops.store import write_transaction

_LINE_FIELDS = (
    "line_number",
    "description",
    "service_id",
    "amount",
    "tax_amount",
    "tax_category_code",
    "tax_rate",
    "tax_jurisdiction_id",
    "exemption_reason",
    "exemption_reason_code",
)


def register_issued_documents(warehouse: duckdb.DuckDBPyConnection, store: Path, actor_role: str = "close") -> int:
    """Record every issued document not yet in the store's audit trail; returns how many were added. Decimals and
    dates go into the record as canonical_json writes them (plain decimal text, ISO dates)."""
    headers = warehouse_rows(warehouse, "select * from audit.issued_invoices order by issued_at, invoice_number", [])
    if not headers:
        return 0
    with write_transaction(store) as con:
        known = registered_numbers(con)
        added = 0
        for head in headers:
            number = head["invoice_number"]
            if number in known:
                continue
            lines = warehouse_rows(
                warehouse,
                f"select {', '.join(_LINE_FIELDS)} from audit.issued_invoice_lines where invoice_id = ? "
                "order by line_number",
                [head["invoice_id"]],
            )
            issued_at = head["issued_at"]
            assert isinstance(issued_at, datetime)
            contract = f"{head['contract_id']} v{head['contract_version']}" if head.get("contract_id") else ""
            record = {
                **{
                    key: head[key]
                    for key in (
                        "invoice_number",
                        "invoice_id",
                        "document_type",
                        "legal_entity_id",
                        "client_id",
                        "billing_period_start",
                        "invoice_date",
                        "due_date",
                        "currency",
                        "subtotal",
                        "tax_total",
                        "total",
                        "original_invoice_number",
                        "payment_terms_days",
                        "delivery_method",
                        "content_sha256",
                    )
                },
                "contract_reference": contract,
                "seller_party": json.loads(head["seller_party"]),
                "buyer_party": json.loads(head["buyer_party"]),
                "lines": lines,
            }
            append_event(
                con,
                actor=str(head["issued_by"]),
                actor_role=actor_role,
                action=FINALIZED,
                entity_type=ENTITY,
                entity_id=number,
                after=record,
                reason=f"issued at {issued_at.isoformat()} by the close of {str(head['billing_period_start'])[:7]}",
            )
            added += 1
    return added
