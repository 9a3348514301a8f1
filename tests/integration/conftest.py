"""Integration fixtures: a temporary data directory with the demo landing zone, closed through Dagster."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.demo import DemoManifest, write_demo_landing_zone, write_sla_correction
from orchestration.demo.rate_card_sign_off import publish_demo_rate_card
from orchestration.disputes.workflow import InvoiceLineTarget
from orchestration.runner import CloseOutcome, run_close
from orchestration.settings import BUDGET_WEBHOOK_URL_VARIABLE, Settings, load_settings
from tests.integration.operations_walk import (
    CloseWithDispute,
    OperationsRecorded,
    close_while_recording_a_dispute,
    record_operations,
)
from tests.webhook import RecordingWebhook, recording_webhook

DEMO_PERIODS = (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))
SEPTEMBER = date(2026, 9, 1)


@dataclass
class ClosedDemo:
    settings: Settings
    manifest: DemoManifest
    outcomes: dict[date, CloseOutcome] = field(default_factory=dict)
    progress: list[str] = field(default_factory=list)
    webhook: RecordingWebhook | None = None  # budget alerts are POSTed here; None = no webhook configured

    def __post_init__(self) -> None:
        # As `billing demo` does: the demo rate card approved and published, so the closes charge departments.
        publish_demo_rate_card(self.settings)

    def close(self, period: date) -> CloseOutcome:
        # The code location reads its settings from the environment, as `billing close` does.
        os.environ["BILLING_DATA_DIR"] = str(self.settings.data_dir)
        if self.webhook is not None:
            os.environ[BUDGET_WEBHOOK_URL_VARIABLE] = self.webhook.url
        try:
            outcome = run_close(self.settings, period, acting_user="pytest", progress=self.progress.append)
        finally:
            os.environ.pop(BUDGET_WEBHOOK_URL_VARIABLE, None)
        self.outcomes[period] = outcome
        return outcome

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def use_data_dir(path: Path) -> Settings:
    os.environ["BILLING_DATA_DIR"] = str(path)
    return load_settings()


@pytest.fixture(scope="session")
def closed_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClosedDemo]:
    """The whole demo, every month closed in order — shared by the read-only assertions. Budget alerts go to a
    local webhook that refuses the very first one (HTTP 503), so that alert is retried by the next close."""
    previous = os.environ.get("BILLING_DATA_DIR")
    settings = use_data_dir(tmp_path_factory.mktemp("demo-data"))
    with recording_webhook() as webhook:
        webhook.fail_next = [503]
        demo = ClosedDemo(settings, write_demo_landing_zone(settings.landing_dir), webhook=webhook)
        for period in DEMO_PERIODS:
            demo.close(period)
        yield demo
    if previous is None:
        os.environ.pop("BILLING_DATA_DIR", None)
    else:
        os.environ["BILLING_DATA_DIR"] = previous


def document_files(demo: ClosedDemo) -> list[tuple]:
    """Every issued document's files with the hash recorded at issue."""
    return demo.query(
        """
        select strftime(invoices.billing_period_start, '%Y-%m'), invoices.invoice_number, invoices.total,
               invoices.delivery_method, files.kind, files.file_name, files.sha256
        from audit.issued_documents as files
        join audit.issued_invoices as invoices using (invoice_number)
        order by files.file_name
        """
    )


@dataclass
class RestatedDemo:
    """A copy of the closed demo after billing operations were recorded and September was closed again with the
    corrected SLA extract (in its own process, while a dispute was recorded)."""

    demo: ClosedDemo
    documents_before: list[tuple]
    issued_before: list[tuple]
    operations: OperationsRecorded
    close: CloseWithDispute


@pytest.fixture(scope="session")
def restated_demo(closed_demo: ClosedDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RestatedDemo]:
    """One re-close serves the restatement (client invoicing) and the billing-operations tests: the shared closed
    demo stays as the closes left it for the other tests."""
    copy = tmp_path_factory.mktemp("restated") / "data"
    shutil.copytree(closed_demo.settings.data_dir, copy)
    try:
        demo = ClosedDemo(use_data_dir(copy), closed_demo.manifest)
        operations = record_operations(demo.settings)
        documents_before = document_files(demo)
        issued_before = demo.query("select * from audit.issued_invoices order by invoice_number")
        write_sla_correction(demo.settings.landing_dir)
        target = InvoiceLineTarget(operations.invoice_number, operations.line_number)
        close = close_while_recording_a_dispute(demo.settings, SEPTEMBER, target)
        yield RestatedDemo(demo, documents_before, issued_before, operations, close)
    finally:
        use_data_dir(closed_demo.settings.data_dir)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs on both cores (pytest-xdist, `--dist loadgroup`): each integration module stays whole on one
    worker so its module fixtures are built once, and every test that reads the shared closed demo runs on the
    same worker so the demo is closed once per session. First among the hooks: pytest-xdist reads the groups in its
    own hook (into the node ids) and ignores a marker added after it, which then closed the demo on both workers."""
    integration = Path(__file__).parent
    for item in items:
        if integration not in Path(str(item.path)).parents:
            continue
        group = "closed-demo" if "closed_demo" in item.fixturenames else item.path.stem
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """Under `--dist loadgroup` every integration test's node id ends in its group; without it xdist schedules the
    tests one by one: the closed demo is built on both workers, CI runs over its budget and no test fails. Stop."""
    if node.config.getoption("dist") != "loadgroup":
        return
    ungrouped = [nodeid for nodeid in ids if nodeid.startswith("tests/integration/") and "@" not in nodeid]
    if ungrouped:
        pytest.exit(
            f"pytest-xdist left {len(ungrouped)} integration test(s) ungrouped (e.g. {ungrouped[0]}): the xdist_group "
            "markers came too late, or this pytest and pytest-xdist do not group together (pytest-xdist#1386)",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )
