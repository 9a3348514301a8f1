"""The warehouse copies of billing-operations records (disputes, adjustments, notes, payments, the audit trail).

Replaced whole at the start of each close from one consistent read of the operational store
(orchestration/ops/snapshot.py), for dbt's `ops` source. Money is DECIMAL(38, 10) cast by the warehouse from the
store's exact decimal text; instants are naive UTC timestamps.
"""

from __future__ import annotations

MONEY = "decimal(38, 10)"

# (table, column definitions); the column order is the order the snapshot inserts in.
OPERATIONS_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    # One row per dispute, as opened (immutable); its lifecycle is in raw.ops_dispute_events.
    "raw.ops_disputes": (
        ("dispute_id", "varchar"),
        ("opened_at", "timestamp"),
        ("opened_by", "varchar"),
        ("target_type", "varchar"),  # invoice_line | chargeback_line
        ("invoice_number", "varchar"),  # invoice_line: the issued document's number
        ("line_number", "integer"),  # invoice_line: the line disputed
        ("billing_period_start", "date"),  # chargeback_line: the period; invoice_line: null (from the invoice)
        ("department_id", "varchar"),  # chargeback_line key
        ("cost_center_id", "varchar"),  # chargeback_line key
        ("service_id", "varchar"),  # chargeback_line key
        ("disputed_amount", MONEY),  # what the disputing party says is wrong, positive; may be null
        ("currency", "varchar"),
        ("description", "varchar"),
        ("acknowledge_due_at", "timestamp"),  # SLA deadlines fixed at intake (dispute_sla_policy, business days)
        ("investigate_due_at", "timestamp"),
        ("resolve_due_at", "timestamp"),
    ),
    # Append-only lifecycle: acknowledged, assigned, commented, resolved, breach_alerted.
    "raw.ops_dispute_events": (
        ("event_id", "bigint"),
        ("dispute_id", "varchar"),
        ("action", "varchar"),
        ("actor", "varchar"),
        ("acted_at", "timestamp"),
        ("owner", "varchar"),  # assigned: the new owner
        ("root_cause", "varchar"),  # resolved: metering_error | misclassified_service | rate_error |
        # contract_interpretation | duplicate_charge | other
        ("outcome", "varchar"),  # resolved: upheld | rejected
        ("comment", "varchar"),
    ),
    # Proposed credit notes, debit notes (never edited; decisions are separate rows).
    "raw.ops_adjustments": (
        ("adjustment_id", "varchar"),
        ("proposed_at", "timestamp"),
        ("proposed_by", "varchar"),
        ("kind", "varchar"),  # credit_note | debit_note
        ("dispute_id", "varchar"),
        ("invoice_number", "varchar"),  # the original invoice
        ("line_number", "integer"),  # the original line whose tax treatment the note takes
        ("currency", "varchar"),
        ("net_amount", MONEY),  # positive; the note's sign comes from its kind
        ("description", "varchar"),
        ("reason", "varchar"),
        ("required_approvals", "integer"),  # 1, or 2 above the materiality threshold
    ),
    "raw.ops_adjustment_decisions": (
        ("decision_id", "bigint"),
        ("adjustment_id", "varchar"),
        ("decision", "varchar"),  # approved | rejected
        ("actor", "varchar"),
        ("decided_at", "timestamp"),
        ("reason", "varchar"),
    ),
    # Notes issued when an adjustment got its last approval: one line each, signed (credit notes negative).
    "raw.ops_adjustment_notes": (
        ("document_number", "varchar"),
        ("series", "varchar"),
        ("sequence_number", "integer"),
        ("document_type", "varchar"),  # credit_note | debit_note
        ("adjustment_id", "varchar"),
        ("legal_entity_id", "varchar"),
        ("client_id", "varchar"),
        ("original_invoice_number", "varchar"),
        ("original_line_number", "integer"),
        ("billing_period_start", "date"),  # the original invoice's period
        ("invoice_date", "date"),
        ("due_date", "date"),
        ("currency", "varchar"),
        ("net_amount", MONEY),
        ("tax_category_code", "varchar"),
        ("tax_rate", MONEY),
        ("tax_amount", MONEY),
        ("total", MONEY),
        ("issued_at", "timestamp"),
        ("issued_by", "varchar"),
        ("content_sha256", "varchar"),
    ),
    # Incoming payments from imported bank statements, one row per credit entry.
    "raw.ops_payments": (
        ("payment_id", "varchar"),
        ("statement_file", "varchar"),
        ("file_sha256", "varchar"),
        ("source_row", "integer"),
        ("statement_format", "varchar"),  # csv | camt053
        ("booking_date", "date"),
        ("value_date", "date"),
        ("amount", MONEY),  # positive
        ("currency", "varchar"),
        ("payer_name", "varchar"),
        ("payer_account", "varchar"),
        ("remittance_information", "varchar"),
        ("bank_reference", "varchar"),
        ("imported_at", "timestamp"),
        ("imported_by", "varchar"),
    ),
    # The hash-chained audit trail (who, what, before/after, why).
    "raw.ops_audit_events": (
        ("event_id", "bigint"),
        ("occurred_at", "timestamp"),
        ("actor", "varchar"),
        ("actor_role", "varchar"),
        ("action", "varchar"),
        ("entity_type", "varchar"),
        ("entity_id", "varchar"),
        ("before_json", "varchar"),
        ("after_json", "varchar"),
        ("reason", "varchar"),
        ("previous_sha256", "varchar"),
        ("event_sha256", "varchar"),
    ),
    # When the snapshot was taken: the "as of" of open disputes' SLA clocks in marts.
    "raw.ops_snapshot": (
        ("taken_at", "timestamp"),
        ("store_path", "varchar"),
        ("audit_event_count", "bigint"),
        ("audit_head_sha256", "varchar"),
    ),
}


def operations_tables_ddl() -> tuple[str, ...]:
    return tuple(
        f"create table if not exists {table} (\n    "
        + ",\n    ".join(f"{name} {kind}" for name, kind in columns)
        + "\n)"
        for table, columns in OPERATIONS_TABLES.items()
    )
