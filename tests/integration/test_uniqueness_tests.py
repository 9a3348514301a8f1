"""The uniqueness tests (dbt's `unique`, the project's unique_combination_of_columns in tests/generic/) must report
every repeated key with its count: nulls left out by `unique`, grouped like any value by the combination test, and
nothing where keys are distinct."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.integration.dbt_build import dbt_build, run_dbt


def _compiled_rows(target: Path, warehouse: Path, pattern: str) -> list[tuple[object, ...]]:
    # dbt shortens a test's file name to a hash; only the selected model's tests were compiled.
    [compiled_file] = (target / "compiled").rglob(pattern)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * from ({compiled_file.read_text()}) order by all").fetchall()


def test_a_repeated_id_fails_unique_with_its_count_and_null_ids_do_not(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    dbt_build(warehouse, "cost_centers stg_reference__cost_centers", tmp_path)  # the seed as delivered passes
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            insert into reference.cost_centers (cost_center_id, cost_center_name, owner_type)
            values ('CC-1100', 'again', 'department'), ('CC-1100', 'and again', 'department'),
                   ('CC-1200', 'twice', 'department'),
                   (null, 'no id', 'department'), (null, 'no id either', 'department')
            """
        )

    target = tmp_path / "test-target"
    result = run_dbt(["test", "--select", "stg_reference__cost_centers"], warehouse, target, tmp_path / "test-logs")

    failures = [line for line in result.stdout.splitlines() if "FAIL" in line and " unique_" in line]
    assert len(failures) == 1, result.stdout[-3000:]
    assert "FAIL 2 " in failures[0]  # two ids repeated; the two null ids are not duplicates
    assert _compiled_rows(target, warehouse, "unique_stg_reference__cost_centers_cost_center_id*.sql") == [
        ("CC-1100", 3),
        ("CC-1200", 2),
    ]


def test_a_repeated_combination_fails_with_its_count_nulls_grouped_like_values(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    dbt_build(warehouse, "region_mappings stg_reference__region_mappings", tmp_path)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            insert into reference.region_mappings (provider, provider_region, region_id, region_name)
            values ('aws', 'us-east-1', 'us-east-1', 'again'), ('gcp', 'us-east-1', 'us-east-1', 'other provider'),
                   ('oci', null, 'x', 'no region'), ('oci', null, 'y', 'no region either')
            """
        )

    target = tmp_path / "test-target"
    result = run_dbt(["test", "--select", "stg_reference__region_mappings"], warehouse, target, tmp_path / "test-logs")

    failures = [line for line in result.stdout.splitlines() if "FAIL" in line and "unique_combination" in line]
    assert len(failures) == 1, result.stdout[-3000:]
    assert "FAIL 2 " in failures[0]
    # ('gcp', 'us-east-1') is a combination of its own; ('oci', null) occurs twice
    assert _compiled_rows(target, warehouse, "unique_combination_of_columns_*.sql") == [
        ("aws", "us-east-1", 2),
        ("oci", None, 2),
    ]
