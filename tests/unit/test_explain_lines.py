"""`billing explain` and its API on a small warehouse holding only marts: the chain down to source files and rows,
the cap on long piece lists, and the refusals a person reads."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.transparency.commands import parse_chargeback_target, parse_invoice_target
from orchestration.transparency.explain import (
    ExplainError,
    explain_chargeback_line,
    explain_invoice_line,
    invoice_lines,
    issued_invoice_numbers,
)
from orchestration.user_errors import UserError

NUMBER = "GLX-INV-2026-000007"

INVOICES = """
create table marts.fct_invoices as select * from (values
    ('GLOBEX-2026-10', 'invoice', 'GLX-INV-2026-000007', 'GLOBEX', date '2026-10-01', 'finalized', null),
    ('INITECH-2026-10', 'invoice', null, 'INITECH', date '2026-10-01', 'draft', null)
) as t(invoice_id, document_type, invoice_number, client_id, billing_period_start, status, original_invoice_number)
"""

LINES = """
create table marts.fct_invoice_lines as select * from (values
    ('GLOBEX-2026-10', 1, 'invoice', 'GLOBEX', date '2026-10-01', 'usage', 'usage', 'MSA-G', 2, 'G-HOURS',
     'Compute usage 325 Hours at 0.2', 325.0::decimal(38,10), 'HUR', 0.18::decimal(38,10), 58.50::decimal(38,10),
     'EUR', 'USD', 65.0::decimal(38,10), 0.9::decimal(38,10), date '2026-10-30', 'ECB', 11.12::decimal(38,10),
     0.19::decimal(38,10), 'it_services', 'DE', 'S', null, 'price G-HOURS', 'finalized'),
    ('GLOBEX-2026-10', 2, 'invoice', 'GLOBEX', date '2026-10-01', 'discount', 'discount_tier', 'MSA-G', 2, 'G-SPEND',
     'Discount 3% on 65 USD', 65.0::decimal(38,10), 'C62', -0.027::decimal(38,10), -1.76::decimal(38,10),
     'EUR', 'USD', -1.95::decimal(38,10), 0.9::decimal(38,10), date '2026-10-30', 'ECB', -0.33::decimal(38,10),
     0.19::decimal(38,10), 'it_services', 'DE', 'S', null, 'discount G-SPEND threshold 50 on all usage', 'finalized')
) as t(invoice_id, line_number, document_type, client_id, billing_period_start, line_type, pricing_model,
       contract_id, contract_version, price_id, description, quantity, unit, unit_price, amount, currency,
       price_currency, price_amount, fx_rate, fx_rate_date, fx_source, tax_amount, tax_rate, tax_category,
       tax_jurisdiction_id, tax_category_code, exemption_reason, reference, status)
