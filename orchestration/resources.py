"""Resources, built in one place from settings: the DuckDB warehouse and the dbt project."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from orchestration.engines import dbt_command
from orchestration.settings import (
    BUDGET_WEBHOOK_URL_VARIABLE,
    DBT_PROJECT_DIR,
    DEFAULT_DUCKDB_MEMORY_LIMIT,
    SEEDS_DIR,
    Settings,
)

if TYPE_CHECKING:
    from orchestration.retention.pseudonymize import Pseudonymizer


class WarehouseResource(dg.ConfigurableResource):
    """The embedded DuckDB warehouse. DuckDB allows one writing process, so jobs run in-process, in order."""

    path: str
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
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


class EngineResource(dg.ConfigurableResource):
    """Which engine dbt builds the models on: the embedded DuckDB warehouse itself, or Spark reading the raw
    lake (orchestration/engines). DuckDB stays the system of record for raw and audit tables either way."""

    engine: str = "duckdb"
    # dbt's target and log directory per invocation and the partial-parse state kept between them; empty =
    # dagster-dbt's default (a directory under dbt_project/target, parsed afresh from the prepared manifest).
    dbt_dir: str = ""
    lake_dir: str = ""
    spark_warehouse_dir: str = ""
    spark_metastore_dir: str = ""
    spark_cores: int = 2
    spark_driver_memory: str = "2g"
    # The seed files dbt loads (BILLING_SEEDS_DIR): what tells whether the reference data changed since it was built.
    seeds_dir: str = str(SEEDS_DIR)
    # dbt's --threads: the models and tests built at once (BILLING_DBT_THREADS).
    dbt_threads: int = 1

    @property
    def is_spark(self) -> bool:
        return self.engine == "spark"

    def dbt_environment(self, warehouse_path: str) -> dict[str, str]:
        """What the dbt profile (dbt_project/profiles.yml) reads for this engine."""
        environment = {"BILLING_ENGINE": self.engine, "BILLING_WAREHOUSE_PATH": warehouse_path}
        if self.is_spark:
            # Derby writes its log beside the metastore directory, which must exist first.
            Path(self.spark_metastore_dir).parent.mkdir(parents=True, exist_ok=True)
            environment |= {
                "BILLING_LAKE_DIR": self.lake_dir,
                "BILLING_SPARK_WAREHOUSE_DIR": self.spark_warehouse_dir,
                "BILLING_SPARK_METASTORE_DIR": self.spark_metastore_dir,
                "BILLING_SPARK_CORES": str(self.spark_cores),
                "BILLING_SPARK_DRIVER_MEMORY": self.spark_driver_memory,
            }
        return environment


class LandingZoneResource(dg.ConfigurableResource):
    """Where providers drop files and where refused files are moved."""

    landing_dir: str
    quarantine_dir: str
    # Personal tag values are pseudonymized at ingest (orchestration/retention/pseudonymize.py) with
    # BILLING_PSEUDONYM_KEY (an EnvVar: the UI shows its name, never its value) or the key generated into the file.
    seeds_dir: str = ""
    pseudonym_key: str = ""
    pseudonym_key_file: str = ""

    def pseudonymizer(self) -> Pseudonymizer | None:
        """The ingest's pseudonymizer; None when the resource was built without a key file (tests)."""
        from orchestration.retention.pseudonymize import build_pseudonymizer

        if not self.pseudonym_key_file:
            return None
        return build_pseudonymizer(Path(self.seeds_dir), self.pseudonym_key or None, Path(self.pseudonym_key_file))


class DocumentsResource(dg.ConfigurableResource):
    """Where documents for people (statements, reports) are written."""

    output_dir: str

    @property
    def path(self) -> Path:
        return Path(self.output_dir)


class OpsStoreResource(dg.ConfigurableResource):
    """The operational store (SQLite) people record rate-card sign-offs in; a close snapshots it into raw.ops_*."""

    path: str


class PublicationResource(dg.ConfigurableResource):
    """Where green closes publish read-only releases of the marts, and finance's publication policy (seeds)."""

    published_dir: str
    seeds_dir: str


class BudgetWebhookResource(dg.ConfigurableResource):
    """Where new budget alerts are POSTed as JSON after a green close; an empty url means they are not sent."""

    url: str = ""
    timeout_seconds: int = 10

    @property
    def configured(self) -> bool:
        return bool(self.url)


def dbt_project() -> DbtProject:
    # No target here: the manifest is the same for every engine; the dbt resource names the target to run on.
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class BillingDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource, told the dbt version instead of asking for it: the executable is this virtualenv's
    own dbt, and `dbt --version` cost a Python start-up (about 3 s) at the first dbt step of every close."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        """No in-process dbt adapter: dagster-dbt uses it only to fetch column metadata and row counts, which these
        assets do not ask for, and building it (importing dbt, rendering the profile) cost ~2 s of every close."""
        return None


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    return {
        "warehouse": WarehouseResource(
            path=str(settings.warehouse_path),
            memory_limit=settings.duckdb_memory_limit,
            threads=settings.duckdb_threads,
            temp_directory=str(settings.duckdb_temp_dir),
        ),
        "engine": EngineResource(
            engine=settings.engine,
            dbt_dir=str(settings.dbt_dir),
            lake_dir=str(settings.lake_dir),
            spark_warehouse_dir=str(settings.spark_warehouse_dir),
            spark_metastore_dir=str(settings.spark_metastore_dir),
            spark_cores=settings.spark_cores,
            spark_driver_memory=settings.spark_driver_memory,
            seeds_dir=str(settings.seeds_dir),
            dbt_threads=settings.dbt_threads,
        ),
        "landing": LandingZoneResource(
            landing_dir=str(settings.landing_dir),
            quarantine_dir=str(settings.quarantine_dir),
            seeds_dir=str(settings.seeds_dir),
            pseudonym_key=dg.EnvVar("BILLING_PSEUDONYM_KEY") if settings.pseudonym_key else "",
            pseudonym_key_file=str(settings.pseudonym_key_file),
        ),
        "documents": DocumentsResource(output_dir=str(settings.output_dir)),
        "ops_store": OpsStoreResource(path=str(settings.ops_store_path)),
        "publication": PublicationResource(
            published_dir=str(settings.published_dir), seeds_dir=str(settings.seeds_dir)
        ),
        # Webhook URLs often carry a token: settings validates it, and the resource takes it as an EnvVar so the
        # Dagster UI shows the variable's name in the resource config, never its value.
        "budget_webhook": BudgetWebhookResource(
            url=dg.EnvVar(BUDGET_WEBHOOK_URL_VARIABLE) if settings.budget_webhook_url else "",
            timeout_seconds=settings.budget_webhook_timeout_seconds,
        ),
        # The venv's own dbt, so `.venv/bin/billing` works without an activated venv; its parse fingerprint leaves
        # out the data directory's paths, so a first close reuses the prepared parse.
        "dbt": BillingDbtCliResource(
            project_dir=dbt_project(),
            dbt_executable=str(dbt_command.executable()),
            target=settings.engine,
        ),
    }
