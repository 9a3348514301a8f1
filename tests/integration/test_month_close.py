"""End to end: the demo months closed through Dagster, checked against the generator's exact truth."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from tests.integration.conftest import DEMO_PERIODS, ClosedDemo

CENT = Decimal("0.01")
# Checked independently in Python from marts.fct_cost_allocations (CC-9100, 2026-10) by category:
# Compute 534.2022120088, Databases 294.3674999885, Networking 205.3833600000, Storage 37.3215249682;
# x 1.125 with largest remainder -> 600.98 + 331.16 + 231.05 + 41.99 = 1205.18; tax 8.875 % per line
# half-up -> 53.34 + 29.39 + 20.51 + 3.73 = 106.97; total 1312.15.
OCTOBER_INVOICE_TOTAL = Decimal("1312.15")


def test_every_demo_month_closes_green(closed_demo: ClosedDemo) -> None:
    for period in DEMO_PERIODS:
        outcome = closed_demo.outcomes[period]
        assert outcome.success, (period, outcome.failures)
    assert any("finalize_invoices: done" in line for line in closed_demo.progress)


def test_reconciliation_matches_the_providers_billed_and_amortized_cost(closed_demo: ClosedDemo) -> None:
    rows = closed_demo.query(
        """
        select source, cast(billing_period_start as varchar), billing_account_id, currency,
               source_billed_total, normalized_billed_total, source_amortized_total, normalized_effective_total,
               allocated_total, difference, status
        from marts.fct_reconciliation order by all
        """
    )
    found = {row[:4]: row[4:] for row in rows}
    assert set(found) == set(closed_demo.manifest.totals)
    for key, truth in closed_demo.manifest.totals.items():
        billed, billed_focus, amortized, effective_focus, allocated, difference, status = found[key]
        assert (billed, billed_focus) == (truth.billed, truth.billed), key
        assert (amortized, effective_focus, allocated) == (truth.amortized,) * 3, key
        assert (difference, status) == (0, "balanced"), key


def test_focus_mart_conserves_cost_per_source_and_currency(closed_demo: ClosedDemo) -> None:
    focus = closed_demo.query(
        """
        select x_Source, cast(cast(BillingPeriodStart as date) as varchar), BillingCurrency,
               sum(BilledCost), sum(EffectiveCost)
        from marts.focus_cost_and_usage group by all
        """
    )
    expected: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for (source, period, _account, currency), truth in closed_demo.manifest.totals.items():
        expected[(source, period, currency)][0] += truth.billed
        expected[(source, period, currency)][1] += truth.amortized
    assert {row[:3]: [row[3], row[4]] for row in focus} == dict(expected)
    # The savings plan: billed 12,000.00 upfront in August, amortized 1,000.00 a month.
    aug_aws = next(v for k, v in expected.items() if k == ("aws_cur", "2026-08-01", "USD"))
    assert aug_aws[0] - aug_aws[1] == Decimal("11000")


def test_money_is_decimal_everywhere(closed_demo: ClosedDemo) -> None:
    types = dict(
        ((table, column), data_type)
        for table, column, data_type in closed_demo.query(
            """
            select table_name, column_name, data_type from information_schema.columns
            where table_schema = 'marts' and column_name in
                ('BilledCost', 'EffectiveCost', 'allocated_effective_cost', 'amount', 'total', 'difference')
            """
        )
    )
    assert types
    assert all(t.startswith("DECIMAL") for t in types.values()), types


def test_allocation_follows_the_mapping_rules_with_unallocated_explicit(closed_demo: ClosedDemo) -> None:
    rows = closed_demo.query(
        """
        select cast(billing_period_start as varchar), origin_cost_center_id, billing_currency,
               sum(allocated_effective_cost)
        from marts.fct_cost_allocations group by all
        """
    )
    assert {row[:3]: row[3] for row in rows} == closed_demo.manifest.allocation
    assert any(key[1] == "UNALLOCATED" and value != 0 for key, value in closed_demo.manifest.allocation.items())


def test_shared_costs_cascade_to_departments_by_their_rules(closed_demo: ClosedDemo) -> None:
    """The generator's direct totals, pushed through the period's shares step by step in exact Decimal
    arithmetic, give every cost center's total to within the 10^-10 units largest remainder moves per row."""
    shares: dict[tuple[str, str], list[tuple[int, str, str, Decimal]]] = defaultdict(list)
    for period, currency, step, pool, target, share in closed_demo.query(
        """
        select cast(billing_period_start as varchar), billing_currency, cascade_step, pool_cost_center_id,
               target_cost_center_id, share_ratio
        from intermediate.int_allocation_shares order by all
        """
    ):
        shares[(period, currency)].append((step, pool, target, share))
    expected: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for (period, cost_center, currency), amount in closed_demo.manifest.allocation.items():
        expected[(period, cost_center, currency)] += amount
    for (period, currency), period_shares in shares.items():
        for step in (1, 2, 3):
            for pool in sorted({p for s, p, _, _ in period_shares if s == step}):
                held = expected.pop((period, pool, currency), Decimal(0))
                for _, _, target, share in (x for x in period_shares if x[0] == step and x[1] == pool):
                    expected[(period, target, currency)] += held * share
    found = {
        row[:3]: (row[3], row[4])
        for row in closed_demo.query(
            """
            select cast(billing_period_start as varchar), cost_center_id, billing_currency,
                   sum(allocated_effective_cost), count(*)
            from marts.fct_cost_allocations group by all
            """
        )
    }
    assert {key for key, value in expected.items() if value != 0} == set(found)
    for key, (amount, rows) in found.items():
        assert abs(amount - expected[key]) <= rows * 3 * Decimal("1e-10"), key
    owners = {
        row[0]
        for row in closed_demo.query("select distinct cost_center_owner_type from intermediate.int_charges_allocated")
    }
    assert owners == {"department", "client", "unallocated", "idle"}  # every pool drained, idle explicit
    methods = {row[0] for row in closed_demo.query("select distinct allocation_method from marts.fct_cost_allocations")}
    assert {"even_split", "fixed_percent", "proportional_spend", "driver", "direct_tag", "unallocated"} <= methods


def test_allocation_shares_follow_the_seeds_in_force(closed_demo: ClosedDemo) -> None:
    """Security monitoring's split changed on 2026-10-01 (rule version 2); identity follows headcount, which
    for CC-2100 dropped from 160 to 148 on the same day."""
    rows = closed_demo.query(
        """
        select cast(billing_period_start as varchar), rule_id, rule_version, target_cost_center_id, share_ratio,
               driver_quantity
        from intermediate.int_allocation_shares where billing_currency = 'USD' order by all
        """
    )
    secmon = {(r[0], r[3]): (r[2], r[4]) for r in rows if r[1] == "AR-SECMON"}
    assert secmon[("2026-09-01", "CC-P100")] == (1, Decimal("0.4"))
    assert secmon[("2026-10-01", "CC-P100")] == (2, Decimal("0.35"))
    assert secmon[("2026-10-01", "CC-2210")] == (2, Decimal("0.1"))
    assert ("2026-09-01", "CC-2210") not in secmon
    for period, branch_headcount in (("2026-09-01", 160), ("2026-10-01", 148)):
        identity = {r[3]: (r[4], r[5]) for r in rows if r[1] == "AR-IDENTITY" and r[0] == period}
        assert identity["CC-2100"][1] == branch_headcount
        total = sum(quantity for _, quantity in identity.values())
        assert sum(share for share, _ in identity.values()) == 1
        for share, quantity in identity.values():
            assert abs(share - quantity / total) <= Decimal("1e-10")


def test_chargeback_recovers_department_cost_rounded_once(closed_demo: ClosedDemo) -> None:
    charged = closed_demo.query(
        """
        select cast(billing_period_start as varchar), billing_currency, sum(amount), count(distinct department_id)
        from marts.fct_chargeback_lines group by all
        """
    )
    # Department cost after the shared-cost cascade (checked against the generator's truth above).
    cost = {
        (row[0], row[1]): row[2]
        for row in closed_demo.query(
            """
            select cast(billing_period_start as varchar), billing_currency, sum(allocated_effective_cost)
            from marts.fct_cost_allocations where department_id is not null group by all
            """
        )
    }
    assert {row[:2]: row[2] for row in charged} == {
        key: value.quantize(CENT, ROUND_HALF_UP) for key, value in cost.items()
    }
    assert {row[3] for row in charged if row[1] == "USD"} == {8}


