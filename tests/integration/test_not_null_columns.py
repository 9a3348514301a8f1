"""The project's not-null rule runs as one test per model (tests/generic/not_null_columns.sql): it must refuse
every null of every listed column, count null rows as dbt's own not_null did, and name the offending columns."""

from __future__ import annotations

from pathlib import Path

from tests.integration.dbt_build import run_tests_on_added_rows


def test_a_null_in_any_listed_column_fails_the_model_test_with_the_null_rows_per_column(tmp_path: Path) -> None:
    tested = run_tests_on_added_rows(
        "cost_centers",
        "stg_reference__cost_centers",
        """
        insert into reference.cost_centers (cost_center_id, cost_center_name, owner_type)
        values (null, 'no id', 'department'), ('CC-NO-OWNER', 'no owner', null), (null, 'neither', null)
        """,
        tmp_path,
    )

    assert tested.result.returncode == 1, tested.result.stdout[-3000:]
    failures = tested.failures("not_null_columns")
    assert len(failures) == 1, tested.result.stdout[-3000:]
    assert "FAIL 4 " in failures[0]  # null rows, summed over the columns: 2 without an id, 2 without an owner
    assert tested.failing_rows("not_null_columns_*.sql") == [("cost_center_id", 2), ("owner_type", 2)]
