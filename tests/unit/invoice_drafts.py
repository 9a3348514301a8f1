"""Draft invoice tables as dbt leaves them (intermediate.int_invoices_drafted / int_invoice_lines_drafted), and
the legal-entity and client views finalization reads, for tests that exercise issuing without running dbt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd

from orchestration.defs.quality.batches import RECONCILIATION
from orchestration.defs.quality.checks import record_gate
from orchestration.defs.quality.gates import load_suite, run_suite
from orchestration.invoicing.columns import DRAFT_HEADER_NAMES, LINE_COLUMNS, LINE_NAMES
from orchestration.settings import EXPECTATIONS_DIR

SEPTEMBER = date(2026, 9, 1)


@dataclass(frozen=True)
class Draft:
    invoice_id: str
    client_id: str
    legal_entity_id: str
    currency: str
    lines: list[tuple[str, str]]  # (amount, tax)
    document_type: str = "invoice"
    original_invoice_id: str | None = None
    original_invoice_number: str | None = None
    blocking_issues: str | None = None


def draft(client: str, entity: str, currency: str, lines: list[tuple[str, str]], **extra: object) -> Draft:
    return Draft(f"{client}-2026-09", client, entity, currency, lines, **extra)  # type: ignore[arg-type]


def add_drafts(con: duckdb.DuckDBPyConnection, drafts: list[Draft]) -> None:
    """(Re)create the draft tables holding exactly `drafts`, and the reference views."""
    for schema in ("intermediate", "staging", "marts"):
        con.execute(f"create schema if not exists {schema}")
    con.execute(
        """
        create or replace table staging.stg_reference__legal_entities as
        select * from (values
            ('LE-US', 'Example Bank Technology Services LLC', 'US', 'NY', '200 Park Avenue', 'New York', '10166',
             'US135551234', 'USD', 'EBTS', 'billing@ebts.example'),
            ('LE-DE', 'Example Bank Technology Services GmbH', 'DE', null, 'Taunusanlage 12', 'Frankfurt am Main',
             '60325', 'DE811907980', 'EUR', 'EBTG', 'rechnung@ebtg.example')
        ) as t(legal_entity_id, legal_name, country, subdivision, address_line, city, postal_code, vat_id,
               ledger_currency, document_prefix, email)
        """
    )
    con.execute(
        """
        create or replace table staging.stg_reference__clients as
        select * from (values
            ('GLOBEX', 'Globex Corporation', 'LE-US', 'business', 'US', 'NY', '350 Fifth Avenue', 'New York',
             '10118', null, 'USD', 'pdf', 'ap@globex.example'),
            ('INITECH', 'Initech GmbH', 'LE-DE', 'business', 'DE', null, 'Friedrichstrasse 68', 'Berlin', '10117',
             'DE297648721', 'EUR', 'both', 'kreditoren@initech.example'),
            ('UMBRELLA', 'Umbrella Japan KK', 'LE-US', 'business', 'JP', null, '1-1-2 Otemachi', 'Tokyo',
             '100-0004', null, 'JPY', 'both', 'ap@umbrella.example')
        ) as t(client_id, client_name, legal_entity_id, customer_type, country, subdivision, address_line, city,
               postal_code, vat_id, invoice_currency, delivery_method, billing_email)
        """
    )
    header_rows = []
    line_rows = []
    for d in drafts:
        amounts = [(Decimal(a), Decimal(t)) for a, t in d.lines]
        subtotal = sum((a for a, _ in amounts if a >= 0), Decimal(0))
        credits = sum((a for a, _ in amounts if a < 0), Decimal(0))
        tax = sum((t for _, t in amounts), Decimal(0))
        header = {
            "invoice_id": d.invoice_id,
            "document_type": d.document_type,
            "legal_entity_id": d.legal_entity_id,
            "client_id": d.client_id,
            "contract_id": f"MSA-{d.client_id}-2026",
            "contract_version": 1,
            "billing_period_start": SEPTEMBER,
            "currency": d.currency,
            "payment_terms_days": 30,
            "delivery_method": "pdf",
            "original_invoice_id": d.original_invoice_id,
            "original_invoice_number": d.original_invoice_number,
            "subtotal": subtotal,
            "discount_total": Decimal(0),
            "credit_total": credits,
            "tax_total": tax,
            "total": subtotal + credits + tax,
            "line_count": len(amounts),
        }
        assert set(header) == set(DRAFT_HEADER_NAMES)
        header_rows.append(
            {
                **header,
                "invoice_date": date(2026, 9, 30) if d.document_type == "invoice" else None,
                "blocking_issues": d.blocking_issues,
            }
        )
        for number, (amount, tax_amount) in enumerate(amounts, start=1):
            line_rows.append(_line(d, number, amount, tax_amount))
    _create(con, "intermediate.int_invoices_drafted", header_rows, _header_types())
    _create(con, "intermediate.int_invoice_lines_drafted", line_rows, dict(LINE_COLUMNS))


def _line(d: Draft, number: int, amount: Decimal, tax: Decimal) -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(LINE_NAMES)
    values |= {
        "invoice_id": d.invoice_id,
        "line_number": number,
        "document_type": d.document_type,
        "client_id": d.client_id,
        "legal_entity_id": d.legal_entity_id,
        "contract_id": f"MSA-{d.client_id}-2026",
        "contract_version": 1,
        "billing_period_start": SEPTEMBER,
        "currency": d.currency,
        "line_type": "usage" if amount >= 0 else "sla_credit",
        "description": f"line {number}",
        "quantity": Decimal(1),
        "unit": "C62",
        "unit_price": amount,
        "amount": amount,
        "tax_category_code": "S",
        "tax_rate": Decimal("0.08875"),
        "tax_amount": tax,
    }
    return values


def _header_types() -> dict[str, str]:
    types = {name: "varchar" for name in DRAFT_HEADER_NAMES}
    types |= {
        "contract_version": "integer",
        "billing_period_start": "date",
        "payment_terms_days": "integer",
        "line_count": "integer",
        "invoice_date": "date",
        "blocking_issues": "varchar",
    }
    for money in ("subtotal", "discount_total", "credit_total", "tax_total", "total"):
        types[money] = "decimal(38, 10)"
    return types


def _create(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, object]], types: dict[str, str]) -> None:
    names = list(types)
    columns = ", ".join(f"{name} {types[name].replace(' not null', '')}" for name in names)
    con.execute(f"create or replace table {table} ({columns})")
    for row in rows:
        con.execute(
            f"insert into {table} ({', '.join(names)}) values ({', '.join('?' for _ in names)})",
            [row.get(name) for name in names],
        )


def record_green_gates(con: duckdb.DuckDBPyConnection, period: date = SEPTEMBER) -> None:
    """Record the period's reconciliation and invoice-total gates as passed (GX on one balanced row each), as a
    close does before it may finalize."""
    reconciliation = pd.DataFrame(
        {
            "source": ["aws_cur"],
            "billing_account_id": ["1"],
            "currency": ["USD"],
            "difference": [Decimal(0)],
            "status": ["balanced"],
        }
    )
    suite = load_suite(EXPECTATIONS_DIR / "fct_reconciliation.json")
    record_gate(con, run_suite(suite, reconciliation, RECONCILIATION.key_columns), period, "run-1")
    totals = pd.DataFrame(
        {
            "invoice_id": ["GLOBEX-2026-09"],
            "total": [Decimal(1)],
            "lines_total": [Decimal(1)],
            "difference": [Decimal(0)],
        }
    )
    suite = load_suite(EXPECTATIONS_DIR / "invoice_totals.json")
    record_gate(con, run_suite(suite, totals, ["invoice_id"]), period, "run-1")
