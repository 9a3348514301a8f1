"""When a period-incremental model is rebuilt whole: its fingerprint covers its SQL, every model it reads, column
contracts and the project's macros, not reference data; only what dbt built successfully is recorded."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import duckdb

from orchestration.defs.transform.incremental import (
    drop_stale_models,
    incremental_models,
    read_fingerprints,
    record_fingerprints,
)


def _node(name: str, sql: str, parents: list[str], materialized: str = "table", **config: str) -> dict[str, Any]:
    return {
        "resource_type": "model",
        "name": name,
        "schema": "intermediate",
        "checksum": {"name": "sha256", "checksum": sql},
        "config": {"materialized": materialized, **config},
        "columns": {},
        "depends_on": {"nodes": parents},
    }


def _manifest() -> dict[str, Any]:
    incremental = {"materialized": "incremental", "incremental_strategy": "replace_period"}
    return {
        "nodes": {
            "seed.billing.cost_centers": {"resource_type": "seed", "checksum": {"checksum": "seed-v1"}},
            "model.billing.stg": _node("stg", "stg-v1", ["seed.billing.cost_centers"], "view"),
            "model.billing.charges": _node("charges", "charges-v1", ["model.billing.stg"], **incremental),
            "model.billing.pieces": _node("pieces", "pieces-v1", ["model.billing.charges"], **incremental),
            "model.billing.other": _node("other", "other-v1", ["model.billing.stg"], "incremental"),
        },
        "macros": {
            "macro.billing.money_type": {"package_name": "billing", "macro_sql": "decimal(38,10)"},
            "macro.dbt.is_incremental": {"package_name": "dbt", "macro_sql": "dbt's own"},
        },
    }


def _fingerprints(manifest: dict[str, Any]) -> dict[str, str]:
    return {model.unique_id: model.fingerprint for model in incremental_models(manifest)}


def test_only_models_built_by_the_period_strategy_are_incremental_by_period() -> None:
    assert set(_fingerprints(_manifest())) == {"model.billing.charges", "model.billing.pieces"}


def test_a_change_upstream_changes_every_model_downstream_of_it() -> None:
    base = _fingerprints(_manifest())
    changed = _manifest()
    changed["nodes"]["model.billing.stg"]["checksum"]["checksum"] = "stg-v2"
    assert all(base[uid] != fingerprint for uid, fingerprint in _fingerprints(changed).items())

    changed = _manifest()
    changed["nodes"]["model.billing.pieces"]["checksum"]["checksum"] = "pieces-v2"
    after = _fingerprints(changed)
    assert after["model.billing.charges"] == base["model.billing.charges"]
    assert after["model.billing.pieces"] != base["model.billing.pieces"]


def test_contracts_and_project_macros_count_reference_data_and_dbt_macros_do_not() -> None:
    base = _fingerprints(_manifest())
    contract = _manifest()
    contract["nodes"]["model.billing.charges"]["columns"] = {"amount": {"data_type": "decimal(38,10)"}}
    assert _fingerprints(contract)["model.billing.charges"] != base["model.billing.charges"]

    macro = _manifest()
    macro["macros"]["macro.billing.money_type"]["macro_sql"] = "decimal(38,12)"
    assert _fingerprints(macro)["model.billing.charges"] != base["model.billing.charges"]

    unrelated = _manifest()
    unrelated["nodes"]["seed.billing.cost_centers"]["checksum"]["checksum"] = "seed-v2"
    unrelated["macros"]["macro.dbt.is_incremental"]["macro_sql"] = "another dbt"
    assert _fingerprints(unrelated) == base


def test_a_table_built_by_other_sql_is_dropped_and_one_built_by_this_sql_kept() -> None:
    manifest = _manifest()
    models = incremental_models(manifest)
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute("create table intermediate.charges as select 1 as charge")
    con.execute("create table intermediate.pieces as select 1 as piece")
    recorded = {"model.billing.charges": _fingerprints(manifest)["model.billing.charges"], "model.billing.pieces": "x"}
    dropped = drop_stale_models(con, models, recorded)
    assert [model.name for model in dropped] == ["pieces"]
    assert con.execute("select table_name from information_schema.tables").fetchall() == [("charges",)]
    # Nothing on record (a warehouse built before incremental closes): rebuilt whole.
    assert [model.name for model in drop_stale_models(con, models, {})] == ["charges"]


def test_only_what_dbt_built_successfully_is_recorded(tmp_path: Path) -> None:
    manifest = _manifest()
    models = incremental_models(manifest)
    fingerprints = _fingerprints(manifest)
    results = tmp_path / "run_results.json"
    results.write_text(
        json.dumps(
            {
                "results": [
                    {"unique_id": "model.billing.charges", "status": "success"},
                    {"unique_id": "model.billing.pieces", "status": "error"},
                ]
            }
        ),
        encoding="utf-8",
    )
    state = tmp_path / "dbt" / "duckdb-incremental-models.json"
    earlier = {"model.billing.pieces": "an earlier build"}
    record_fingerprints(state, models, results, copy.deepcopy(earlier))
    assert read_fingerprints(state) == {
        "model.billing.charges": fingerprints["model.billing.charges"],
        "model.billing.pieces": "an earlier build",
    }


def test_an_unreadable_record_rebuilds_every_incremental_table(tmp_path: Path) -> None:
    """A truncated or hand-edited record must not stop the close: nothing on record means every table is rebuilt."""
    state = tmp_path / "duckdb-incremental-models.json"
    for damaged in ('{"model.billing.charges": ', "[1, 2]", "\xff\xfe"):
        state.write_bytes(damaged.encode("latin-1"))
        assert read_fingerprints(state) == {}
    manifest = _manifest()
    con = duckdb.connect()
    con.execute("create schema intermediate")
    con.execute("create table intermediate.charges as select 1 as charge")
    assert [m.name for m in drop_stale_models(con, incremental_models(manifest), read_fingerprints(state))] == [
        "charges"
    ]
