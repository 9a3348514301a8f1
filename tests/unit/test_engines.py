"""The raw lake mirror, the views over Spark's output and the engine comparison, without a Spark session."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.engines.compare import ToleratedDifference, compare_warehouses, load_tolerated
from orchestration.engines.lake import sync_lake
from orchestration.engines.spark import BuiltTable, expose_spark_tables, mart_models, table_models


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema raw; create schema audit")
    con.execute(
        "create table raw.focus (billedcost varchar, _file_sha256 varchar, _billing_period_start varchar, "
        "_source_file varchar, _source_row varchar)"
    )
    con.execute("create table raw.onprem (cost varchar, _file_sha256 varchar, _billing_period_start varchar)")
    con.execute("create table audit.issued_invoices (invoice_number varchar, total decimal(38, 10))")
    return con


def _lake_rows(lake: Path, schema: str, table: str) -> list[tuple]:
    with duckdb.connect() as con:
        files = f"{lake}/{schema}/{table}/**/*.parquet"
        return con.execute(f"select * from read_parquet('{files}', union_by_name = true) order by all").fetchall()


def test_the_lake_mirrors_raw_per_period_and_a_second_sync_writes_nothing(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "w.duckdb")
    con.execute(
        "insert into raw.focus values ('1.10', 'sha-a', '2026-09-01', 'a.csv', '1'), "
        "('2.20', 'sha-b', '2026-10-01', 'b.csv', '1')"
    )
    con.execute("insert into audit.issued_invoices values ('INV-2026-000001', 12.3400000000)")
    lake = tmp_path / "lake"

    first = sync_lake(con, lake)
    assert sorted(path.name for path in (lake / "raw" / "focus").iterdir()) == [
        "period=2026-09-01",
        "period=2026-10-01",
        "schema",
    ]
    assert _lake_rows(lake, "raw", "focus") == [
        ("1.10", "sha-a", "2026-09-01", "a.csv", "1"),
        ("2.20", "sha-b", "2026-10-01", "b.csv", "1"),
    ]
    # The provider that never delivered still has a declared, empty table with its columns.
    with duckdb.connect() as reader:
        columns = reader.execute(f"describe select * from '{lake}/raw/onprem/schema/data.parquet'").fetchall()
    assert [column[0] for column in columns] == ["cost", "_file_sha256", "_billing_period_start"]
    assert _lake_rows(lake, "audit", "issued_invoices") == [("INV-2026-000001", Decimal("12.3400000000"))]
    assert len(first.written) == 6  # 3 schema files, 2 periods, 1 audit table

    second = sync_lake(con, lake)
    assert second.written == [] and second.removed == []


def test_a_restatement_rewrites_only_its_period_and_an_emptied_period_is_removed(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "w.duckdb")
    con.execute(
        "insert into raw.focus values ('1.10', 'sha-a', '2026-09-01', 'a.csv', '1'), "
        "('2.20', 'sha-b', '2026-10-01', 'b.csv', '1')"
    )
    lake = tmp_path / "lake"
    sync_lake(con, lake)
    # A corrected October delivery replaces the first one (as ingest's supersede does), September goes away.
    con.execute("delete from raw.focus")
    con.execute("insert into raw.focus values ('2.25', 'sha-c', '2026-10-01', 'c.csv', '1')")

    report = sync_lake(con, lake)
    assert report.written == [str(lake / "raw" / "focus" / "period=2026-10-01")]
    assert report.removed == [str(lake / "raw" / "focus" / "period=2026-09-01")]
    assert _lake_rows(lake, "raw", "focus") == [("2.25", "sha-c", "2026-10-01", "c.csv", "1")]


def test_a_new_delivered_column_rewrites_the_table_with_that_column(tmp_path: Path) -> None:
    con = _warehouse(tmp_path / "w.duckdb")
    con.execute("insert into raw.focus values ('1.10', 'sha-a', '2026-09-01', 'a.csv', '1')")
    lake = tmp_path / "lake"
    sync_lake(con, lake)
    con.execute("alter table raw.focus add column x_newcolumn varchar")

    report = sync_lake(con, lake)
    assert len(report.written) == 2  # the schema file and the one period
    with duckdb.connect() as reader:
        columns = reader.execute(f"describe select * from '{lake}/raw/focus/period=2026-09-01/data.parquet'")
        assert "x_newcolumn" in [column[0] for column in columns.fetchall()]


def _spark_output(spark_dir: Path, schema: str, table: str, query: str) -> None:
    directory = spark_dir / f"{schema}.db" / table
    directory.mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(f"copy ({query}) to '{directory}/part-00000-abc-c000.snappy.parquet' (format parquet)")


def test_spark_tables_replace_warehouse_tables_by_views_over_their_parquet(tmp_path: Path) -> None:
    spark_dir = tmp_path / "spark"
    _spark_output(spark_dir, "marts", "fct_reconciliation", "select 1.2300000000::decimal(38, 10) as difference")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts; create table marts.fct_reconciliation (difference decimal(38, 10))")
    tables = [BuiltTable("marts", "fct_reconciliation"), BuiltTable("marts", "fct_not_built_on_spark")]

    exposed = expose_spark_tables(con, spark_dir, tables)
    assert exposed == [BuiltTable("marts", "fct_reconciliation")]
    assert con.execute("select difference::varchar from marts.fct_reconciliation").fetchall() == [("1.2300000000",)]
    (kind,) = con.execute(
        "select table_type from information_schema.tables where table_name = 'fct_reconciliation'"
    ).fetchone()
    assert kind == "VIEW"


def test_table_models_are_enumerated_from_the_manifest(tmp_path: Path) -> None:
    node = {"resource_type": "model", "schema": "marts", "name": "fct_a", "alias": "fct_a"}
    manifest = {
        "nodes": {
            "model.billing.fct_a": {**node, "config": {"materialized": "table"}},
            "model.billing.stg_b": {
                **node,
                "schema": "staging",
                "name": "stg_b",
                "alias": "stg_b",
                "config": {"materialized": "view"},
            },
            "test.billing.t": {"resource_type": "test", "schema": "marts", "name": "t", "config": {}},
        }
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    assert table_models(path) == [BuiltTable("marts", "fct_a")]


def test_every_mart_is_compared_even_one_that_is_a_view_on_duckdb(tmp_path: Path) -> None:
    def model(schema: str, name: str, materialized: str) -> dict:
        return {"resource_type": "model", "schema": schema, "name": name, "config": {"materialized": materialized}}

    manifest = {
        "nodes": {
            "model.billing.fct_a": model("marts", "fct_a", "table"),
            "model.billing.fct_projected": model("marts", "fct_projected", "view"),
            "model.billing.int_c": model("intermediate", "int_c", "view"),
        }
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    assert mart_models(path) == [BuiltTable("marts", "fct_a"), BuiltTable("marts", "fct_projected")]
    assert table_models(path) == [BuiltTable("marts", "fct_a")]


def _two_warehouses(tmp_path: Path, reference_rows: str, candidate_rows: str) -> tuple[Path, Path]:
    paths = (tmp_path / "duckdb.duckdb", tmp_path / "spark.duckdb")
    for path, rows in zip(paths, (reference_rows, candidate_rows), strict=True):
        with duckdb.connect(str(path)) as con:
            con.execute("create schema marts")
            con.execute(f"create table marts.fct_x as select * from (values {rows}) as t(id, amount, issued_at)")
    return paths


TABLE = [BuiltTable("marts", "fct_x")]


def test_equal_builds_compare_equal(tmp_path: Path) -> None:
    rows = "('a', 1.0000000001::decimal(38, 10), '2026-11-01'), ('a', 1.0000000001::decimal(38, 10), '2026-11-01')"
    reference, candidate = _two_warehouses(tmp_path, rows, rows)
    (comparison,) = compare_warehouses(reference, candidate, TABLE, [])
    assert comparison.equal and comparison.reference_rows == 2 and comparison.compared_columns == 3


def test_a_difference_in_the_tenth_decimal_place_is_found(tmp_path: Path) -> None:
    reference, candidate = _two_warehouses(
        tmp_path,
        "('a', 1.0000000001::decimal(38, 10), '2026-11-01')",
        "('a', 1.0000000002::decimal(38, 10), '2026-11-01')",
    )
    (comparison,) = compare_warehouses(reference, candidate, TABLE, [])
    assert comparison.problems == ["1 row(s) only on DuckDB, 1 row(s) only on Spark"]


def test_a_duplicated_row_and_a_changed_type_are_found(tmp_path: Path) -> None:
    reference, candidate = _two_warehouses(
        tmp_path,
        "('a', 1.5::decimal(38, 10), '2026-11-01')",
        "('a', 1.5::decimal(18, 10), '2026-11-01'), ('a', 1.5::decimal(18, 10), '2026-11-01')",
    )
    (comparison,) = compare_warehouses(reference, candidate, TABLE, [])
    assert comparison.problems == [
        "column amount is DECIMAL(38,10) on DuckDB but DECIMAL(18,10) on Spark",
        "1 rows on DuckDB but 2 on Spark",
        "0 row(s) only on DuckDB, 1 row(s) only on Spark",
    ]


def test_a_tolerated_column_is_left_out_of_the_row_comparison_only(tmp_path: Path) -> None:
    reference, candidate = _two_warehouses(
        tmp_path,
        "('a', 1.5::decimal(38, 10), '2026-11-01 10:00')",
        "('a', 1.5::decimal(38, 10), '2026-11-01 10:07')",
    )
    tolerated = [ToleratedDifference("marts.fct_x", "issued_at", "wall-clock time of each run")]
    (comparison,) = compare_warehouses(reference, candidate, TABLE, tolerated)
    assert comparison.equal and comparison.compared_columns == 2


def test_a_tolerated_difference_without_a_reason_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tolerated.json"
    path.write_text(json.dumps([{"table": "marts.fct_x", "column": "amount", "reason": " "}]))
    with pytest.raises(ValueError, match="gives no reason"):
        load_tolerated(path)


def test_spark_instants_read_as_the_warehouse_utc_timestamp(tmp_path: Path) -> None:
    spark_dir = tmp_path / "spark"
    _spark_output(
        spark_dir, "marts", "fct_invoices", "select timestamptz '2026-11-03 06:00:00+00' as issued_at, 'x' as id"
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("set timezone = 'America/New_York'")  # the reader's session zone must not matter
    expose_spark_tables(con, spark_dir, [BuiltTable("marts", "fct_invoices")])
    assert con.execute("select typeof(issued_at), issued_at::varchar, id from marts.fct_invoices").fetchall() == [
        ("TIMESTAMP", "2026-11-03 06:00:00", "x")
    ]
