"""The frozen shape of issued documents: audit.issued_invoices and audit.issued_invoice_lines.

The draft models (intermediate.int_invoices_drafted, intermediate.int_invoice_lines_drafted) produce these columns
by name; finalization copies a draft into the audit tables and adds what only issuing knows (number, series,
dates, content hash, who and when). Nothing in the audit tables is ever updated or deleted.
"""

from __future__ import annotations

MONEY = "decimal(38, 10)"

# (column, DuckDB type, filled by finalization rather than copied from the draft)
HEADER_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("invoice_id", "varchar not null", False),
    ("document_type", "varchar not null", False),
    ("invoice_number", "varchar not null", True),
    ("legal_entity_id", "varchar not null", False),
    ("series", "varchar not null", True),
    ("sequence_number", "integer not null", True),
    ("client_id", "varchar not null", False),
    ("contract_id", "varchar", False),
    ("contract_version", "integer", False),
    ("billing_period_start", "date not null", False),
    ("invoice_date", "date not null", True),
    ("due_date", "date not null", True),
    ("currency", "varchar not null", False),
    ("payment_terms_days", "integer", False),
    ("delivery_method", "varchar not null", False),
    ("original_invoice_id", "varchar", False),
    ("original_invoice_number", "varchar", False),
    ("subtotal", f"{MONEY} not null", False),
    ("discount_total", f"{MONEY} not null", False),
    ("credit_total", f"{MONEY} not null", False),
    ("tax_total", f"{MONEY} not null", False),
    ("total", f"{MONEY} not null", False),
    ("line_count", "integer not null", False),
    # The parties as they were at issue (JSON): documents re-rendered later never pick up an edited address.
    ("seller_party", "varchar not null", True),
    ("buyer_party", "varchar not null", True),
    ("content_sha256", "varchar not null", True),
    ("issued_at", "timestamp not null", True),
    ("issued_by", "varchar not null", True),
)

LINE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("invoice_id", "varchar not null"),
    ("line_number", "integer not null"),
    ("document_type", "varchar not null"),
    ("client_id", "varchar not null"),
    ("legal_entity_id", "varchar not null"),
    ("contract_id", "varchar"),
    ("contract_version", "integer"),
    ("billing_period_start", "date not null"),
    ("currency", "varchar not null"),
    ("line_type", "varchar not null"),
    ("pricing_model", "varchar"),
    ("price_id", "varchar"),
    ("service_id", "varchar"),
    ("sku_id", "varchar"),
    ("description", "varchar not null"),
    ("quantity", MONEY),
    ("unit", "varchar"),
    ("unit_price", MONEY),
    ("price_currency", "varchar"),
    ("price_amount", MONEY),
    ("fx_rate", MONEY),
    ("fx_rate_date", "date"),
    ("fx_source", "varchar"),
    ("amount", f"{MONEY} not null"),
    ("tax_category", "varchar"),
    ("tax_jurisdiction_id", "varchar"),
    ("tax_category_code", "varchar not null"),
    ("tax_rate", f"{MONEY} not null"),
    ("tax_amount", f"{MONEY} not null"),
    ("exemption_reason", "varchar"),
    ("exemption_reason_code", "varchar"),
    ("service_period_start", "date"),
    ("service_period_end", "date"),
    ("reference", "varchar"),
    ("source_row_count", "bigint"),
)

DRAFT_HEADER_NAMES: tuple[str, ...] = tuple(name for name, _, assigned in HEADER_COLUMNS if not assigned)
LINE_NAMES: tuple[str, ...] = tuple(name for name, _ in LINE_COLUMNS)

ISSUED_INVOICES_DDL = (
    "create table if not exists audit.issued_invoices (\n    "
    + ",\n    ".join(f"{name} {kind}" for name, kind, _ in HEADER_COLUMNS)
    + "\n)"
)
ISSUED_INVOICE_LINES_DDL = (
    "create table if not exists audit.issued_invoice_lines (\n    "
    + ",\n    ".join(f"{name} {kind}" for name, kind in LINE_COLUMNS)
    + "\n)"
)
# One row per document file written for an issued document: the hashes a re-run must reproduce.
ISSUED_DOCUMENTS_DDL = """
create table if not exists audit.issued_documents (
    invoice_number varchar not null,
    kind varchar not null,
    file_name varchar not null,
    sha256 varchar not null,
    size_bytes bigint not null,
    written_at timestamp not null
)
"""

# The evidence behind each issued document, frozen at issue: the audit package is rebuilt from these bytes, so a
# later restatement (new allocations, new gate runs, superseded files, edited seeds) never changes it.
ISSUED_EVIDENCE_DDL = """
create table if not exists audit.issued_evidence (
    invoice_number varchar not null,
    file_name varchar not null,
    description varchar not null,
    content blob not null,
    sha256 varchar not null
)
"""
