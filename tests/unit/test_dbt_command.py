"""`billing-dbt`'s parse fingerprint (orchestration/engines/dbt_command.py): a data directory's paths and DuckDB's
run-time options leave it unchanged, so a first close reuses the parse `make manifest` prepared; anything that can
change what the project parses to still changes it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb

from orchestration.defs.transform.dbt import build_arguments
from orchestration.engines.dbt_command import NO_MANIFEST_FLAG, PREPARED_TARGET, executable, profile_fingerprint_text
from orchestration.resources import EngineResource
from orchestration.settings import DBT_PROJECT_DIR

CONNECTION = [
    ("database", "billing"),
    ("schema", "main"),
    ("path", "/data/first/warehouse/billing.duckdb"),
    ("config_options", {"memory_limit": "4GB", "threads": "2", "temp_directory": "/data/first/tmp"}),
    ("extensions", None),
]


def _with(key: str, value: object) -> list[tuple[str, object]]:
    return [(name, value if name == key else current) for name, current in CONNECTION]


def test_another_data_directory_or_memory_bound_keeps_the_fingerprint() -> None:
    prepared = profile_fingerprint_text(CONNECTION, "/repo/dbt_project")
    elsewhere = _with("path", "/data/second/warehouse/billing.duckdb")
    elsewhere = [
        (name, {"memory_limit": "3GB", "threads": "1", "temp_directory": "/data/second/tmp"})
        if name == "config_options"
        else (name, value)
        for name, value in elsewhere
    ]
    assert profile_fingerprint_text(reversed(elsewhere), "/repo/dbt_project") == prepared


def test_a_setting_the_project_can_read_or_a_moved_checkout_changes_the_fingerprint() -> None:
    prepared = profile_fingerprint_text(CONNECTION, "/repo/dbt_project")
    assert profile_fingerprint_text(_with("schema", "billing"), "/repo/dbt_project") != prepared
    assert profile_fingerprint_text(_with("database", "other"), "/repo/dbt_project") != prepared
    # a parse records each file's absolute location (seeds are loaded from it)
    assert profile_fingerprint_text(CONNECTION, "/moved/dbt_project") != prepared


def test_no_project_file_reads_the_settings_left_out_of_the_fingerprint() -> None:
    """What the fingerprint leaves out must not reach a parse: a model or macro reading `target.path` or the
    connection options would be parsed once for the first data directory and reused for every other."""
    reads = re.compile(r"target\s*(\.\s*|\[\s*['\"])(path|config_options|temp_directory|memory_limit)\b")
    found = [
        str(path.relative_to(DBT_PROJECT_DIR))
        for path in DBT_PROJECT_DIR.rglob("*")
        if path.suffix in {".sql", ".yml", ".yaml"}
        and "target" not in path.relative_to(DBT_PROJECT_DIR).parts[:1]
        and reads.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_close_on_duckdb_asks_dbt_for_no_manifest_copy_and_one_on_spark_for_its_own() -> None:
    """On Spark the invocation's own manifest says which models are tables (expose_spark_tables reads it)."""
    duckdb_arguments = build_arguments(EngineResource(engine="duckdb"))
    spark_arguments = build_arguments(EngineResource(engine="spark"))
    assert duckdb_arguments[0] == "build" and NO_MANIFEST_FLAG in duckdb_arguments
    assert NO_MANIFEST_FLAG not in spark_arguments
    assert [a for a in duckdb_arguments if a != NO_MANIFEST_FLAG] == spark_arguments


def test_without_the_manifest_dbt_still_writes_run_results_compiled_sql_and_its_parse(tmp_path: Path) -> None:
    """`billing-dbt --no-write-manifest` takes its flag off before dbt reads the command line (dbt would refuse it)
    and skips only the manifest, its semantic copy and the graph; what the close and an operator read stays."""
    target = tmp_path / "target"
    target.mkdir()
    shutil.copyfile(DBT_PROJECT_DIR / "target" / "partial_parse.msgpack", target / "partial_parse.msgpack")
    # Named billing.duckdb as a data directory's warehouse is: DuckDB's database name (the file's stem) is part of the
    # parse's fingerprint, so the prepared parse is reused.
    environment = {**os.environ, "BILLING_WAREHOUSE_PATH": str(tmp_path / "billing.duckdb")}
    environment |= {"BILLING_DBT_DUCKDB_TEMP_DIR": str(tmp_path / "tmp"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    command = [str(executable()), "compile", NO_MANIFEST_FLAG, "--target", PREPARED_TARGET]
    compiled = subprocess.run(
        [*command, "--target-path", str(target), "--select", "fct_invoices", "--quiet"],
        cwd=DBT_PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    assert "stg_audit__issued_invoices" in compiled.stdout
    written = {p.name for p in target.iterdir()}
    assert {"run_results.json", "partial_parse.msgpack", "compiled"} <= written
    assert written & {"manifest.json", "semantic_manifest.json", "graph.gpickle"} == set()
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    statuses = {r["unique_id"]: r["status"] for r in results}
    assert statuses["model.billing.fct_invoices"] == "success" and set(statuses.values()) == {"success"}


def test_billing_dbt_ends_with_dbts_status_and_the_warehouse_closed(tmp_path: Path) -> None:
    """billing-dbt ends without tearing its interpreter down (orchestration/process_exit.py): dbt's exit status is
    kept, and the warehouse is closed by dbt before that, checkpointed with no write-ahead log left for the next
    process to replay."""
    warehouse = tmp_path / "billing.duckdb"
    environment = {**os.environ, "BILLING_WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    environment |= {"BILLING_DBT_DUCKDB_TEMP_DIR": str(tmp_path / "tmp")}

    def dbt(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [str(executable()), *arguments, NO_MANIFEST_FLAG, "--target", PREPARED_TARGET]
        command += ["--target-path", str(tmp_path / "target")]
        return subprocess.run(command, cwd=DBT_PROJECT_DIR, env=environment, capture_output=True, text=True)

    seeded = dbt("seed", "--select", "currencies")
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    assert warehouse.exists() and not warehouse.with_name("billing.duckdb.wal").exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from reference.currencies").fetchone() == (35,)

    # fct_invoices reads tables this warehouse does not have: dbt's error and status 1 come through.
    failed = dbt("run", "--select", "fct_invoices")
    assert failed.returncode == 1
    assert "ERROR" in failed.stdout and "fct_invoices" in failed.stdout
    assert not warehouse.with_name("billing.duckdb.wal").exists()
