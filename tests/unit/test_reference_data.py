"""Reference data a close keeps (orchestration/defs/transform/reference_data.py): which nodes belong to it, what
changes its fingerprint, what the warehouse must still hold, and what is recorded after a build."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from orchestration.defs.transform.records import read_record
from orchestration.defs.transform.reference_data import (
    all_passed,
    content_digest,
    record_build,
    reference_data,
    unchanged,
)
from orchestration.resources import dbt_project

REPO_SEEDS = Path(__file__).parents[2] / "seeds"


def _node(kind: str, name: str, parents: list[str], path: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "resource_type": kind,
        "name": name,
        "schema": {"seed": "reference", "model": "staging", "test": "dbt_test__audit"}[kind],
        "path": f"{name}.csv",
        "original_file_path": path,
        "raw_code": extra.pop("raw_code", f"select * from {name}"),
        "checksum": {"name": "sha256", "checksum": f"{name}-v1"},
        "config": {"materialized": extra.pop("materialized", "table" if kind != "test" else "test")},
        "columns": {},
        "depends_on": {"nodes": parents, "macros": extra.pop("macros", [])},
    }


def _manifest() -> dict[str, Any]:
    reference = "models/staging/reference/"
    return {
        "nodes": {
            "seed.billing.currencies": _node("seed", "currencies", []),
            "model.billing.stg_reference__currencies": _node(
                "model", "stg_reference__currencies", ["seed.billing.currencies"], reference + "c.sql"
            ),
            "model.billing.stg_reference__names": _node(
                "model",
                "stg_reference__names",
                ["model.billing.stg_reference__currencies"],
                reference + "n.sql",
                materialized="view",
            ),
            "model.billing.stg_reference__this_month": _node(
                "model",
                "stg_reference__this_month",
                ["seed.billing.currencies"],
                reference + "m.sql",
                raw_code="select * from currencies where valid_from <= current_date",
            ),
            "model.billing.stg_reference__labels": _node(
                "model",
                "stg_reference__labels",
                ["seed.billing.currencies"],
                reference + "l.sql",
                macros=["macro.billing.period_label"],
            ),
            "model.billing.stg_aws_cur__lines": _node("model", "stg_aws_cur__lines", ["source.billing.raw.aws"]),
            "model.billing.int_charges": _node(
                "model", "int_charges", ["model.billing.stg_aws_cur__lines", "model.billing.stg_reference__names"]
            ),
            "test.billing.unique_currencies": _node(
                "test", "unique_currencies", ["model.billing.stg_reference__names"]
            ),
            "test.billing.charges_have_currency": _node(
                "test", "charges_have_currency", ["model.billing.int_charges", "model.billing.stg_reference__names"]
            ),
        },
        "macros": {
            "macro.billing.money_type": {"package_name": "billing", "macro_sql": "decimal(38,10)"},
            "macro.billing.closing_period": {
                "package_name": "billing",
                "macro_sql": "{{ return(env_var('BILLING_PERIOD_START', '')) }}",
                "depends_on": {"macros": []},
            },
            # Reads the period through another macro: the model calling it is not reference data either.
            "macro.billing.period_label": {
                "package_name": "billing",
                "macro_sql": "'{{ billing.closing_period() }}'",
                "depends_on": {"macros": ["macro.billing.closing_period"]},
            },
        },
    }


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    (tmp_path / "currencies.csv").write_text("currency_code,minor_units\nEUR,2\nJPY,0\n", encoding="utf-8")
    return tmp_path


def test_reference_data_is_the_seeds_and_the_reference_models_and_tests_that_read_only_them(seeds: Path) -> None:
    reference = reference_data(_manifest(), seeds)
    assert reference.unique_ids == {
        "seed.billing.currencies",
        "model.billing.stg_reference__currencies",
        "model.billing.stg_reference__names",
        "test.billing.unique_currencies",
    }
    # Each relation after the relations it reads (Dagster takes a multi-asset's outputs only in that order).
    assert [relation.name for relation in reference.relations] == [
        "currencies",
        "stg_reference__currencies",
        "stg_reference__names",
    ]
    assert [relation.is_table for relation in reference.relations] == [True, True, False]
    # dbt leaves the seeds and models out by these; their tests follow under indirect selection `cautious`.
    assert reference.selectors == ("resource_type:seed", "stg_reference__currencies", "stg_reference__names")
    assert reference.keepable


def test_a_test_reading_only_reference_data_that_reads_the_clock_keeps_nothing(seeds: Path) -> None:
    # dbt would leave it out with the reference data (it reads nothing else), so it would not run at all.
    manifest = _manifest()
    manifest["nodes"]["test.billing.rates_are_current"] = _node(
        "test", "rates_are_current", ["model.billing.stg_reference__names"], raw_code="where valid_to >= current_date"
    )
    reference = reference_data(manifest, seeds)
    assert "test.billing.rates_are_current" not in reference.unique_ids
    assert not reference.keepable
    digest = content_digest(_warehouse(), reference)
    assert not unchanged({"fingerprint": reference.fingerprint, "content": str(digest)}, reference, digest)


def test_the_project_reference_data_excludes_what_depends_on_the_month_or_on_provider_data() -> None:
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    reference = reference_data(manifest, REPO_SEEDS)
    seeds = {unique_id for unique_id, node in manifest["nodes"].items() if node["resource_type"] == "seed"}
    assert seeds <= reference.unique_ids
    assert "model.billing.stg_reference__contracts" in reference.unique_ids
    # Reads the month being closed (BILLING_PERIOD_START): rebuilt by every close.
    assert "model.billing.int_subscription_segments" not in reference.unique_ids
    # Nothing that reads a provider export or what is derived from one.
    for unique_id in reference.unique_ids:
        node = manifest["nodes"][unique_id]
        assert not any(parent.startswith("source.") for parent in node["depends_on"].get("nodes", [])), unique_id
    seen: set[str] = set()
    for relation in reference.relations:
        unique_id = next(
            uid
            for uid in reference.unique_ids
            if not uid.startswith("test.") and manifest["nodes"][uid]["name"] == relation.name
        )
        assert set(manifest["nodes"][unique_id]["depends_on"].get("nodes", [])) <= seen, relation.name
        seen.add(unique_id)


def test_an_edited_seed_file_or_model_changes_the_fingerprint(seeds: Path, tmp_path: Path) -> None:
    base = reference_data(_manifest(), seeds).fingerprint
    assert reference_data(_manifest(), seeds).fingerprint == base
    edited = tmp_path / "edited"
    shutil.copytree(seeds, edited)
    (edited / "currencies.csv").write_text("currency_code,minor_units\nEUR,2\nJPY,2\n", encoding="utf-8")
    assert reference_data(_manifest(), edited).fingerprint != base
    changed = copy.deepcopy(_manifest())
    changed["nodes"]["model.billing.stg_reference__names"]["checksum"]["checksum"] = "v2"
    assert reference_data(changed, seeds).fingerprint != base
    # A model outside the reference data does not change it.
    other = copy.deepcopy(_manifest())
    other["nodes"]["model.billing.int_charges"]["checksum"]["checksum"] = "v2"
    assert reference_data(other, seeds).fingerprint == base


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema reference; create schema staging")
    con.execute("create table reference.currencies as select * from (values ('EUR', 2), ('JPY', 0)) t(code, units)")
    con.execute("create table staging.stg_reference__currencies as select * from reference.currencies")
    con.execute("create view staging.stg_reference__names as select code from staging.stg_reference__currencies")
    return con


def test_the_warehouse_must_still_hold_what_the_build_wrote(seeds: Path) -> None:
    reference = reference_data(_manifest(), seeds)
    con = _warehouse()
    digest = content_digest(con, reference)
    assert digest is not None
    record = {"fingerprint": reference.fingerprint, "content": digest}
    assert unchanged(record, reference, content_digest(con, reference))
    # A row edited by hand: built and tested again.
    con.execute("update reference.currencies set units = 2 where code = 'JPY'")
    assert not unchanged(record, reference, content_digest(con, reference))
    con.execute("update reference.currencies set units = 0 where code = 'JPY'")
    assert unchanged(record, reference, content_digest(con, reference))
    # A view dropped, or a table where dbt made a view: built again.
    con.execute("drop view staging.stg_reference__names")
    assert content_digest(con, reference) is None
    con.execute("create table staging.stg_reference__names as select code from staging.stg_reference__currencies")
    assert content_digest(con, reference) is None
    assert not unchanged(record, reference, None)


def test_a_missing_or_unreadable_record_keeps_nothing(seeds: Path, tmp_path: Path) -> None:
    reference = reference_data(_manifest(), seeds)
    digest = content_digest(_warehouse(), reference)
    assert read_record(tmp_path / "absent.json") == {}
    broken = tmp_path / "broken.json"
    broken.write_text('{"fingerprint": ', encoding="utf-8")
    assert read_record(broken) == {}
    broken.write_text("[1, 2]", encoding="utf-8")
    assert not unchanged(read_record(broken), reference, digest)
    path = tmp_path / "dbt" / "duckdb-reference-data.json"
    record_build(path, reference, str(digest), "run-1")
    assert read_record(path) == {"fingerprint": reference.fingerprint, "content": digest, "built_by_run": "run-1"}
    assert unchanged(read_record(path), reference, digest)


def _run_results(tmp_path: Path, statuses: dict[str, str]) -> Path:
    path = tmp_path / "run_results.json"
    results = [{"unique_id": unique_id, "status": status} for unique_id, status in statuses.items()]
    path.write_text(json.dumps({"results": results}), encoding="utf-8")
    return path


def test_only_a_build_where_every_reference_node_passed_is_recorded(seeds: Path, tmp_path: Path) -> None:
    reference = reference_data(_manifest(), seeds)
    passed = {unique_id: "pass" if unique_id.startswith("test.") else "success" for unique_id in reference.unique_ids}
    assert all_passed(reference, _run_results(tmp_path, passed))
    # A warning is reported again by the next close, so it is not recorded as passed.
    assert not all_passed(reference, _run_results(tmp_path, passed | {"test.billing.unique_currencies": "warn"}))
    assert not all_passed(reference, _run_results(tmp_path, passed | {"seed.billing.currencies": "error"}))
    missing = dict(passed)
    missing.pop("model.billing.stg_reference__names")
    assert not all_passed(reference, _run_results(tmp_path, missing))
    assert not all_passed(reference, tmp_path / "no-run-results.json")
