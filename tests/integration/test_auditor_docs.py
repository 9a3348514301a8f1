"""`billing docs` on the closed demo: an auditor gets the dbt docs of the models with the warehouse's catalog, the
Great Expectations Data Docs with every gate suite validated (and passing) for every closed month, and a landing
page linking both and the invoices' audit packages. The live warehouse is copied, never locked or changed."""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from orchestration.auditor_docs.warehouse import writer_holds
from orchestration.cli import app
from orchestration.settings import DBT_PROJECT_DIR
from tests.integration.conftest import ClosedDemo

MONTHS = ("2026-08", "2026-09", "2026-10")
SUITES = ("fct_reconciliation", "invoice_totals")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _text(page: Path) -> str:
    """What a reader sees on a page: the markup, scripts and styles removed, whitespace collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", page.read_text(encoding="utf-8"), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


@pytest.fixture(scope="module")
def docs(closed_demo: ClosedDemo) -> tuple[Path, str, str, str]:
    failed = {
        f"{period:%Y-%m}": outcome.failures for period, outcome in closed_demo.outcomes.items() if not outcome.success
    }
    assert not failed, f"the demo closes this test documents failed: {failed}"
    warehouse = closed_demo.settings.warehouse_path
    before = _sha256(warehouse)
    result = CliRunner().invoke(app, ["docs"])
    assert result.exit_code == 0, result.output
    after = _sha256(warehouse)
    return closed_demo.settings.output_dir / "docs", result.output, before, after


def test_the_live_warehouse_is_copied_never_changed_or_left_locked(docs, closed_demo: ClosedDemo) -> None:
    directory, output, before, after = docs
    assert before == after
    assert not writer_holds(closed_demo.settings.warehouse_path)
    assert list(closed_demo.settings.duckdb_temp_dir.glob("docs-*")) == []  # the copy is removed
    assert [p.name for p in closed_demo.settings.output_dir.glob(".docs-*")] == []  # nothing half-built left
    assert "periods covered: 2026-08, 2026-09, 2026-10" in output
    assert f"documentation for auditors: {directory / 'index.html'}" in output


def test_the_dbt_docs_describe_the_marts_with_the_warehouse_catalog(docs) -> None:
    directory = docs[0] / "dbt"
    models = yaml.safe_load((DBT_PROJECT_DIR / "models/marts/invoicing/_invoicing__models.yml").read_text())
    invoices = next(model for model in models["models"] if model["name"] == "fct_invoices")
    described = {column["name"]: column["description"] for column in invoices["columns"]}
    assert described["document_type"] == "invoice, credit_note or debit_note."

    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    node = manifest["nodes"]["model.billing.fct_invoices"]
    assert node["columns"]["document_type"]["description"] == described["document_type"]
    assert node["description"].startswith("One row per client invoice")
    static = (directory / "static_index.html").read_text(encoding="utf-8")
    assert "model.billing.fct_invoices" in static and described["document_type"] in static  # self-contained page
    assert (directory / "index.html").stat().st_size > 0

    catalog = json.loads((directory / "catalog.json").read_text(encoding="utf-8"))
    table = catalog["nodes"]["model.billing.fct_invoices"]
    assert table["metadata"]["schema"] == "marts" and table["metadata"]["type"] == "BASE TABLE"
    assert table["columns"]["total"]["type"].startswith("DECIMAL")  # money is DECIMAL in the warehouse itself
    assert "source.billing.raw.aws_cur" in catalog["sources"]  # the raw provider rows, as delivered


def test_the_data_docs_show_each_gate_passing_for_each_closed_month(docs) -> None:
    directory = docs[0] / "gx"
    index = (directory / "index.html").read_text(encoding="utf-8")
    for suite in SUITES:
        assert (directory / "expectations" / f"{suite}.html").exists()
        pages = sorted((directory / "validations" / suite).glob("*/*/*.html"))
        assert [page.relative_to(directory / "validations" / suite).parts[0] for page in pages] == list(MONTHS)
        for page in pages:
            text = _text(page)
            assert f"Expectation Suite: {suite}" in text
            assert "Status: Succeeded" in text and "Unsuccessful Expectations 0" in text
            assert page.relative_to(directory).as_posix() in index  # listed on the Data Docs home page


def test_the_landing_page_links_both_sites_and_the_audit_packages(docs, closed_demo: ClosedDemo) -> None:
    directory = docs[0]
    page = directory / "index.html"
    text = _text(page)
    assert re.search(r"Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", text)
    assert f"closed periods: {', '.join(MONTHS)}" in text
    links = re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8"))
    assert links[:2] == ["dbt/static_index.html", "gx/index.html"]
    packages = [link for link in links[2:] if link.endswith("-audit.zip")]
    issued = closed_demo.query(
        "select strftime(billing_period_start, '%Y-%m'), invoice_number from audit.issued_invoices order by 2"
    )
    assert sorted(packages) == sorted(f"../{month}/{number}-audit.zip" for month, number in issued)
    assert all((directory / link).resolve().is_file() for link in links)
    for month in MONTHS:
        for suite in SUITES:
            assert f"{month} {suite} " in text  # the validation table and the gates each close recorded
