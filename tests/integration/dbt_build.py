"""Build part of the dbt project into a scratch warehouse, as the sample tests do (no Dagster, DuckDB target)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.engines import dbt_command
from orchestration.settings import DBT_PROJECT_DIR


def run_dbt(arguments: list[str], warehouse: Path, target_dir: Path, log_dir: Path) -> subprocess.CompletedProcess[str]:
    """This venv's dbt on the project, against `warehouse` (DuckDB target); artifacts in `target_dir`, which starts
    from the parse `make manifest` prepared, as a close's does."""
    prepared = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if prepared.exists() and not (target_dir / prepared.name).exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prepared, target_dir / prepared.name)
    command = [str(dbt_command.executable()), *arguments, "--target", dbt_command.PREPARED_TARGET]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--target-path", str(target_dir), "--log-path", str(log_dir)]
    environment = {**os.environ, "BILLING_WAREHOUSE_PATH": str(warehouse), "BILLING_ENGINE": "duckdb"}
    # A scratch build is no close: every period is built and tested, whatever a close in this process left set.
    environment.pop("BILLING_PERIOD_START", None)
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)


def dbt_build(warehouse: Path, select: str, work_dir: Path) -> None:
    """`dbt build --select <select>` (tests of the selection only) into `warehouse`; fails with dbt's output."""
    arguments = ["build", "--select", select, "--indirect-selection", "cautious"]
    result = run_dbt(arguments, warehouse, work_dir / "dbt-target", work_dir / "dbt-logs")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@dataclass(frozen=True)
class RowsTested:
    """A model's data tests run over rows a test added to its seed: dbt's output, and what each test compiled to."""

    result: subprocess.CompletedProcess[str]
    warehouse: Path
    target: Path

    def failures(self, test_name: str) -> list[str]:
        return [line for line in self.result.stdout.splitlines() if "FAIL" in line and test_name in line]

    def failing_rows(self, file_pattern: str) -> list[tuple[object, ...]]:
        """The rows one test's compiled SQL returns. dbt shortens a test's file name to a hash; only the selected
        model's tests were compiled."""
        [compiled_file] = (self.target / "compiled").rglob(file_pattern)
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(f"select * from ({compiled_file.read_text()}) order by all").fetchall()


def run_tests_on_added_rows(seed: str, model: str, insert_sql: str, work_dir: Path) -> RowsTested:
    """Build `seed` and `model` (their tests pass on the seed as delivered), run `insert_sql` against the warehouse,
    then `dbt test` the model."""
    warehouse = work_dir / "warehouse.duckdb"
    dbt_build(warehouse, f"{seed} {model}", work_dir)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(insert_sql)
    target = work_dir / "test-target"
    result = run_dbt(["test", "--select", model], warehouse, target, work_dir / "test-logs")
    return RowsTested(result, warehouse, target)