"""


def _warehouse(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(INVOICES)
        con.execute(LINES)
        con.execute(
            """
            create table pieces as
            select 'GLOBEX-2026-10' as invoice_id, 1 as line_number, n as piece_number, 'usage' as piece_type,
                'C' || n || '>CC-G' as piece_key, 'C' || n as charge_id, 'DIRECT' as allocation_rule_id,
                1::decimal(38,10) as share_ratio, (26 - n)::decimal(38,10) as piece_quantity, 'Hours' as piece_unit,
                ((26 - n) * 0.2)::decimal(38,10) as piece_cost, 'USD' as piece_currency,
                'aws_cur/2026-10/cur.csv' as source_file, (100 + n)::bigint as source_row,
                null::varchar as source_key
            from range(1, 26) as r(n)
            union all
            select 'GLOBEX-2026-10', 2, 1, 'line', 'line 1', null, null, null, 65.0, 'USD', 58.50, 'EUR',
                'marts.fct_invoice_lines', null, 'GLOBEX-2026-10#1'
            """
        )
        con.execute(
            """
            create table marts.fct_invoice_line_lineage as
            select
                lines.billing_period_start, lines.invoice_id, invoices.invoice_number, lines.status, lines.client_id,
                lines.line_number, lines.line_type, true as line_is_current, lines.pricing_model, lines.contract_id,
                lines.contract_version,
                lines.price_id, lines.unit_price,
                case lines.line_number when 1 then 'seeds/contract_prices.csv'
                    else 'seeds/contract_discount_tiers.csv' end as price_source_file,
                'MSA-G/v2/' || lines.price_id as price_source_key,
                lines.price_currency as fx_from_currency, lines.currency as fx_to_currency, lines.fx_rate,
                lines.fx_rate_date, lines.tax_category_code, lines.tax_rate,
                pieces.* exclude (invoice_id, line_number)
            from marts.fct_invoice_lines as lines
            join marts.fct_invoices as invoices using (invoice_id)
            join pieces using (invoice_id, line_number)
            """
        )
        con.execute(
            """
            create table marts.fct_chargeback_lines as select * from (values
                (date '2026-10-01', 'D-DATA', 'CC-DATA', 'IT-CONTAINERS', null, null, 'unit_price',
                 1500.0::decimal(38,10), 'vCPU-hour', 0.06::decimal(38,10), 10::decimal(38,10),
                 81.00::decimal(38,10), 77.10::decimal(38,10), 'USD', 'chargeback', 'RC-FY2026.1')
            ) as t(billing_period_start, department_id, cost_center_id, service_id, sku_id, resource_id, rate_item,
                   quantity, unit, unit_rate, bundle_discount_percent, amount, allocated_cost, billing_currency,
                   mode, rate_card_version)
            """
        )
        con.execute(
            """
            create table marts.fct_chargeback_line_lineage as select * from (values
                (date '2026-10-01', 'D-DATA', 'CC-DATA', 'IT-CONTAINERS', 'unit_price', 1, 'driver', 'K1', 'K1',
                 'R-K8S', null, 1000.0::decimal(38,10), 'vCPU-Hours', null, 'kubernetes/2026-10/usage.csv', 7::bigint,
                 null),
                (date '2026-10-01', 'D-DATA', 'CC-DATA', 'IT-CONTAINERS', 'unit_price', 2, 'driver', 'K2', 'K2',
                 'R-K8S', null, 500.0::decimal(38,10), 'vCPU-Hours', null, 'kubernetes/2026-10/usage.csv', 8::bigint,
                 null),
                (date '2026-10-01', 'D-DATA', 'CC-DATA', 'IT-CONTAINERS', 'unit_price', 3, 'usage', 'C9>CC-K8S>CC-DATA',
                 'C9', 'R-K8S', 0.5::decimal(38,10), null, null, 77.10::decimal(38,10), 'aws_cur/2026-10/cur.csv',
                 42::bigint, null)
            ) as t(billing_period_start, department_id, cost_center_id, service_id, rate_item, piece_number,
                   piece_type, piece_key, charge_id, allocation_rule_id, share_ratio, piece_quantity, piece_unit,
                   piece_cost, source_file, source_row, source_key)
            """
        )
        con.execute("alter table marts.fct_chargeback_line_lineage add column billing_currency varchar default 'USD'")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "warehouse" / "billing.duckdb"
    _warehouse(path)
    return path


def test_a_usage_line_is_explained_down_to_the_export_rows_with_the_largest_pieces_first(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        explanation = explain_invoice_line(con, NUMBER, 1)
        everything = explain_invoice_line(con, NUMBER, 1, piece_limit=None)
    text = explanation.render_text()
    assert text.splitlines()[0] == f"{NUMBER} line 1 (GLOBEX, 2026-10, usage): Compute usage 325 Hours at 0.2"
    assert "seeds/contract_prices.csv [MSA-G/v2/G-HOURS]" in text
    assert "FX: 65 USD x 0.9 (USD->EUR of 2026-10-30, ECB) = 58.5 EUR" in text
    assert "tax: it_services in DE: category S at 19 % = 11.12 EUR" in text
    assert "pieces: 25 usage pieces totalling 325 Hours from 1 file" in text
    # the 20 largest (25 .. 6 hours), the 5 smallest (5+4+3+2+1 = 15 hours, 3 USD) summed in one line
    pieces = next(step for step in explanation.steps if step.title == "pieces")
    assert [row[5] for row in pieces.rows] == [Decimal(q) for q in range(25, 5, -1)]
    assert pieces.rows[0][-1] == "landing/aws_cur/2026-10/cur.csv:101"
    assert "... and 5 more pieces totalling quantity 15, cost 3 (--all lists them)" in text
    all_pieces = next(step for step in everything.steps if step.title == "pieces")
    assert len(all_pieces.rows) == 25 and all_pieces.more is None
    assert not explanation.notes


def test_a_line_restated_after_issue_says_its_pieces_are_todays(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update marts.fct_invoice_line_lineage set line_is_current = false where line_number = 1")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        explanation = explain_invoice_line(con, NUMBER, 1)
    assert explanation.notes == [
        "the period was restated after this line was issued for 325: the pieces above are today's (usage 325), "
        "and the difference is on a credit or debit note"
    ]
    assert explanation.render_text().endswith("note: " + explanation.notes[0])


def test_a_discount_line_names_the_lines_it_discounts_and_their_sources(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        explanation = explain_invoice_line(con, NUMBER, 2)
    text = explanation.render_text()
    assert "seeds/contract_discount_tiers.csv [MSA-G/v2/G-SPEND]" in text
    assert "pieces: 1 line piece totalling 65 USD" in text
    behind = next(step for step in explanation.steps if step.title == "behind those lines")
    assert behind.rows == [
        ("GLOBEX-2026-10#1", "usage", 25, Decimal(325), "Hours", "landing/aws_cur/2026-10/cur.csv:101 (largest piece)")
    ]


def test_the_picker_lists_an_issued_invoices_lines(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert issued_invoice_numbers(con) == [NUMBER]
        assert issued_invoice_numbers(con, ["INITECH"]) == []
        lines = invoice_lines(con, NUMBER)
    assert [(line.line_number, line.line_type, line.amount) for line in lines] == [
        (1, "usage", Decimal("58.50")),
        (2, "discount", Decimal("-1.76")),
    ]


@pytest.mark.parametrize(
    ("number", "line", "message"),
    [
        (
            "GLX-INV-2026-999999",
            1,
            "no issued invoice or note numbered 'GLX-INV-2026-999999' in this warehouse; "
            "`billing invoices list` shows the numbers",
        ),
        (NUMBER, 9, f"{NUMBER} has no line 9: its lines are 1..2"),
        ("GLOBEX-2026-10", 1, f"GLOBEX-2026-10 is an invoice id; it was issued as {NUMBER}: explain {NUMBER}:<line>"),
        (
            "INITECH-2026-10",
            1,
            "INITECH-2026-10 is a draft invoice, not issued yet: only issued invoices are explained "
            "(close its month with `billing close` to issue it)",
        ),
    ],
)
def test_unknown_invoices_missing_lines_and_drafts_are_refused(
    warehouse: Path, number: str, line: int, message: str
) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con, pytest.raises(ExplainError) as refused:
        explain_invoice_line(con, number, line)
    assert str(refused.value) == message


def test_a_unit_price_chargeback_line_reaches_its_driver_rows(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        text = explain_chargeback_line(con, date(2026, 10, 1), "D-DATA", "IT-CONTAINERS").render_text()
        with pytest.raises(ExplainError) as refused:
            explain_chargeback_line(con, date(2026, 10, 1), "D-DATA", "IT-BACKUP")
    assert text.splitlines()[0] == ("chargeback 2026-10/D-DATA/IT-CONTAINERS: 1 line(s): 81 USD (chargeback, CC-DATA)")
    assert "rate card: RC-FY2026.1: unit_price at 0.06 per vCPU-hour less the bundle's 10 %" in text
    assert "2 driver pieces: quantity 1500, cost - from 1 file" in text
    assert "landing/kubernetes/2026-10/usage.csv:7" in text
    assert "landing/aws_cur/2026-10/cur.csv:42" in text
    assert str(refused.value) == ("no chargeback line 2026-10/D-DATA/IT-BACKUP; its services that month: IT-CONTAINERS")


def test_targets_are_parsed_or_refused_in_one_line() -> None:
    assert parse_invoice_target("GLX-INV-2026-000007:12", None, None) == ("GLX-INV-2026-000007", 12)
    assert parse_invoice_target(None, "GLX-INV-2026-000007", 3) == ("GLX-INV-2026-000007", 3)
    assert parse_chargeback_target("2026-10/D-DATA/IT-CONTAINERS/CC-DATA") == (
        date(2026, 10, 1),
        "D-DATA",
        "IT-CONTAINERS",
        "CC-DATA",
    )
    with pytest.raises(UserError, match="is not INVOICE:LINE"):
        parse_invoice_target("GLX-INV-2026-000007", None, None)
    with pytest.raises(UserError, match="--invoice needs --line"):
        parse_invoice_target(None, "GLX-INV-2026-000007", None)
    with pytest.raises(UserError, match="is not PERIOD/DEPARTMENT/SERVICE"):
        parse_chargeback_target("2026-10/D-DATA")


def _billing(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BILLING_DATA_DIR": str(data_dir)}
    command = [str(Path(sys.executable).with_name("billing")), "explain", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def test_the_command_prints_the_chain(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from orchestration.cli import app

    monkeypatch.setenv("BILLING_DATA_DIR", str(warehouse.parent.parent))
    done = CliRunner().invoke(app, ["explain", "--invoice", NUMBER, "--line", "1", "--all"])
    assert done.exit_code == 0, done.output
    assert "landing/aws_cur/2026-10/cur.csv:125" in done.output  # the smallest piece, listed with --all
    assert "more pieces" not in done.output
    charged = CliRunner().invoke(app, ["explain", "--chargeback", "2026-10/D-DATA/IT-CONTAINERS/CC-DATA"])
    assert charged.exit_code == 0, charged.output
    assert "quantity rule: unit_price" in charged.output


def test_the_command_refuses_in_one_line_and_says_when_the_warehouse_is_busy(warehouse: Path) -> None:
    data_dir = warehouse.parent.parent
    refused = _billing(data_dir, f"{NUMBER}:9")
    assert (refused.returncode, refused.stderr) == (1, f"error: {NUMBER} has no line 9: its lines are 1..2\n")
    with duckdb.connect(str(warehouse)):  # a close holds the warehouse
        busy = _billing(data_dir, f"{NUMBER}:1")
    assert busy.returncode == 1
    assert busy.stderr.startswith(f"error: the warehouse {warehouse} is busy (a close is probably running: ")
    assert busy.stderr.endswith("run this again after it ends\n") and busy.stderr.count("\n") == 1
