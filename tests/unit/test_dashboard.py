"""Dashboards, headless (Streamlit AppTest) on a hand-made publication: who may open them, exact figures, and a
viewer's session holding only its own rows — a department viewer its department's, nobody but finance margins."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.dashboard import ui
from orchestration.dashboard.session import user_id_for_request
from orchestration.publish.reader import PublicationError
from orchestration.publish.release import publish
from orchestration.settings import SEEDS_DIR, Settings, load_settings
from tests.dashboard_session import environment, open_app, show_page

SEEDS = (
    "billing_users.csv",
    "cost_centers.csv",
    "currencies.csv",
    "publication_scopes.csv",
    "publication_restricted_columns.csv",
)
# period, provider, service, IT service, cost center, department, project, client, currency, cost, unallocated
COSTS = [
    ("2026-09-01", "aws_cur", "Amazon EC2", "IT-COMPUTE", "CC-1300", "D-ITOPS", "P-ONE", None, "USD", "1000.10", False),
    ("2026-10-01", "aws_cur", "Amazon EC2", "IT-COMPUTE", "CC-1300", "D-ITOPS", "P-ONE", None, "USD", "1200.45", False),
    ("2026-10-01", "aws_cur", "Amazon S3", "IT-STORAGE", "CC-1310", "D-ITOPS", None, None, "USD", "0.05", False),
    (
        "2026-09-01",
        "azure_cost",
        "Azure VMs",
        "IT-COMPUTE",
        "CC-1100",
        "D-FIN",
        None,
        None,
        "USD",
        "500.00",
        False,
    ),
    (
        "2026-10-01",
        "azure_cost",
        "Azure VMs",
        "IT-COMPUTE",
        "CC-1100",
        "D-FIN",
        None,
        None,
        "USD",
        "650.25",
        False,
    ),
    ("2026-10-01", "gcp_billing", "Cloud Storage", None, "UNALLOCATED", None, None, None, "USD", "33.333", True),
    (
        "2026-10-01",
        "azure_cost",
        "Azure Storage",
        "IT-STORAGE",
        "CC-2100",
        "D-BRANCH",
        None,
        None,
        "EUR",
        "70.00",
        False,
    ),
]
INVOICES = [
    ("INV-1", "invoice", "INV-2026-000001", "GLOBEX", "2026-10-01", "USD", "100.00", "19.00", "119.00", "finalized"),
    ("INV-2", "invoice", "INV-2026-000002", "INITECH", "2026-10-01", "EUR", "200.00", "0.00", "200.00", "finalized"),
    ("INV-3", "invoice", None, "GLOBEX", "2026-11-01", "USD", "10.00", "1.90", "11.90", "draft"),
]


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.fct_costs (billing_period_start date, provider varchar, service_category varchar, "
        "service_name varchar, it_service_id varchar, cost_center_id varchar, cost_center_name varchar, "
        "department_id varchar, department_name varchar, business_unit_id varchar, project_id varchar, "
        "client_id varchar, billing_currency varchar, effective_cost decimal(38, 10), billed_cost decimal(38, 10), "
        "charge_count bigint, is_unallocated boolean)"
    )
    for period, provider, service, it_service, center, department, project, client, currency, cost, none in COSTS:
        con.execute(
            "insert into marts.fct_costs values (?, ?, 'Compute', ?, ?, ?, ?, ?, ?, 'BU', ?, ?, ?, ?, ?, 1, ?)",
            [
                period,
                provider,
                service,
                it_service,
                center,
                center,
                department,
                department,
                project,
                client,
                currency,
                cost,
                cost,
                none,
            ],
        )
    con.execute(
        "create table marts.fct_invoices (invoice_id varchar, document_type varchar, invoice_number varchar, "
        "client_id varchar, billing_period_start date, currency varchar, subtotal decimal(38, 10), "
        "tax_total decimal(38, 10), total decimal(38, 10), status varchar, issued_at timestamp, due_date date, "
        "delivery_method varchar)"
    )
    for row in INVOICES:
        con.execute("insert into marts.fct_invoices values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, 'email')", row)
    con.execute(
        "create table marts.fct_client_margins as select date '2026-10-01' as billing_period_start, "
        "'GLOBEX' as client_id, 'Globex' as client_name, 'CT-1' as contract_id, 'USD' as currency, "
        "119.00::decimal(38, 10) as revenue, 80.00::decimal(38, 10) as cost, 39.00::decimal(38, 10) as margin, "
        "32.77::decimal(38, 4) as margin_percent"
    )
    return con


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose only content is a publication of the hand-made marts (seeds: tmp copies)."""
    root = tmp_path_factory.mktemp("dashboard")
    seeds = root / "seeds"
    seeds.mkdir()
    for name in SEEDS:
        shutil.copyfile(SEEDS_DIR / name, seeds / name)
    with _warehouse(root / "billing.duckdb") as con:
        publish(con, root / "data" / "published", seeds, period=date(2026, 10, 1))
    return root / "data"


