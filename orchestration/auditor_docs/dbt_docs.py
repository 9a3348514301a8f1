"""dbt docs of the billing project: `dbt docs generate --static` against the warehouse copy.

dbt runs with its own target and log directories in the work directory, so the prepared manifest in
dbt_project/target (read by the Dagster code location) is never overwritten. Without a warehouse the docs are built
from the project alone: models, columns, tests and lineage, with an empty catalog (no table statistics).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestration.auditor_docs.errors import DocsError
from orchestration.engines import dbt_command
from orchestration.runner import DBT_SEEDS_VARIABLE, dbt_seeds_environment
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

# What an auditor opens (static_index.html: one self-contained file) and what tools read.
DOCS_FILES = ("static_index.html", "index.html", "manifest.json", "catalog.json")


@dataclass(frozen=True)
class DbtDocs:
    directory: Path
    models: int
    catalog_tables: int
    empty_catalog: bool


def _environment(warehouse: Path, seeds_dir: Path) -> dict[str, str]:
    environment = {**os.environ, "BILLING_WAREHOUSE_PATH": str(warehouse), "DO_NOT_TRACK": "1"}
    environment.pop(DBT_SEEDS_VARIABLE, None)
    environment.update(dbt_seeds_environment(seeds_dir))
    return environment


def _last_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no output"])[-1]


def generate_dbt_docs(
    warehouse_copy: Path | None, seeds_dir: Path, work_dir: Path, out_dir: Path, log_dir: Path
) -> DbtDocs:
    """Generate the docs in work_dir and copy the published files to out_dir; dbt's log goes to log_dir."""
    target = work_dir / "dbt-target"
    # No warehouse: dbt still opens a connection, so it gets an empty file of its own, never data/warehouse.
    warehouse = warehouse_copy or work_dir / "no-warehouse.duckdb"
    command = [
        str(dbt_command.executable()),
        "docs",
        "generate",
        "--static",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        dbt_command.PREPARED_TARGET,
        "--target-path",
        str(target),
        "--log-path",
        str(log_dir),
        "--no-use-colors",
    ]
    if warehouse_copy is None:
        command.append("--empty-catalog")
    prepared = DBT_PROJECT_DIR / "target" / "manifest.json"
    if prepared.exists():
        # The prepared manifest (`make manifest`), not a compile of every model's Jinja, which took minutes: the
        # docs show each model's SQL as written; the compiled SQL of every close is in its invocation's target
        # directory (data/dbt/).
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prepared, target / "manifest.json")
        command.append("--no-compile")
    prepared_parse = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if prepared_parse.exists():
        # and the prepared parse, which `billing-dbt` reuses wherever the warehouse copy lies
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prepared_parse, target / prepared_parse.name)
    completed = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=_environment(warehouse, seeds_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise DocsError(
            f"dbt docs generate failed: {_last_error(completed.stdout + completed.stderr)} "
            f"(dbt's log: {log_dir / 'dbt.log'}); correct the project and run `billing docs` again"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in DOCS_FILES:
        source = target / name
        if not source.exists():
            raise DocsError(f"dbt docs generate wrote no {name} in {target}; check the dbt version (1.11 is pinned)")
        shutil.copyfile(source, out_dir / name)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    models = sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "model")
    tables = len(catalog.get("nodes", {})) + len(catalog.get("sources", {}))
    return DbtDocs(out_dir, models, tables, warehouse_copy is None)
