"""The period-incremental dbt models (dbt_project/macros/incremental_by_period.sql) and when to rebuild them whole.

A close rebuilds only its own period in these models; every other period keeps what an earlier close computed.
That holds only while the SQL that computed those rows is unchanged: when a release changes the model, any model
it reads, a column contract or a project macro, the table is dropped before dbt runs, so dbt builds every period
afresh. Reference data (seeds) is not part of the fingerprint: a rule changed after a close shows in a period when
that period is closed again, reported as a restatement against what was closed (README "Incremental closes").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.defs.transform.records import read_record, run_statuses, write_record

STRATEGY = "replace_period"
PROJECT = "billing"


@dataclass(frozen=True)
class IncrementalModel:
    unique_id: str
    schema: str
    name: str
    fingerprint: str

    @property
    def relation(self) -> str:
        return f'"{self.schema}"."{self.name}"'


def json_sha256(value: Any) -> str:
    """The SHA-256 of a JSON value written with sorted keys: the form of every fingerprint kept beside dbt's state."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def _column_types(node: Mapping[str, Any]) -> dict[str, Any]:
    return {name: column.get("data_type") for name, column in sorted(node.get("columns", {}).items())}


def node_definition(node: Mapping[str, Any]) -> dict[str, Any]:
    """What a dbt node computes, for a fingerprint: its SQL, configuration and column types (not its documentation)."""
    return {"sql": node["checksum"]["checksum"], "config": node["config"], "columns": _column_types(node)}


def _node_digest(node: Mapping[str, Any]) -> dict[str, Any]:
    # Materialization, not the whole configuration: the incremental models' fingerprints kept since they were first
    # recorded (a new form would rebuild every period of every one once).
    return {
        "sql": node["checksum"]["checksum"],
        "materialized": node["config"].get("materialized"),
        "columns": _column_types(node),
    }


def _ancestors(unique_id: str, nodes: Mapping[str, Mapping[str, Any]]) -> set[str]:
    seen: set[str] = set()
    pending = [unique_id]
    while pending:
        for parent in nodes[pending.pop()]["depends_on"]["nodes"]:
            if parent in nodes and parent not in seen and nodes[parent]["resource_type"] == "model":
                seen.add(parent)
                pending.append(parent)
    return seen


def project_macros_digest(manifest: Mapping[str, Any]) -> str:
    """The project's own macros, all of them: any change may change what a model computes."""
    macros = sorted(
        (unique_id, macro["macro_sql"])
        for unique_id, macro in manifest["macros"].items()
        if macro["package_name"] == PROJECT
    )
    return json_sha256(macros)


def incremental_models(manifest: Mapping[str, Any]) -> list[IncrementalModel]:
    """Every model built by the `replace_period` strategy, with the fingerprint of the SQL that computes it."""
    nodes = manifest["nodes"]
    macro_digest = project_macros_digest(manifest)
    models = []
    for unique_id, node in nodes.items():
        if node["resource_type"] != "model":
            continue
        config = node["config"]
        if config.get("materialized") != "incremental" or config.get("incremental_strategy") != STRATEGY:
            continue
        inputs = {uid: _node_digest(nodes[uid]) for uid in sorted({unique_id} | _ancestors(unique_id, nodes))}
        models.append(
            IncrementalModel(
                unique_id=unique_id,
                schema=node["schema"],
                name=node.get("alias") or node["name"],
                fingerprint=json_sha256({"models": inputs, "macros": macro_digest}),
            )
        )
    return sorted(models, key=lambda model: model.unique_id)


def read_fingerprints(state_path: Path) -> dict[str, str]:
    """The recorded fingerprints; none (so every incremental table is rebuilt whole) when the record is missing or
    unreadable: a rebuild costs time, trusting a table built by other SQL could cost money."""
    return read_record(state_path)


def _existing_tables(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {
        (schema, name)
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
    }


def absent_models(con: duckdb.DuckDBPyConnection, models: Iterable[IncrementalModel]) -> list[IncrementalModel]:
    """The models without a table: dbt builds them for every period."""
    existing = _existing_tables(con)
    return [model for model in models if (model.schema, model.name) not in existing]


def drop_stale_models(
    con: duckdb.DuckDBPyConnection, models: Iterable[IncrementalModel], fingerprints: Mapping[str, str]
) -> list[IncrementalModel]:
    """Drops each model whose fingerprint differs from the one its table was built with (or that has none on
    record); dbt then builds it for every period. Returns those that existed."""
    existing = _existing_tables(con)
    dropped = []
    for model in models:
        if fingerprints.get(model.unique_id) == model.fingerprint:
            continue
        if (model.schema, model.name) in existing:
            con.execute(f"drop table {model.relation}")
            dropped.append(model)
    return dropped


def record_fingerprints(
    state_path: Path, models: Iterable[IncrementalModel], run_results_path: Path, fingerprints: Mapping[str, str]
) -> dict[str, str]:
    """Records the fingerprint of every incremental model dbt built successfully in this invocation; a model that
    failed or did not run keeps its old record (or none), so the next close rebuilds it whole if it must."""
    if not run_results_path.exists():
        return dict(fingerprints)
    built = {unique_id for unique_id, status in run_statuses(run_results_path).items() if status == "success"}
    updated = dict(fingerprints)
    for model in models:
        if model.unique_id in built:
            updated[model.unique_id] = model.fingerprint
    write_record(state_path, updated)
    return updated
