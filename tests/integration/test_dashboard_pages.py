"""The dashboards on the closed demo's publication, headless (Streamlit AppTest): every page renders with the demo's
figures exactly as the published marts hold them, and a viewer's session holds only what its scope may read — a
department viewer only its department's rows, a client viewer only its client's, and margins nobody but finance."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dashboard_session import PAGES, Shown, open_app, show_page
from tests.integration.conftest import ClosedDemo

MONTH = "2026-10"


def formatted(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,} {currency}"


def every_page(demo: ClosedDemo, user: str, *extra: str) -> dict[str, Shown]:
    app, start = open_app(demo.settings.data_dir, user)
    shown = {"overview": start}
    for page in [*list(PAGES)[1:], *extra]:
        shown[page] = show_page(app, demo.settings.data_dir, user, page)
    return shown


@pytest.fixture(scope="module")
def finance_copy(closed_demo: ClosedDemo) -> Iterator[duckdb.DuckDBPyConnection]:
    """The published finance copy the expected figures are computed from (the dashboard must show exactly these)."""
    current = closed_demo.settings.published_dir / "current"
    assert current.exists(), "the closed demo has no publication: every green close publishes data/published/current"
    con = duckdb.connect(str(Path(current) / "billing.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def fiona(closed_demo: ClosedDemo) -> dict[str, Shown]:
    return every_page(closed_demo, "fiona", "margins")


@pytest.fixture(scope="module")
def dora(closed_demo: ClosedDemo) -> dict[str, Shown]:
    return every_page(closed_demo, "dora")


def total(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> Decimal:
    found = con.execute(sql, params).fetchone()
    assert found is not None and found[0] is not None, sql
    return Decimal(found[0])


def test_every_page_renders_the_published_figures_for_finance(
    fiona: dict[str, Shown], finance_copy: duckdb.DuckDBPyConnection
) -> None:
    for page, shown in fiona.items():
        assert shown.exceptions == [] and shown.errors == [], page
    assert "**Fiona Fischer** (fiona, finance_controller)" in fiona["overview"].sidebar
    assert any(f"closed period {MONTH}" in line for line in fiona["overview"].sidebar)
    currency = str(finance_copy.execute("select min(billing_currency) from marts.fct_costs").fetchone()[0])
    month_total = total(
        finance_copy,
        "select sum(effective_cost) from marts.fct_costs where strftime(billing_period_start, '%Y-%m') = ? "
        "and billing_currency = ?",
        [MONTH, currency],
    )
    assert fiona["overview"].metrics[f"Effective cost {MONTH}"] == formatted(month_total, currency)
    departments = fiona["overview"].values("department_id")
    assert len(departments) > 2 and fiona["overview"].charts and all(len(c) for c in fiona["overview"].charts)
    all_months = total(
        finance_copy, "select sum(effective_cost) from marts.fct_costs where billing_currency = ?", [currency]
    )
    assert fiona["costs"].metrics[f"Effective cost ({currency}, filtered)"] == formatted(all_months, currency)
    unallocated = total(
        finance_copy,
        "select sum(effective_cost) from marts.fct_costs where is_unallocated and billing_currency = ?",
        [currency],
    )
    assert fiona["unallocated"].metrics[f"Unallocated, all months ({currency})"] == formatted(unallocated, currency)
    trend = total(
        finance_copy,
        "select sum(effective_cost) from marts.fct_cost_trends where strftime(billing_period_start, '%Y-%m') = ? "
        "and billing_currency = ?",
        [MONTH, currency],
    )
    assert fiona["trends"].metrics[f"Effective cost {MONTH}"] == formatted(trend, currency)
    budgets = finance_copy.execute(
        "select count(*) from marts.fct_budget_status where strftime(billing_period_start, '%Y-%m') = ?", [MONTH]
    ).fetchone()
    assert fiona["budgets"].metrics[f"Budgets in {MONTH}"] == str(budgets[0])
    forecast_currency = str(finance_copy.execute("select min(currency) from marts.fct_variance").fetchone()[0])
    actual = total(
        finance_copy,
        "select sum(actual_amount) from marts.fct_variance where currency = ? and billing_period_start = "
        "(select max(billing_period_start) from marts.fct_variance where currency = ? and actual_amount is not null)",
        [forecast_currency, forecast_currency],
    )
    assert any(
        label.startswith("Actual ") and value == formatted(actual, forecast_currency)
        for label, value in fiona["forecast"].metrics.items()
    )
    issued = {r[0] for r in finance_copy.execute("select invoice_number from marts.fct_invoices").fetchall()}
    assert issued and {n for n in issued if n} <= fiona["invoices"].values("invoice")
    margins = fiona["margins"]
    assert margins.tables and "margin" in margins.tables[0].columns and len(margins.tables[0]) > 0


def test_the_drill_down_explains_lines_down_to_the_source_files(fiona: dict[str, Shown]) -> None:
    drill = fiona["drill-down"]
    assert drill.choices["drill_invoice"], "no issued invoice offered"
    first_invoice = drill.choices["drill_invoice"][0]
    # The invoice tab explains the first line of the newest invoice; the chargeback tab the first chargeback line.
    assert any(block.startswith(f"{first_invoice} line 1 ") for block in drill.code)
    sources = {str(value) for value in drill.values("source") if value is not None}
    assert any(source.startswith("seeds/") for source in sources), sources  # the contract's price list row
    assert any(source.startswith("landing/") for source in sources), sources  # a provider file and its row


def test_a_department_viewer_session_holds_only_its_department_and_no_margins(
    dora: dict[str, Shown], fiona: dict[str, Shown], closed_demo: ClosedDemo
) -> None:
    for page, shown in dora.items():
        assert shown.exceptions == [] and shown.errors == [], page
    seen = {value for shown in dora.values() for value in shown.values("department_id")}
    assert seen == {"D-ITOPS"}
    assert len({value for shown in fiona.values() for value in shown.values("department_id")}) > 2
    assert dora["costs"].choices["costs_filter_department_id"] == ["D-ITOPS"]
    assert dora["overview"].metrics, "dora sees her department's cost"
    assert not [
        column
        for shown in dora.values()
        for frame in shown.frames
        for column in frame.columns
        if "margin" in str(column)
    ]
    for user in ("dora", "ana"):
        app, _ = open_app(closed_demo.settings.data_dir, user)
        with pytest.raises(ValueError, match=r"Could not find a navigation page for .*margins.py"):
            app.switch_page("screens/margins.py")


def test_a_client_viewer_sees_only_its_invoices(closed_demo: ClosedDemo) -> None:
    app, overview = open_app(closed_demo.settings.data_dir, "cleo")
    assert "Costs: not in this release for your scope (client-GLOBEX has no marts.fct_costs)." in overview.infos
    invoices = show_page(app, closed_demo.settings.data_dir, "cleo", "invoices")
    assert invoices.exceptions == [] and invoices.values("client_id") == {"GLOBEX"}
    assert invoices.values("invoice")
