"""Department statements render the chargeback mart exactly: one CSV and one PDF per department and period."""

from __future__ import annotations

import csv
import re
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.documents.department_statements import write_statements

PERIOD = date(2026, 10, 1)


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.fct_chargeback_lines as
        select cast(p as date) as billing_period_start, d as department_id,
               case d when 'D-FIN' then 'Finance' when 'D-LEND' then 'Lending' else 'People and HR' end
                   as department_name,
               'BU-CORP' as business_unit_id, cc as cost_center_id, s as service_id, s || ' service' as service_name,
               sku as sku_id, cast(null as varchar) as resource_id, r as rate_item,
               cast(q as decimal(38,10)) as quantity, u as unit, cast(rate as decimal(38,10)) as unit_rate,
               b as bundle_id, cast(cost as decimal(38,10)) as allocated_cost, cast(a as decimal(38,10)) as amount,
               cur as billing_currency, m as mode, 'POL-1' as policy_version, rc as rate_card_version,
               cast(n as bigint) as charge_count
        from (values
            ('2026-10-01', 'D-FIN', 'CC-1100', 'IT-COMPUTE', null, 'cost_recovery', 100.004, 'USD of allocated cost',
             1, null, 100.004, 100.00, 'USD', 'chargeback', 'RC-1', 3),
            ('2026-10-01', 'D-FIN', 'CC-1100', 'IT-CONTAINERS', null, 'unit_price', 120.5, 'vCPU-hour',
             0.06, 'BND', 9.1, 6.51, 'USD', 'chargeback', 'RC-1', 2),
            ('2026-10-01', 'D-FIN', 'CC-1100', 'IT-COMPUTE', null, 'cost_recovery', 12.5, 'EUR of allocated cost',
             1, null, 12.5, 12.50, 'EUR', 'chargeback', 'RC-1', 1),
            ('2026-10-01', 'D-HR', 'CC-1200', 'IT-IDENTITY', null, 'unit_price', 35, 'person-month',
             0.57, null, 21.3, 19.95, 'USD', 'showback', 'RC-1', 4),
            ('2026-10-01', 'D-HR', 'CC-1200', 'IT-STORAGE', null, 'unpriced', 3.2, 'GBP of allocated cost',
             null, null, 3.2, null, 'GBP', 'showback', null, 1),
            ('2026-10-01', 'D-LEND', 'CC-2300', 'IT-DATABASE', 'sku-a', 'cost_recovery', 40, 'USD of allocated cost',
             1, null, 40, 40.00, 'USD', 'chargeback', 'RC-1', 2),
            ('2026-10-01', 'D-LEND', 'CC-2300', 'IT-DATABASE', 'sku-b', 'cost_recovery', 7.333, 'USD of allocated cost',
             1, null, 7.333, 7.33, 'USD', 'showback', 'RC-1', 1),
            ('2026-09-01', 'D-HR', 'CC-1200', 'IT-COMPUTE', null, 'cost_recovery', 5, 'USD of allocated cost',
             1, null, 5, 5.00, 'USD', 'showback', 'RC-1', 1)
        ) as t(p, d, cc, s, sku, r, q, u, rate, b, cost, a, cur, m, rc, n)
        """
    )
    return con


def _pdf_text(path: Path) -> str:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL)
    return "".join(zlib.decompress(s).decode("latin-1") for s in streams if s[:1] == b"x")


def test_one_csv_and_pdf_per_department_with_exact_totals(tmp_path: Path) -> None:
    written = write_statements(_warehouse(), PERIOD, tmp_path)
    directory = tmp_path / "statements" / "2026-10"
    assert sorted(p.name for p in written) == [
        "D-FIN.csv", "D-FIN.pdf", "D-HR.csv", "D-HR.pdf", "D-LEND.csv", "D-LEND.pdf"
    ]  # fmt: skip
    with (directory / "D-FIN.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["billing_currency"], r["service_id"], Decimal(r["amount"])) for r in rows] == [
        ("EUR", "IT-COMPUTE", Decimal("12.50")),
        ("USD", "IT-COMPUTE", Decimal("100.00")),
        ("USD", "IT-CONTAINERS", Decimal("6.51")),
    ]
    containers = rows[2]
    assert (containers["quantity"], containers["unit"], containers["bundle_id"]) == (
        "120.5000000000", "vCPU-hour", "BND"
    )  # fmt: skip
    assert {r["mode"] for r in rows} == {"chargeback"}
    assert {r["policy_version"] for r in rows} == {"POL-1"}
    finance = _pdf_text(directory / "D-FIN.pdf")
    assert "Chargeback statement" in finance
    assert "106.51" in finance and "12.50" in finance  # the per-currency totals
    assert "120.5 vCPU-hour" in finance and "0.06" in finance
    people = _pdf_text(directory / "D-HR.pdf")
    assert "Showback statement" in people and "nothing is charged" in people
    assert "19.95" in people and "not priced" in people  # a showback line no published rate priced
    assert "5.00" not in people  # September's line is not October's
    with (directory / "D-HR.csv").open(encoding="utf-8") as handle:
        unpriced = [r for r in csv.DictReader(handle) if r["rate_item"] == "unpriced"]
    assert [(r["amount"], r["unit_rate"], r["allocated_cost"]) for r in unpriced] == [("", "", "3.2000000000")]


def test_a_department_with_a_shown_back_project_gets_both_totals(tmp_path: Path) -> None:
    write_statements(_warehouse(), PERIOD, tmp_path)
    lending = _pdf_text(tmp_path / "statements" / "2026-10" / "D-LEND.pdf")
    assert "Chargeback statement" in lending
    assert "chargeback and showback" in lending
    assert "Total charged" in lending and "40.00" in lending
    assert "Total shown back" in lending and "7.33" in lending


def test_rewriting_a_period_gives_identical_files(tmp_path: Path) -> None:
    con = _warehouse()
    first = {p.name: p.read_bytes() for p in write_statements(con, PERIOD, tmp_path)}
    second = {p.name: p.read_bytes() for p in write_statements(con, PERIOD, tmp_path)}
    assert first == second


def test_a_long_statement_continues_on_new_pages_above_the_bottom_margin(tmp_path: Path) -> None:
    con = _warehouse()
    con.execute(
        """
        insert into marts.fct_chargeback_lines
        select billing_period_start, department_id, department_name, business_unit_id, cost_center_id, service_id,
               service_name, 'sku-' || lpad(cast(i as varchar), 3, '0'), resource_id, rate_item, quantity, unit,
               unit_rate, bundle_id, allocated_cost, cast(1000 + i as decimal(38,10)), billing_currency, mode,
               policy_version, rate_card_version, charge_count
        from marts.fct_chargeback_lines, range(150) as r(i)
        where department_id = 'D-LEND' and sku_id = 'sku-a'
        """
    )
    write_statements(con, PERIOD, tmp_path)
    data = (tmp_path / "statements" / "2026-10" / "D-LEND.pdf").read_bytes()
    pages = [
        zlib.decompress(s).decode("latin-1")
        for s in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL)
        if s[:1] == b"x"
    ]
    placed = [(float(y), text) for page in pages for y, text in re.findall(r"BT [\d.]+ ([\d.]+) Td \((.*?)\) Tj", page)]
    assert len(pages) >= 3
    for i in range(150):
        assert sum(text == f"sku-{i:03d}" for _, text in placed) == 1
        assert sum(text == f"{1000 + i:,}.00" for _, text in placed) == 1
    # A4 with fpdf's 2 cm bottom margin, in points from the page's foot: no row runs into it
    assert min(y for y, _ in placed) > 20 / 25.4 * 72
    assert "Total charged" in pages[-1]


def test_a_cell_too_wide_for_its_column_keeps_its_longest_prefix_that_fits() -> None:
    """A long resource id in a 30 mm column: cut to the longest prefix that fits with an ellipsis (checked against
    measuring every prefix); a text that fits is left whole."""
    from fpdf import FPDF

    from orchestration.documents.department_statements import _fit

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 8)
    resource = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def5678901/scaled-000042"
    for text, width in ((resource, 29.0), (resource, 5.0), ("WWWWWWWWWW" * 4, 12.0), ("CC-1100", 17.0), ("", 1.0)):
        fitted = _fit(pdf, text, width)
        if pdf.get_string_width(text) <= width:
            assert fitted == text
            continue
        longest = max(k for k in range(len(text) + 1) if k == 0 or pdf.get_string_width(text[:k] + "...") <= width)
        assert fitted == text[:longest] + "..."
        assert pdf.get_string_width(fitted) <= width or longest == 0
    assert _fit(pdf, resource, 29.0) == "arn:aws:ec2:us-east-..."
    assert _fit(pdf, "CC-1100", 17.0) == "CC-1100"