def settings(**variables: str | None) -> Settings:
    with environment(**{"BILLING_USER": None, "BILLING_DASHBOARD_AUTH": None, **variables}):
        return load_settings()


def test_the_user_is_billing_user_or_in_proxy_mode_only_the_proxy_header() -> None:
    assert user_id_for_request(settings(BILLING_USER="dora"), {}) == "dora"
    with pytest.raises(PublicationError, match=r"no signed-in user: start the dashboard as a user .*BILLING_USER="):
        user_id_for_request(settings(), {})
    proxied = settings(BILLING_USER="fiona", BILLING_DASHBOARD_AUTH="proxy")
    assert user_id_for_request(proxied, {"x-forwarded-user": " cleo "}) == "cleo"
    # Behind the proxy the process's own BILLING_USER never signs anybody in.
    with pytest.raises(PublicationError, match="the request carries no X-Forwarded-User header"):
        user_id_for_request(proxied, {"Host": "billing.example"})
    with pytest.raises(ValueError, match="BILLING_DASHBOARD_AUTH='basic' is not a dashboard sign-in mode"):
        settings(BILLING_DASHBOARD_AUTH="basic")


@pytest.mark.parametrize(
    ("user", "more", "refusal"),
    [
        (None, {}, "no signed-in user: start the dashboard as a user of seeds/billing_users.csv"),
        ("mallory", {}, "'mallory' is not an active user"),
        ("fiona", {"BILLING_DASHBOARD_AUTH": "proxy"}, "the request carries no X-Forwarded-User header"),
    ],
)
def test_without_a_known_user_the_app_shows_one_refusal_and_nothing_else(
    data_dir: Path, user: str | None, more: dict[str, str], refusal: str
) -> None:
    _, shown = open_app(data_dir, user, BILLING_SEEDS_DIR=str(data_dir.parent / "seeds"), **more)
    assert shown.exceptions == []
    assert len(shown.errors) == 1 and refusal in shown.errors[0]
    assert shown.metrics == {} and shown.frames == [] and shown.sidebar == []


def test_nothing_published_is_refused(tmp_path: Path) -> None:
    _, shown = open_app(tmp_path, "fiona")
    assert len(shown.errors) == 1 and "nothing is published in" in shown.errors[0]
    assert shown.frames == []


