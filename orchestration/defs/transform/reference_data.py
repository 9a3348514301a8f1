"""Reference data a close need not build again: the seeds, the staging models over them and their data tests.

About half of a small month's dbt work was reloading the same 47 seed files, rebuilding the reference staging models
over them and running their ~170 data tests again, each close, with nothing changed. The reference subgraph is the
seeds, the models under models/staging/reference that read only seeds and each other, and the data tests that read
only those; its result is a function of the seed files and the SQL, so it is skipped when, since the last build in
which every one of its nodes passed:
  * its fingerprint is unchanged: every seed file's bytes (read from the seed directory dbt reads), every node's SQL,
    config and columns, every project macro, the dbt version; and
  * its tables in the warehouse still hold what that build wrote: row count and sum of a 64-bit row hash per table,
    and every relation present as the kind dbt made it (a table edited or dropped by hand is rebuilt and tested).
Anything else (a seed edited, a new rate card published to the seeds, a model changed, a record missing or
unreadable) builds and tests the reference data as before. A model or test that reads the period, the clock or
the environment, itself or through a project macro, is never part of it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb

from orchestration.defs.transform.incremental import PROJECT, json_sha256, node_definition, project_macros_digest
from orchestration.defs.transform.records import run_statuses, write_record

REFERENCE_MODELS = "models/staging/reference/"
# What makes a model's rows depend on when or for which month it runs, not only on its inputs.
TIME_DEPENDENT = re.compile(r"current_date|current_timestamp|now\s*\(|today|env_var|closing_period", re.IGNORECASE)
PASSED = frozenset({"success", "pass"})


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str
    is_table: bool

    @property
    def quoted(self) -> str:
        return '"' + self.schema.replace('"', '""') + '"."' + self.name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ReferenceData:
    """The reference subgraph of a manifest: its nodes, their dbt selectors, the relations of its seeds and models
    (each after what it reads), and its fingerprint."""

    unique_ids: frozenset[str]
    selectors: tuple[str, ...]
    relations: tuple[Relation, ...]
    fingerprint: str
    keepable: bool = True

    @property
    def counts(self) -> Counter[str]:
        return Counter(unique_id.split(".", 1)[0] for unique_id in self.unique_ids)


# Narrows a test to the period being closed only on period-incremental models, which reference data never reads.
PERIOD_TEST_FILTER = "macro.billing.get_where_subquery"


def _time_dependent_macros(macros: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Project macros that read the clock, the period or the environment, or call one that does."""
    found = {
        unique_id
        for unique_id, macro in macros.items()
        if macro.get("package_name") == PROJECT and TIME_DEPENDENT.search(str(macro.get("macro_sql", "")))
    }
    grown = True
    while grown:
        grown = False
        for unique_id, macro in macros.items():
            calls = macro.get("depends_on", {}).get("macros", [])
            if unique_id not in found and any(called in found for called in calls):
                found.add(unique_id)
                grown = True
    return found - {PERIOD_TEST_FILTER}


def _time_dependent(node: Mapping[str, Any], macros: set[str]) -> bool:
    return bool(TIME_DEPENDENT.search(str(node.get("raw_code", "")))) or any(
        called in macros for called in node["depends_on"].get("macros", [])
    )


def _members(nodes: Mapping[str, Mapping[str, Any]], macros: set[str]) -> tuple[list[str], set[str], bool]:
    """The seeds and models of the reference data in an order where every node follows what it reads (Dagster
    takes a multi-asset's outputs only in that order), the data tests on them, and whether dbt can leave out exactly
    these: it excludes, with the nodes excluded, every test that reads only them (indirect selection `cautious`), so
    a test reading only reference data that is not reference data itself (it reads the clock or the period) would
    silently not run."""
    ordered = sorted(unique_id for unique_id, node in nodes.items() if node["resource_type"] == "seed")
    members = set(ordered)
    candidates = sorted(
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model"
        and str(node.get("original_file_path", "")).startswith(REFERENCE_MODELS)
        and not _time_dependent(node, macros)
    )
    # A model belongs once every node it reads belongs (it reads no source, no model outside the set).
    grown = True
    while grown:
        grown = False
        for unique_id in candidates:
            parents = nodes[unique_id]["depends_on"].get("nodes", [])
            if unique_id not in members and all(parent in members for parent in parents):
                members.add(unique_id)
                ordered.append(unique_id)
                grown = True
    readers = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "test"
        and node["depends_on"].get("nodes")
        and all(parent in members for parent in node["depends_on"]["nodes"])
    }
    tests = {unique_id for unique_id in readers if not _time_dependent(nodes[unique_id], macros)}
    return ordered, tests, tests == readers


