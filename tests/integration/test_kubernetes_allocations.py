"""An OpenCost allocation export, ingested and typed by dbt: every row and every cent of its split kept, idle explicit.

The export (tests/fixtures/opencost-format, provenance beside it) is landed under kubernetes/<cluster>/,
ingested by the production step and built with dbt (`stg_kubernetes__allocations` and its tests) into a
temporary warehouse. Totals are computed here from the CSV with Python's Decimal.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.landing import ingest_source
from tests.integration.dbt_build import dbt_build

EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "opencost-format" / "kubernetes" / "prod-eu-1"


def _csv_total(column: str, idle: bool | None = None) -> Decimal:
    with (EXPORT / "opencost-export.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sum((Decimal(row[column]) for row in rows if idle is None or (row["Pod"] == "__idle__") == idle), Decimal(0))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kubernetes")
    shutil.copytree(EXPORT, root / "landing" / "kubernetes" / "prod-eu-1")
    path = root / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ingest_source(con, "kubernetes", root / "landing", root / "quarantine")
    dbt_build(path, "stg_kubernetes__allocations", root)
    return path


def test_every_allocation_row_and_cost_reaches_staging_exactly(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows, total, cpu, clusters = con.execute(
            "select count(*), sum(total_cost), sum(cpu_cost), string_agg(distinct cluster_id, ',') "
            "from staging.stg_kubernetes__allocations"
        ).fetchone()
    assert (rows, clusters) == (7, "prod-eu-1")
    assert total == _csv_total("TotalCost") == Decimal("36.5882207")
    assert cpu == _csv_total("CPUCost")


def test_idle_capacity_is_explicit_per_day(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        idle = con.execute(
            "select usage_date::varchar, total_cost from staging.stg_kubernetes__allocations "
            "where is_idle order by usage_date"
        ).fetchall()
        labelled = con.execute(
            "select labels from staging.stg_kubernetes__allocations where pod = 'payments-db-0'"
        ).fetchall()
    assert idle == [("2026-10-01", Decimal("3.786816")), ("2026-10-02", Decimal("4.3234567"))]
    assert sum(cost for _, cost in idle) == _csv_total("TotalCost", idle=True)
    assert labelled == [('{"app":"payments-db","project":"PRJ-PAY-DB"}',)]
