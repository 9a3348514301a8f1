"""The dbt unit tests (`unit_tests:` in the models' YAML: allocation methods, cascade, pricing, rounding, policy
scopes, rate-card revision) run here once, on DuckDB, against the closed demo's relations. A close excludes them
(they check SQL, not a month's data); tests/spark runs them on Spark."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.conftest import ClosedDemo
from tests.integration.dbt_build import run_dbt


def test_every_dbt_unit_test_passes_on_duckdb(closed_demo: ClosedDemo, tmp_path: Path) -> None:
    warehouse = closed_demo.settings.warehouse_path
    result = run_dbt(["test", "--select", "test_type:unit"], warehouse, tmp_path / "target", tmp_path / "logs")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    results = [
        result
        for result in json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
        if result["unique_id"].startswith("unit_test.")  # not the on-run-start hook
    ]
    names = {r["unique_id"].rsplit(".", 1)[-1] for r in results if r["status"] == "pass"}
    assert len(names) == len(results) >= 16
    # the rules issue 4 is judged by: every method, the cascade, effective dating, pricing and policy
    assert {
        "test_allocation_shares_for_every_method",
        "test_allocation_rules_are_effective_dated_by_billing_period",
        "test_cascade_splits_in_step_order_exactly_with_credits",
        "test_chargeback_lines_priced_by_the_published_rate_card_in_force",
        "test_pieces_get_their_it_service_and_policy_scope",
        "test_rate_card_revision_derives_rates_from_the_quarter_unit_costs",
    } <= names
