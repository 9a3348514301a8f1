"""What Spark built, made readable to the rest of the platform through the DuckDB warehouse.

On the Spark target dbt writes each table model as Parquet under ``<spark warehouse>/<schema>.db/<table>/``.
The gates, finalization, `billing status` and BI publication read the warehouse through DuckDB whatever the
engine, so after each Spark build every table model becomes a DuckDB view of the same name over those Parquet
files (``marts.fct_reconciliation`` and so on). Nothing is copied: the numbers read are the numbers Spark wrote,
decimals included (Parquet keeps decimal(38,10) exactly). One representation is translated at the boundary:
Spark's TIMESTAMP is an instant, which the views present as the warehouse's UTC TIMESTAMP.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.sql_text import literal as _literal

TABLE_MATERIALIZATIONS = ("table", "incremental")


@dataclass(frozen=True)
class BuiltTable:
    schema: str
    name: str


def _models(manifest_path: Path, keep: Callable[[dict[str, Any]], bool]) -> list[BuiltTable]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    models = {
        BuiltTable(node["schema"], node.get("alias") or node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and keep(node)
    }
    return sorted(models, key=lambda table: (table.schema, table.name))


def table_models(manifest_path: Path) -> list[BuiltTable]:
    """Every model the dbt project materializes as a table, from the given manifest (the prepared one is DuckDB's; a
    Spark invocation passes the one it wrote)."""
    return _models(manifest_path, lambda node: node["config"].get("materialized") in TABLE_MATERIALIZATIONS)


def mart_models(manifest_path: Path) -> list[BuiltTable]:
    """Every model of the marts schema, whatever the manifest's engine materializes it as (a mart that only projects
    a written model is a view on DuckDB and a table on Spark)."""
    return _models(manifest_path, lambda node: node["schema"] == "marts")


def spark_table_dir(spark_warehouse_dir: Path, table: BuiltTable) -> Path:
    return spark_warehouse_dir / f"{table.schema}.db" / table.name


def _as_warehouse_type(name: str, kind: str) -> str:
    quoted = '"' + name.replace('"', '""') + '"'
    if kind == "TIMESTAMP WITH TIME ZONE":
        # Spark's TIMESTAMP is an instant (Parquet isAdjustedToUTC); the warehouse keeps UTC wall-clock TIMESTAMPs.
        return f"timezone('UTC', {quoted}) as {quoted}"
    return quoted


def expose_spark_tables(
    con: duckdb.DuckDBPyConnection, spark_warehouse_dir: Path, tables: list[BuiltTable]
) -> list[BuiltTable]:
    """Replace each built table's DuckDB relation by a view over Spark's Parquet files; returns those exposed."""
    exposed: list[BuiltTable] = []
    for table in tables:
        directory = spark_table_dir(spark_warehouse_dir, table)
        if not any(directory.glob("*.parquet")):
            continue  # not built on Spark (yet)
        relation = f"{table.schema}.{table.name}"
        con.execute(f"create schema if not exists {table.schema}")
        kind = con.execute(
            "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
            [table.schema, table.name],
        ).fetchone()
        if kind and kind[0] == "BASE TABLE":
            con.execute(f"drop table {relation}")
        files = f"read_parquet({_literal(str(directory / '*.parquet'))})"
        columns = con.execute(f"describe select * from {files}").fetchall()
        select = ", ".join(_as_warehouse_type(name, str(kind)) for name, kind, *_ in columns)
        con.execute(f"create or replace view {relation} as select {select} from {files}")
        exposed.append(table)
    return exposed
