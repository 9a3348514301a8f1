"""Integration fixtures: a temporary data directory with the demo landing zone, closed through Dagster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.demo import DemoManifest, write_demo_landing_zone
from orchestration.demo.rate_card_sign_off import publish_demo_rate_card
from orchestration.runner import CloseOutcome, run_close
from orchestration.settings import BUDGET_WEBHOOK_URL_VARIABLE, Settings, load_settings
from tests.webhook import RecordingWebhook, recording_webhook

DEMO_PERIODS = (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1))


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