def test_client_invoices_are_cost_plus_markup_with_exact_totals(closed_demo: ClosedDemo) -> None:
    invoices = closed_demo.query(
        """
        select cast(billing_period_start as varchar), invoice_number, status, subtotal + credit_total, tax_total, total
        from marts.fct_invoices order by billing_period_start
        """
    )
    assert [(row[0], row[1], row[2]) for row in invoices] == [
        ("2026-08-01", "INV-2026-000001", "finalized"),
        ("2026-09-01", "INV-2026-000002", "finalized"),
        ("2026-10-01", "INV-2026-000003", "finalized"),
    ]
    for period, _number, _status, amounts, tax, total in invoices:
        cost = closed_demo.manifest.allocation[(period, "CC-9100", "USD")]
        assert amounts == (cost * Decimal("1.125")).quantize(CENT, ROUND_HALF_UP)
        lines = closed_demo.query(
            "select amount, tax_amount from marts.fct_invoice_lines where billing_period_start = ?", [period]
        )
        assert tax == sum(t for _, t in lines)
        assert all(t == (a * Decimal("0.08875")).quantize(CENT, ROUND_HALF_UP) for a, t in lines)
        assert total == amounts + tax
    # The October invoice, computed by hand from the generator's truth (see test docstring of the demo).
    assert invoices[2][5] == OCTOBER_INVOICE_TOTAL


def test_aws_restatement_replaced_the_first_september_delivery(closed_demo: ClosedDemo) -> None:
    files = closed_demo.query(
        """
        select status, row_count from audit.ingested_files
        where source = 'aws_cur' and billing_period_start = date '2026-09-01' order by loaded_at
        """
    )
    assert files == [("superseded", 1886), ("loaded", 1885)]
    assert closed_demo.query("select count(*) from raw.aws_cur where _billing_period_start = '2026-09-01'") == [(1885,)]


def test_closing_a_month_again_changes_no_mart(closed_demo: ClosedDemo) -> None:
    tables = [
        row[0]
        for row in closed_demo.query(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        )
    ]
    before = {t: closed_demo.query(f"select * from marts.{t} order by all") for t in tables}
    files_before = closed_demo.query("select count(*) from audit.ingested_files")
    assert closed_demo.close(DEMO_PERIODS[-1]).success
    after = {t: closed_demo.query(f"select * from marts.{t} order by all") for t in tables}
    assert {"focus_cost_and_usage", "fct_cost_allocations", "fct_invoices", "fct_reconciliation"} <= set(tables)
    for table in tables:
        assert after[table] == before[table], table
    assert closed_demo.query("select count(*) from audit.ingested_files") == files_before


def test_status_lists_every_closed_month(closed_demo: ClosedDemo) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "BILLING_DATA_DIR": str(closed_demo.settings.data_dir)}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("billing")), "status"], env=env, capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()
    assert [line[:12] for line in lines[1:]] == [
        "2026-08  EUR",
        "2026-08  USD",
        "2026-09  EUR",
        "2026-09  USD",
        "2026-10  EUR",
        "2026-10  USD",
    ]
    october_usd = lines[-1].split()
    assert october_usd[2] == "4/4" and october_usd[-2:] == ["1,312.15", "1"]


def test_every_department_gets_a_statement_in_its_mode(closed_demo: ClosedDemo) -> None:
    import csv

    lines = closed_demo.query(
        """
        select department_id, mode, billing_currency, sum(amount) from marts.fct_chargeback_lines
        where billing_period_start = date '2026-10-01' group by all
        """
    )
    directory = closed_demo.settings.output_dir / "statements" / "2026-10"
    assert sorted(p.name for p in directory.glob("*.pdf")) == sorted(f"{d}.pdf" for d in {r[0] for r in lines})
    modes = {r[0]: r[1] for r in lines}
    assert {d for d, m in modes.items() if m == "showback"} == {"D-HR", "D-ITOPS"}
    for department, _mode, currency, total in lines:
        with (directory / f"{department}.csv").open(encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r["billing_currency"] == currency]
        assert sum(Decimal(r["amount"]) for r in rows) == total, department
        assert {r["mode"] for r in rows} == {modes[department]}
        assert (directory / f"{department}.pdf").read_bytes().startswith(b"%PDF-")