def _seed_file_digest(seeds_dir: Path, node: Mapping[str, Any]) -> str:
    """The bytes dbt loads for this seed (dbt's own checksum is a path, not the content, for files over 1 MiB)."""
    path = seeds_dir / str(node["path"])
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def reference_data(manifest: Mapping[str, Any], seeds_dir: Path) -> ReferenceData:
    nodes = manifest["nodes"]
    built, tests, keepable = _members(nodes, _time_dependent_macros(manifest["macros"]))
    members = set(built) | tests
    described: dict[str, Any] = {}
    for unique_id in sorted(members):
        node = nodes[unique_id]
        described[unique_id] = {
            **node_definition(node),
            "parents": sorted(node["depends_on"].get("nodes", [])),
            "seed": _seed_file_digest(seeds_dir, node) if node["resource_type"] == "seed" else None,
        }
    fingerprint = json_sha256(
        {"nodes": described, "macros": project_macros_digest(manifest), "dbt": metadata.version("dbt-core")}
    )
    relations = tuple(
        Relation(
            nodes[unique_id]["schema"],
            nodes[unique_id].get("alias") or nodes[unique_id]["name"],
            nodes[unique_id]["resource_type"] == "seed" or nodes[unique_id]["config"].get("materialized") != "view",
        )
        for unique_id in built
    )
    selectors = _selectors(nodes, built)
    return ReferenceData(frozenset(members), selectors, relations, fingerprint, keepable)


def _selectors(nodes: Mapping[str, Mapping[str, Any]], built: list[str]) -> tuple[str, ...]:
    """dbt selectors for the seeds and models of the reference data. Their tests need none: with indirect selection
    `cautious` dbt leaves out, with the excluded nodes, every test that reads only excluded nodes — the reference
    data's tests (see _members). Few selectors matter: dbt compares each one with every node of the project."""
    seeds = {unique_id for unique_id, node in nodes.items() if node["resource_type"] == "seed"}
    if seeds and seeds <= set(built):
        models = sorted(nodes[unique_id]["name"] for unique_id in built if unique_id not in seeds)
        return ("resource_type:seed", *models)
    return tuple(sorted(nodes[unique_id]["name"] for unique_id in built))


def content_digest(con: duckdb.DuckDBPyConnection, reference: ReferenceData) -> str | None:
    """Row count and sum of a 64-bit row hash of every reference table; None when a relation is missing or is not
    the kind of relation dbt made it."""
    present = {
        (schema, name): table_type == "BASE TABLE"
        for schema, name, table_type in con.execute(
            "select table_schema, table_name, table_type from information_schema.tables"
        ).fetchall()
    }
    if any(present.get((relation.schema, relation.name)) != relation.is_table for relation in reference.relations):
        return None
    tables = [relation for relation in reference.relations if relation.is_table]
    if not tables:
        return hashlib.sha256(b"").hexdigest()
    rows = con.execute(
        " union all ".join(
            f"select '{relation.schema}.{relation.name}', count(*), "
            f"cast(coalesce(sum(hash(reference_row)::hugeint), 0) as varchar) "
            f"from {relation.quoted} as reference_row"
            for relation in tables
        )
    ).fetchall()
    return hashlib.sha256(json.dumps(sorted(rows)).encode()).hexdigest()


def unchanged(record: Mapping[str, str], reference: ReferenceData, digest: str | None) -> bool:
    return (
        digest is not None
        and reference.keepable
        and bool(reference.unique_ids)
        and record.get("fingerprint") == reference.fingerprint
        and record.get("content") == digest
    )


def all_passed(reference: ReferenceData, run_results_path: Path) -> bool:
    """Every reference node ran in this invocation and passed (a warning is not a pass: it is reported again)."""
    statuses = run_statuses(run_results_path)
    return all(statuses.get(unique_id) in PASSED for unique_id in reference.unique_ids)


def record_build(path: Path, reference: ReferenceData, digest: str, run_id: str) -> None:
    write_record(path, {"fingerprint": reference.fingerprint, "content": digest, "built_by_run": run_id})
