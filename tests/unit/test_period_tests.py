"""When a close's data tests may check its own billing period only (orchestration/defs/transform/period_tests.py):
after every period was tested in full with the same models, tests and macros, and never in a close that rebuilds a
model for every period; a step's record is written only when every node of its dbt invocation passed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from orchestration.defs.transform.period_tests import closing_period_only, project_fingerprint, record_tested


def _manifest() -> dict[str, Any]:
    return {
        "nodes": {
            "seed.billing.cost_centers": {"resource_type": "seed", "checksum": {"checksum": "seed-v1"}, "config": {}},
            "model.billing.charges": {
                "resource_type": "model",
                "checksum": {"checksum": "charges-v1"},
                "config": {"materialized": "incremental", "period_column": "billing_period_start"},
                "columns": {"charge_id": {"data_type": "varchar", "description": "The charge."}},
            },
            "test.billing.unique_charges_charge_id": {
                "resource_type": "test",
                "checksum": {"checksum": ""},
                "config": {"severity": "ERROR", "where": None},
                "test_metadata": {"name": "unique", "kwargs": {"column_name": "charge_id"}},
            },
        },
        "macros": {"macro.billing.money_type": {"package_name": "billing", "macro_sql": "decimal(38,10)"}},
    }


def _results(path: Path, statuses: dict[str, str]) -> Path:
    path.write_text(
        json.dumps({"results": [{"unique_id": uid, "status": status} for uid, status in statuses.items()]}),
        encoding="utf-8",
    )
    return path


def test_the_fingerprint_follows_models_tests_and_macros_not_documentation_or_seeds() -> None:
    manifest = _manifest()
    fingerprint = project_fingerprint(manifest)
    changes = {
        "model SQL": ("model.billing.charges", ["checksum", "checksum"], "charges-v2"),
        "model config": ("model.billing.charges", ["config", "period_column"], "x_BillingPeriodStartDate"),
        "column contract": ("model.billing.charges", ["columns", "charge_id", "data_type"], "integer"),
        "test severity": ("test.billing.unique_charges_charge_id", ["config", "severity"], "WARN"),
        "test arguments": ("test.billing.unique_charges_charge_id", ["test_metadata", "kwargs", "column_name"], "id"),
    }
    for change, (unique_id, keys, value) in changes.items():
        changed = copy.deepcopy(manifest)
        target = changed["nodes"][unique_id]
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
        assert project_fingerprint(changed) != fingerprint, change
    macro = copy.deepcopy(manifest)
    macro["macros"]["macro.billing.money_type"]["macro_sql"] = "decimal(38,12)"
    assert project_fingerprint(macro) != fingerprint
    unchanged = copy.deepcopy(manifest)
    unchanged["nodes"]["model.billing.charges"]["columns"]["charge_id"]["description"] = "Reworded."
    unchanged["nodes"]["seed.billing.cost_centers"]["checksum"]["checksum"] = "seed-v2"
    assert project_fingerprint(unchanged) == fingerprint


def test_a_step_tests_its_period_only_after_it_passed_over_every_period(tmp_path: Path) -> None:
    record = tmp_path / "dbt" / "duckdb-period-tests.json"
    fingerprint = project_fingerprint(_manifest())
    assert not closing_period_only(record, "billing_models", fingerprint, rebuilt_whole=False)
    passed = {
        "model.billing.charges": "success",
        "test.billing.unique_charges_charge_id": "pass",
        "exposure.billing.dashboard_overview": "no-op",
    }
    for failed in ("fail", "error", "skipped"):
        statuses = {**passed, "test.billing.unique_charges_charge_id": failed}
        assert not record_tested(record, "billing_models", fingerprint, _results(tmp_path / "rr.json", statuses))
        assert not closing_period_only(record, "billing_models", fingerprint, rebuilt_whole=False), failed
    # dbt ran nothing (a failed start): no test passed, nothing recorded.
    assert not record_tested(record, "billing_models", fingerprint, tmp_path / "missing.json")
    assert record_tested(record, "billing_models", fingerprint, _results(tmp_path / "rr.json", passed))
    assert closing_period_only(record, "billing_models", fingerprint, rebuilt_whole=False)
    # Another step, or another release, has not tested every period yet.
    assert not closing_period_only(record, "invoice_marts", fingerprint, rebuilt_whole=False)
    assert not closing_period_only(record, "billing_models", "another release", rebuilt_whole=False)


def test_a_model_rebuilt_for_every_period_makes_its_step_and_later_ones_test_every_period(tmp_path: Path) -> None:
    record = tmp_path / "duckdb-period-tests.json"
    record.write_text(json.dumps({"billing_models": "f", "invoice_marts": "f"}), encoding="utf-8")
    assert not closing_period_only(record, "billing_models", "f", rebuilt_whole=True, later_steps=["invoice_marts"])
    # invoice_marts, later in the same close, reads what the rebuild wrote for every period.
    assert not closing_period_only(record, "invoice_marts", "f", rebuilt_whole=False)
    assert not closing_period_only(record, "billing_models", "f", rebuilt_whole=False)


def test_a_later_step_rebuilding_a_model_keeps_an_earlier_steps_record(tmp_path: Path) -> None:
    """The first close after a release: billing_models passed over every period; invoice_marts then rebuilds its own
    period-incremental model whole. billing_models read nothing invoice_marts writes, so its record stands."""
    record = tmp_path / "duckdb-period-tests.json"
    record.write_text(json.dumps({"billing_models": "f", "invoice_marts": "f"}), encoding="utf-8")
    assert not closing_period_only(record, "invoice_marts", "f", rebuilt_whole=True, later_steps=[])
    assert closing_period_only(record, "billing_models", "f", rebuilt_whole=False)
    assert not closing_period_only(record, "invoice_marts", "f", rebuilt_whole=False)