def test_finance_sees_exact_totals_every_department_and_the_margins(data_dir: Path) -> None:
    seeds = {"BILLING_SEEDS_DIR": str(data_dir.parent / "seeds")}
    app, overview = open_app(data_dir, "fiona", **seeds)
    assert overview.exceptions == []
    assert "**Fiona Fischer** (fiona, finance_controller)" in overview.sidebar
    assert any("closed period 2026-10" in line for line in overview.sidebar)
    # EUR is first: its October total alone, never added to USD.
    assert overview.metrics["Effective cost 2026-10"] == "70.00 EUR"
    show_page(app, data_dir, "fiona", "costs", **seeds)
    app.radio(key="costs_currency").set_value("USD")
    app.selectbox(key="costs_group").set_value("Department")
    costs = show_page(app, data_dir, "fiona", "costs", **seeds)
    # 1000.10 + 1200.45 + 0.05 + 500.00 + 650.25 + 33.333 = 3384.183 -> 3,384.18 USD
    assert costs.metrics["Effective cost (USD, filtered)"] == "3,384.18 USD"
    assert costs.values("department_id") == {"D-ITOPS", "D-FIN", "(none)"}
    unallocated = show_page(app, data_dir, "fiona", "unallocated", **seeds)
    assert unallocated.metrics["Unallocated, all months (USD)"] == "33.33 USD"
    margins = show_page(app, data_dir, "fiona", "margins", **seeds)
    assert margins.exceptions == [] and list(margins.tables[0]["margin"]) == [39]


def test_a_department_viewer_session_holds_only_its_department_and_no_margins(data_dir: Path) -> None:
    seeds = {"BILLING_SEEDS_DIR": str(data_dir.parent / "seeds")}
    app, overview = open_app(data_dir, "dora", **seeds)
    assert "Scope: department D-ITOPS" in overview.sidebar
    # USD only: D-BRANCH's EUR row is not in dora's extract, so no currency choice is offered.
    assert overview.metrics["Effective cost 2026-10"] == "1,200.50 USD"
    assert overview.metrics["Effective cost 2026-09"] == "1,000.10 USD"
    shown = [overview]
    for page in ("costs", "trends", "budgets", "forecast", "unallocated", "invoices", "drill-down"):
        page_shown = show_page(app, data_dir, "dora", page, **seeds)
        assert page_shown.exceptions == [], page
        shown.append(page_shown)
    assert {value for page in shown for value in page.values("department_id")} == {"D-ITOPS"}
    assert all("margin" not in str(c) for page in shown for frame in page.frames for c in frame.columns)
    costs = shown[1]
    assert costs.metrics["Effective cost (USD, filtered)"] == "2,200.60 USD"
    assert costs.choices["costs_filter_department_id"] == ["D-ITOPS"]
    assert "Invoices: not in this release for your scope (department-D-ITOPS has no marts.fct_invoices)." in (
        shown[6].infos
    )
    with pytest.raises(ValueError, match=r"Could not find a navigation page for .*margins.py"):
        app.switch_page("screens/margins.py")


def test_a_client_viewer_sees_only_its_invoices_and_no_costs(data_dir: Path) -> None:
    seeds = {"BILLING_SEEDS_DIR": str(data_dir.parent / "seeds")}
    app, overview = open_app(data_dir, "cleo", **seeds)
    assert "Costs: not in this release for your scope (client-GLOBEX has no marts.fct_costs)." in overview.infos
    invoices = show_page(app, data_dir, "cleo", "invoices", **seeds)
    assert invoices.exceptions == []
    assert invoices.values("client_id") == {"GLOBEX"}
    assert invoices.values("invoice") == {"INV-2026-000001", "INV-3"}
    with pytest.raises(ValueError, match=r"Could not find a navigation page for .*margins.py"):
        app.switch_page("screens/margins.py")


def test_money_is_shown_exactly_at_each_currency_minor_units() -> None:
    assert ui.money(Decimal("0.1") + Decimal("0.2"), "USD") == "0.30 USD"
    assert ui.money(Decimal("392492.5"), "JPY") == "392,493 JPY"
    assert ui.money(Decimal("1234.5675"), "KWD") == "1,234.568 KWD"
    assert ui.money(Decimal("12345678901234.565"), "EUR") == "12,345,678,901,234.57 EUR"  # beyond float precision
    assert ui.money(None, "EUR") == "-"
