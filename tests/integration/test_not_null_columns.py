"""The project's not-null rule runs as one test per model (tests/generic/not_null_columns.sql): it must refuse
every null of every listed column, count null rows as dbt's own not_null did, and name the offending columns."""

from __future__ import annotations

from pathlib import Path

import duckdb

from tests.integration.dbt_build import dbt_build, run_dbt


def test_a_null_in_any_listed_column_fails_the_model_test_with_the_null_rows_per_column(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    dbt_build(warehouse, "cost_centers stg_reference__cost_centers", tmp_path)  # the seed as delivered passes
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            insert into reference.cost_centers (cost_center_id, cost_center_name, owner_type)
            values (null, 'no id', 'department'), ('CC-NO-OWNER', 'no owner', null), (null, 'neither', null)
            """
        )

    target = tmp_path / "test-target"
    result = run_dbt(["test", "--select", "stg_reference__cost_centers"], warehouse, target, tmp_path / "test-logs")

    assert result.returncode == 1, result.stdout[-3000:]
    failures = [line for line in result.stdout.splitlines() if "FAIL" in line and "not_null_columns" in line]
    assert len(failures) == 1, result.stdout[-3000:]
    assert "FAIL 4 " in failures[0]  # null rows, summed over the columns: 2 without an id, 2 without an owner

    # dbt shortens the test's file name to a hash; only the selected model's tests were compiled.
    [compiled_file] = (target / "compiled").rglob("not_null_columns_*.sql")
    compiled = compiled_file.read_text()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        per_column = con.execute(f"select * from ({compiled}) order by column_name").fetchall()
    assert per_column == [("cost_center_id", 2), ("owner_type", 2)]
