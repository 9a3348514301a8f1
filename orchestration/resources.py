"""Resources, built in one place from settings: the DuckDB warehouse and the dbt project."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject

from orchestration.settings import DBT_PROJECT_DIR, Settings


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse. DuckDB allows one writing process, so jobs run in-process, in order."""

    path: str
    memory_limit: str = "4GB"
    threads: int = 2
    temp_directory: str = ""

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        database = Path(self.path)
        if not read_only:
            database.parent.mkdir(parents=True, exist_ok=True)
        config: dict[str, str | int] = {"memory_limit": self.memory_limit, "threads": self.threads}
        if self.temp_directory:
            Path(self.temp_directory).mkdir(parents=True, exist_ok=True)
            config["temp_directory"] = self.temp_directory
        con = duckdb.connect(str(database), read_only=read_only, config=config)
        try:
            yield con
        finally:
            con.close()


class LandingZoneResource(dg.ConfigurableResource):
    """Where providers drop files and where refused files are moved."""

    landing_dir: str
    quarantine_dir: str


def dbt_project() -> DbtProject:
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="dev")


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(
            path=str(settings.warehouse_path),
            memory_limit=settings.duckdb_memory_limit,
            threads=settings.duckdb_threads,
            temp_directory=str(settings.duckdb_temp_dir),
        ),
        "landing": LandingZoneResource(
            landing_dir=str(settings.landing_dir), quarantine_dir=str(settings.quarantine_dir)
        ),
        # The venv's own dbt, so `.venv/bin/billing` works without an activated venv.
        "dbt": DbtCliResource(project_dir=dbt_project(), dbt_executable=str(Path(sys.executable).with_name("dbt"))),
    }
