"""The same dbt project closes a demo month on DuckDB and on Spark; every table it builds is equal on both.

`make test-spark` runs this module (it is not part of `make test`: it needs the `spark` dependency group and
Java 17). Each engine closes the month through the real `billing close` command, in its own data directory, from
the same deterministic demo landing zone; then every table model of the dbt project (marts and written
intermediate tables, enumerated from the manifest, so models added later are covered without editing this file; a
mart that is a view on DuckDB is compared too) is compared row by row: same columns, same types, same rows,
decimals exactly equal.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.close import ENGINE_TAG
from orchestration.engines.compare import compare_warehouses, load_tolerated, relations_in_schema, render_report
from orchestration.engines.spark import mart_models, table_models
from orchestration.settings import DBT_PROJECT_DIR

PERIOD = "2026-10"
TOLERATED = Path(__file__).with_name("tolerated_differences.json")
BILLING = Path(sys.executable).with_name("billing")
# A month closed once has nothing restated, and the demo records no disputes and imports no payments (billing
# operations' matching and dispute rules are checked on Spark by their dbt unit tests, `make test-spark-unit`).
EMPTY_AFTER_A_FIRST_CLOSE = {
    "marts.fct_allocation_restatements",
    "marts.fct_disputes",
    "marts.fct_dispute_trends",
    "marts.fct_payment_applications",
}

if importlib.util.find_spec("dbt.adapters.spark") is None:
    raise RuntimeError("dbt-spark is not installed in this environment: run `make test-spark`, which installs it")


def _close(data_dir: Path, engine: str) -> float:
    """Write the demo landing zone and close the month with `billing close`; returns the close's seconds."""
    environment = {**os.environ, "BILLING_DATA_DIR": str(data_dir), "BILLING_ENGINE": engine, "BILLING_USER": "ci"}
    subprocess.run([str(BILLING), "demo"], env=environment, check=True, capture_output=True, text=True)
    started = time.monotonic()
    close = subprocess.run(
        [str(BILLING), "close", "--period", PERIOD], env=environment, capture_output=True, text=True, check=False
    )
    seconds = time.monotonic() - started
    output = close.stdout + close.stderr
    assert close.returncode == 0, f"close on {engine} failed:\n{output[-4000:]}"
    assert f"close of {PERIOD} complete" in output
    return seconds


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Close the demo month on each engine, one after the other (separate data directories). On two cores the
    closes are slower at the same time than in turn: each engine uses both cores."""
    directories = {engine: tmp_path_factory.mktemp(f"close-{engine}") for engine in ("duckdb", "spark")}
    seconds = {engine: _close(directory, engine) for engine, directory in directories.items()}
    print("\n" + ", ".join(f"{engine} close of {PERIOD}: {value:.0f} s" for engine, value in seconds.items()))
    return {engine: directory / "warehouse" / "billing.duckdb" for engine, directory in directories.items()}


def test_every_table_model_is_equal_on_both_engines(
    warehouses: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    # Every written model, and every mart: one that only projects a written model is a view on DuckDB.
    tables = sorted(
        set(table_models(manifest)) | set(mart_models(manifest)), key=lambda table: (table.schema, table.name)
    )
    marts = {f"{table.schema}.{table.name}" for table in tables if table.schema == "marts"}
    assert marts, "the manifest lists no marts"
    # Every mart exists on both sides (no engine silently skipped one).
    assert relations_in_schema(warehouses["duckdb"], "marts") == marts
    assert relations_in_schema(warehouses["spark"], "marts") == marts

    comparisons = compare_warehouses(warehouses["duckdb"], warehouses["spark"], tables, load_tolerated(TOLERATED))
    with capsys.disabled():
        print(f"\nDuckDB vs Spark, demo month {PERIOD}: {len(comparisons)} tables compared\n")
        print(render_report(comparisons))
    different = [comparison.table for comparison in comparisons if not comparison.equal]
    assert not different, f"tables that differ between engines: {different}"
    # Every mart has rows, except those EMPTY_AFTER_A_FIRST_CLOSE names.
    rows = {comparison.table: comparison.reference_rows for comparison in comparisons if comparison.table in marts}
    assert {table for table, count in rows.items() if count == 0} == EMPTY_AFTER_A_FIRST_CLOSE


def test_the_spark_run_is_tagged_with_its_engine(warehouses: dict[str, Path]) -> None:
    for engine, warehouse in warehouses.items():
        dagster_home = warehouse.parent.parent / "dagster_home"
        with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
            runs = instance.get_runs()
            assert runs, f"no Dagster run recorded for {engine}"
            assert {run.tags.get(ENGINE_TAG) for run in runs} == {engine}


def test_spark_tables_are_read_through_views_over_parquet(warehouses: dict[str, Path]) -> None:
    import duckdb

    with duckdb.connect(str(warehouses["spark"]), read_only=True) as con:
        kinds = dict(
            con.execute(
                "select table_name, table_type from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        )
        (definition,) = con.execute(
            "select sql from duckdb_views() where schema_name = 'marts' and view_name = 'fct_reconciliation'"
        ).fetchone()
    assert set(kinds.values()) == {"VIEW"}
    assert "read_parquet" in definition and "marts.db/fct_reconciliation" in definition


@pytest.mark.spark_unit
def test_every_dbt_unit_test_passes_on_spark(warehouses: dict[str, Path], tmp_path: Path) -> None:
    """A close excludes dbt unit tests (they check SQL, not a month's data); here they run once on Spark, against
    the relations the Spark close created, so every pricing and allocation rule is proven on both engines.
    `make test-spark-unit` runs it, not CI: on two cores the 53 unit tests take about as long on Spark as the
    rest of `make test-spark` (the contract pricing model alone compiles for ~50 s per test)."""
    import json

    data_dir = warehouses["spark"].parent.parent
    environment = {
        **os.environ,
        "BILLING_ENGINE": "spark",
        "BILLING_WAREHOUSE_PATH": str(warehouses["spark"]),
        "BILLING_LAKE_DIR": str(data_dir / "lake"),
        "BILLING_SPARK_WAREHOUSE_DIR": str(data_dir / "spark" / "warehouse"),
        "BILLING_SPARK_METASTORE_DIR": str(data_dir / "spark" / "metastore"),
    }
    command = [str(Path(sys.executable).with_name("dbt")), "test", "--select", "test_type:unit", "--target", "spark"]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    results = [
        result
        for result in json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
        if result["unique_id"].startswith("unit_test.")  # not the on-run-start hook
    ]
    assert len(results) >= 16 and {r["status"] for r in results} == {"pass"}
    print(f"\n{len(results)} dbt unit tests passed on Spark")
