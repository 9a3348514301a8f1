"""`billing explain` on the closed demo: every line of every issued invoice reaches a source file and row (a provider
export under landing/, the SLA extract, or a seed row), usage lines reach exactly their quantity, and a unit_price
chargeback line reaches the driver rows its quantity is measured by."""

from __future__ import annotations

import re
from decimal import Decimal

from typer.testing import CliRunner

from orchestration.cli import app
from orchestration.transparency.explain import number
from tests.integration.conftest import ClosedDemo

# a provider export or SLA extract row (landing/<file>:<row>) or a seed row (seeds/<file>.csv [<key>])
SOURCE_ROW = re.compile(r"landing/\S+:\d+|seeds/[\w.]+\.csv \[[^\]]+\]")


def _explain(*args: str) -> str:
    result = CliRunner().invoke(app, ["explain", *args])
    assert result.exit_code == 0, f"{args}: {result.output} {result.exception!r}"
    return result.output


def test_every_line_of_every_issued_invoice_reaches_a_source_row(closed_demo: ClosedDemo) -> None:
    lines = closed_demo.query(
        """
        select invoices.invoice_number, lines.line_number, lines.line_type, lines.pricing_model, lines.quantity
        from marts.fct_invoice_lines as lines
        join marts.fct_invoices as invoices using (invoice_id)
        where invoices.status = 'finalized'
        order by invoices.invoice_number, lines.line_number
        """
    )
    line_types = {row[2] for row in lines}
    assert {"usage", "subscription"} <= line_types, line_types
    usage_lines = 0
    for invoice_number, line_number, line_type, pricing_model, quantity in lines:
        text = _explain(f"{invoice_number}:{line_number}")
        assert text.startswith(f"{invoice_number} line {line_number} ("), text[:200]
        # the pieces (not only the pricing rule's seed row) name where they come from
        pieces_part = text.split("\npieces: ", 1)[1]
        assert SOURCE_ROW.search(pieces_part), f"{invoice_number}:{line_number} ({line_type}) names no source:\n{text}"
        if pricing_model in ("usage", "tiered_volume", "cost_plus"):
            usage_lines += 1
            [(pieces, total)] = closed_demo.query(
                """
                select count(*), sum(piece_quantity) from marts.fct_invoice_line_lineage
                where invoice_number = ? and line_number = ? and piece_type = 'usage'
                """,
                [invoice_number, line_number],
            )
            assert (pieces > 0, total) == (True, quantity), f"{invoice_number}:{line_number}"
            noun = "piece" if pieces == 1 else "pieces"
            assert f"{pieces} usage {noun} totalling {number(quantity)}" in text
            assert re.search(r"landing/(aws_cur|azure_cost|gcp_billing|oci_cost|onprem|kubernetes|focus)/\S+:\d+", text)
    assert usage_lines > 0


def test_a_unit_price_chargeback_line_reaches_its_driver_rows(closed_demo: ClosedDemo) -> None:
    [(period, department, service, cost_center, quantity)] = closed_demo.query(
        """
        select strftime(billing_period_start, '%Y-%m'), department_id, service_id, cost_center_id, quantity
        from marts.fct_chargeback_lines
        where rate_item = 'unit_price' and quantity > 0
        order by billing_period_start desc, amount desc, department_id, service_id, cost_center_id
        limit 1
        """
    )
    [(drivers, driver_quantity, usage_cost, allocated_cost)] = closed_demo.query(
        """
        select
            count(*) filter (where piece_type = 'driver'),
            sum(piece_quantity) filter (where piece_type = 'driver'),
            sum(piece_cost) filter (where piece_type = 'usage'),
            (select sum(allocated_cost) from marts.fct_chargeback_lines as lines
             where strftime(lines.billing_period_start, '%Y-%m') = ? and lines.department_id = ?
               and lines.service_id = ? and lines.cost_center_id = ?)
        from marts.fct_chargeback_line_lineage
        where strftime(billing_period_start, '%Y-%m') = ? and department_id = ? and service_id = ?
          and cost_center_id = ?
        """,
        [period, department, service, cost_center] * 2,
    )
    assert drivers > 0
    assert driver_quantity == quantity
    assert usage_cost == allocated_cost
    text = _explain("--chargeback", f"{period}/{department}/{service}/{cost_center}")
    assert "quantity rule: unit_price" in text
    assert f"{drivers} driver piece{'s' if drivers != 1 else ''}: quantity {number(quantity)}" in text
    assert SOURCE_ROW.search(text), text
    assert isinstance(quantity, Decimal)
