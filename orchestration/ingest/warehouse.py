"""Schemas and manifest tables the ingest owns in the warehouse."""

from __future__ import annotations

import duckdb

from orchestration.ingest.file_digests import LANDING_FILE_DIGESTS_ADDED_COLUMNS, LANDING_FILE_DIGESTS_DDL
from orchestration.ingest.waiting import WAITING_DELIVERIES_DDL
from orchestration.invoicing.columns import (
    ISSUED_DOCUMENTS_DDL,
    ISSUED_EVIDENCE_DDL,
    ISSUED_INVOICE_LINES_DDL,
    ISSUED_INVOICES_DDL,
)
from orchestration.ops.snapshot import ensure_snapshot_tables
from orchestration.sources import RAW_TABLE_COLUMNS
from orchestration.tax.external import ensure_tax_tables

LINEAGE_COLUMNS = ("_source_file", "_source_row", "_file_sha256", "_billing_period_start", "_billing_account_id")

INGESTED_FILES_DDL = """
create table if not exists audit.ingested_files (
    path varchar not null,
    source varchar not null,
    billing_period_start date,
    billing_account_id varchar,
    sha256 varchar not null,
    bytes bigint not null,
    row_count bigint,
    status varchar not null,
    error varchar,
    loaded_at timestamp not null,
    superseded_by varchar,
    superseded_at timestamp,
    file_periods varchar,
    delivered_columns varchar,
    new_columns varchar,
    dataset varchar,
    delivery varchar,
    delivery_sha256 varchar
)
"""

GATE_RESULTS_DDL = """
create table if not exists audit.gate_results (
    billing_period_start date not null,
    suite varchar not null,
    expectation varchar not null,
    success boolean not null,
    failing_rows bigint not null,
    detail varchar,
    run_id varchar,
    checked_at timestamp not null
)
"""


CLOSED_ALLOCATIONS_DDL = """
create table if not exists audit.closed_allocations (
    billing_period_start date not null,
    cost_center_id varchar not null,
    billing_currency varchar not null,
    allocated_effective_cost decimal(38, 10) not null,
    allocated_billed_cost decimal(38, 10) not null,
    allocation_rows bigint not null,
    closed_at timestamp not null,
    closed_by varchar not null
)
"""

# One row per raw slice (table x billing period) that `billing retention apply` archived to Parquet and purged
# (orchestration/retention/apply.py). dbt reads it: an archived period's invoices and closed allocations can no
# longer be recomputed, so they are not compared with today's (empty) drafts and allocations.
RETENTION_ACTIONS_DDL = """
create table if not exists audit.retention_actions (
    action_id varchar not null,
    applied_at timestamp not null,
    applied_by varchar not null,
    policy_version varchar not null,
    data_class varchar not null,
    table_name varchar not null,
    source varchar not null,
    billing_period_start date not null,
    online_until date not null,
    row_count bigint not null,
    money_totals varchar not null,
    content_fingerprint varchar not null,
    archive_path varchar not null,
    archive_sha256 varchar not null,
    archive_bytes bigint not null
)
"""


def ensure_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw and audit schemas and tables if absent; safe to call on every run."""
    con.execute("create schema if not exists raw")
    con.execute("create schema if not exists audit")
    for ddl in (
        INGESTED_FILES_DDL,
        ISSUED_INVOICES_DDL,
        ISSUED_INVOICE_LINES_DDL,
        ISSUED_DOCUMENTS_DDL,
        ISSUED_EVIDENCE_DDL,
        GATE_RESULTS_DDL,
        CLOSED_ALLOCATIONS_DDL,
        RETENTION_ACTIONS_DDL,
        LANDING_FILE_DIGESTS_DDL,
        WAITING_DELIVERIES_DDL,
    ):
        con.execute(ddl)
    # Added with multi-period deliveries, schema-drift records, export datasets and deliveries in parts; a warehouse
    # created before has the table without them.
    for column in ("file_periods", "delivered_columns", "new_columns", "dataset", "delivery", "delivery_sha256"):
        con.execute(f"alter table audit.ingested_files add column if not exists {column} varchar")
    for column in LANDING_FILE_DIGESTS_ADDED_COLUMNS:
        con.execute(f"alter table audit.landing_file_digests add column if not exists {column} varchar")
    for table, columns in RAW_TABLE_COLUMNS.items():
        all_columns = [*columns, *LINEAGE_COLUMNS]
        body = ", ".join(f"{name} varchar" for name in all_columns)
        con.execute(f"create table if not exists raw.{table} ({body})")
    # The operational store's snapshot (published rate cards): empty until a close copies it in.
    ensure_snapshot_tables(con)
    # What an external tax service determined (orchestration/tax): empty unless one is configured.
    ensure_tax_tables(con)


def add_missing_columns(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> list[str]:
    """Schema drift: a delivered column the raw table lacks is added as text; returns the added names."""
    existing = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?",
            [table],
        ).fetchall()
    }
    added = [c for c in columns if c not in existing]
    for name in added:
        con.execute(f'alter table raw.{table} add column "{name}" varchar')
    return added
