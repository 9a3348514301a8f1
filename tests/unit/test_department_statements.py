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
               case d when 'D-FIN' then 'Finance' else 'People and HR' end as department_name,
               'BU-CORP' as business_unit_id,
               cc as cost_center_id, s as service_id, cat as service_category, 'cost_recovery' as rate_item,
               cast(q as decimal(38,10)) as quantity, cur || ' of effective cost' as unit,
               cast(1 as decimal(38,10)) as unit_rate, cast(a as decimal(38,10)) as amount,
               cur as billing_currency, m as mode, 'COST-RECOVERY-2026.1' as rate_card_version,
               cast(n as bigint) as charge_count
        from (values
            ('2026-10-01', 'D-FIN', 'CC-1100', 'Amazon EC2', 'Compute', 100.004, 100.00, 'USD', 'chargeback', 3),
            ('2026-10-01', 'D-FIN', 'CC-1100', 'Amazon S3', 'Storage', 0.335, 0.34, 'USD', 'chargeback', 2),
            ('2026-10-01', 'D-FIN', 'CC-1100', 'Virtual Machines', 'Compute', 12.5, 12.50, 'EUR', 'chargeback', 1),
            ('2026-10-01', 'D-HR', 'CC-1200', 'Identity (allocated)', 'Security', -1.004, -1.00, 'USD', 'showback', 4),
            ('2026-09-01', 'D-HR', 'CC-1200', 'Amazon EC2', 'Compute', 5, 5, 'USD', 'showback', 1)
        ) as t(p, d, cc, s, cat, q, a, cur, m, n)
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
    assert sorted(p.name for p in written) == ["D-FIN.csv", "D-FIN.pdf", "D-HR.csv", "D-HR.pdf"]
    with (directory / "D-FIN.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["billing_currency"], Decimal(r["amount"])) for r in rows] == [
        ("EUR", Decimal("12.50")),
        ("USD", Decimal("100.00")),
        ("USD", Decimal("0.34")),
    ]
    assert {r["mode"] for r in rows} == {"chargeback"}
    finance = _pdf_text(directory / "D-FIN.pdf")
    assert "Chargeback statement" in finance
    assert "100.34" in finance and "12.50" in finance  # the per-currency totals
    people = _pdf_text(directory / "D-HR.pdf")
    assert "Showback statement" in people and "nothing is charged" in people
    assert "-1.00" in people
    assert "5.00" not in people  # September's line is not October's


def test_rewriting_a_period_gives_identical_files(tmp_path: Path) -> None:
    con = _warehouse()
    first = {p.name: p.read_bytes() for p in write_statements(con, PERIOD, tmp_path)}
    second = {p.name: p.read_bytes() for p in write_statements(con, PERIOD, tmp_path)}
    assert first == second
