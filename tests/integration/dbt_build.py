"""Build part of the dbt project into a scratch warehouse, as the sample tests do (no Dagster, DuckDB target)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR


def dbt_build(warehouse: Path, select: str, work_dir: Path) -> None:
    """`dbt build --select <select>` (tests of the selection only) into `warehouse`; fails with dbt's output."""
    command = [str(Path(sys.executable).with_name("dbt")), "build", "--select", select]
    command += ["--indirect-selection", "cautious"]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--target-path", str(work_dir / "dbt-target"), "--log-path", str(work_dir / "dbt-logs")]
    environment = {**os.environ, "BILLING_WAREHOUSE_PATH": str(warehouse), "BILLING_ENGINE": "duckdb"}
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
