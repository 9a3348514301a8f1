"""The cost transparency marts after the demo's three closes (they run in the close's second dbt invocation, after
finalization): cost by dimension adds up to the allocations to the last digit, billed amounts to the invoices,
every budgeted or forecast cost center has its variance rows, and the month ahead carries a least-squares forecast
that Python recomputes exactly."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from orchestration.settings import SEEDS_DIR
from tests.integration.conftest import DEMO_PERIODS, ClosedDemo

COST_MARTS = (
    "fct_costs",
    "fct_billed_amounts",
    "fct_cost_trends",
    "fct_unit_cost_trends",
    "fct_variance",
    "fct_client_margins",
)
NEXT_MONTH = date(2026, 11, 1)


def test_every_cost_mart_covers_every_closed_month(closed_demo: ClosedDemo) -> None:
    for mart in COST_MARTS:
        periods = {row[0] for row in closed_demo.query(f"select distinct billing_period_start from marts.{mart}")}
        assert set(DEMO_PERIODS) <= periods, mart


def test_cost_by_dimension_adds_up_to_the_allocations_and_billed_cost_exactly(closed_demo: ClosedDemo) -> None:
    by_dimension = closed_demo.query(
        "select billing_period_start, billing_currency, sum(effective_cost), sum(billed_cost), "
        "sum(case when is_unallocated then effective_cost else 0 end) from marts.fct_costs group by all"
    )
    allocated = closed_demo.query(
        "select billing_period_start, billing_currency, sum(allocated_effective_cost), "
        "sum(case when cost_center_id = 'UNALLOCATED' then allocated_effective_cost else 0 end) "
        "from marts.fct_cost_allocations group by all"
    )
    billed = closed_demo.query(
        "select x_BillingPeriodStartDate, BillingCurrency, sum(BilledCost) from marts.focus_cost_and_usage group by all"
    )
    assert {(p, c): (e, u) for p, c, e, _, u in by_dimension} == {(p, c): (e, u) for p, c, e, u in allocated}
    assert {(p, c): b for p, c, _, b, _ in by_dimension} == {(p, c): b for p, c, b in billed}
    assert any(u > 0 for *_, u in by_dimension)  # the demo has unallocated spend, and it is in the mart


def test_client_billed_amounts_are_the_invoices_net_of_discounts_and_credits(closed_demo: ClosedDemo) -> None:
    billed = closed_demo.query(
        "select billing_period_start, client_id, currency, sum(amount) from marts.fct_billed_amounts "
        "where party_type = 'client' group by all"
    )
    invoiced = closed_demo.query(
        "select billing_period_start, client_id, currency, sum(subtotal + discount_total + credit_total) "
        "from marts.fct_invoices group by all"
    )
    assert dict(((p, c, k), a) for p, c, k, a in billed) == dict(((p, c, k), a) for p, c, k, a in invoiced)
    assert {row[2] for row in billed} == {"EUR", "JPY", "USD"}


def test_every_budgeted_or_forecast_cost_center_has_variance_rows(closed_demo: ClosedDemo) -> None:
    with (SEEDS_DIR / "budgets.csv").open(encoding="utf-8", newline="") as handle:
        budgeted = {(row["cost_center_id"], row["currency"]) for row in csv.DictReader(handle) if row["cost_center_id"]}
    with (SEEDS_DIR / "cost_center_forecasts.csv").open(encoding="utf-8", newline="") as handle:
        forecast = {(row["cost_center_id"], row["currency"]) for row in csv.DictReader(handle)}
    rows = closed_demo.query("select billing_period_start, cost_center_id, currency from marts.fct_variance")
    present = {(cost_center, currency) for period, cost_center, currency in rows if period in DEMO_PERIODS}
    assert budgeted | forecast <= present
    for period in (*DEMO_PERIODS, NEXT_MONTH):
        assert budgeted | forecast <= {(cc, cur) for p, cc, cur in rows if p == period}, period


def test_the_month_ahead_carries_the_least_squares_trend_of_the_closed_months(closed_demo: ClosedDemo) -> None:
    actuals: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(dict)
    for period, cost_center, currency, amount in closed_demo.query(
        "select billing_period_start, cost_center_id, billing_currency, sum(allocated_effective_cost) "
        "from marts.fct_cost_allocations group by all"
    ):
        actuals[(cost_center, currency)][period] = amount
    ahead = closed_demo.query(
        "select cost_center_id, currency, has_actual, actual_amount, statistical_method, statistical_forecast_amount "
        "from marts.fct_variance where billing_period_start = ?",
        [NEXT_MONTH],
    )
    forecasts = {(cc, cur): (has, actual, method, amount) for cc, cur, has, actual, method, amount in ahead}
    assert set(actuals) <= set(forecasts)
    for key, series in actuals.items():
        # x = -3, -2, -1 for August..October; a closed month without cost counts as 0
        offsets = zip((-3, -2, -1), DEMO_PERIODS, strict=True)
        points = [(x, Fraction(series.get(period, Decimal(0)))) for x, period in offsets]
        n = len(points)
        sum_x = sum(x for x, _ in points)
        sum_xx = sum(x * x for x, _ in points)
        sum_y = sum(y for _, y in points)
        sum_xy = sum(x * y for x, y in points)
        trend = (sum_y * sum_xx - sum_x * sum_xy) / (n * sum_xx - sum_x * sum_x)
        expected = (Decimal(trend.numerator) / Decimal(trend.denominator)).quantize(
            Decimal("1E-10"), rounding=ROUND_HALF_UP
        )
        assert forecasts[key] == (False, None, "linear_trend_6m", expected), key


def test_client_margin_is_revenue_at_the_invoice_rate_less_allocated_cost(closed_demo: ClosedDemo) -> None:
    margins = {
        (period, client): (currency, revenue, cost, margin)
        for period, client, currency, revenue, cost, margin in closed_demo.query(
            "select billing_period_start, client_id, currency, revenue, cost, margin from marts.fct_client_margins"
        )
    }
    for period, client, amount, rate in closed_demo.query(
        "select lines.billing_period_start, lines.client_id, sum(lines.amount), max(lines.fx_rate) "
        "from marts.fct_invoice_lines as lines join marts.fct_invoices as invoices using (invoice_id) "
        "where invoices.status = 'finalized' and lines.client_id = 'UMBRELLA' group by all"
    ):
        currency, revenue, cost, margin = margins[(period, client)]
        assert currency == "USD"  # invoiced in JPY, priced in USD
        assert abs(revenue - amount / rate) < Decimal("0.0000001")
        assert margin == revenue - cost
    cost = closed_demo.query(
        "select sum(effective_cost) from marts.fct_costs where client_id = 'GLOBEX' and billing_period_start = ?",
        [DEMO_PERIODS[0]],
    )[0][0]
    net = closed_demo.query(
        "select subtotal + discount_total + credit_total from marts.fct_invoices "
        "where client_id = 'GLOBEX' and billing_period_start = ? and document_type = 'invoice'",
        [DEMO_PERIODS[0]],
    )[0][0]
    assert margins[(DEMO_PERIODS[0], "GLOBEX")] == ("USD", net, cost, net - cost)
    assert cost > 0
