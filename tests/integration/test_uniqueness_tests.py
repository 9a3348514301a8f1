"""The uniqueness tests (dbt's `unique`, the project's unique_combination_of_columns in tests/generic/) must report
every repeated key with its count: nulls left out by `unique`, grouped like any value by the combination test, and
nothing where keys are distinct."""

from __future__ import annotations

from pathlib import Path

from tests.integration.dbt_build import run_tests_on_added_rows


def test_a_repeated_id_fails_unique_with_its_count_and_null_ids_do_not(tmp_path: Path) -> None:
    tested = run_tests_on_added_rows(
        "cost_centers",
        "stg_reference__cost_centers",
        """
        insert into reference.cost_centers (cost_center_id, cost_center_name, owner_type)
        values ('CC-1100', 'again', 'department'), ('CC-1100', 'and again', 'department'),
               ('CC-1200', 'twice', 'department'),
               (null, 'no id', 'department'), (null, 'no id either', 'department')
        """,
        tmp_path,
    )

    failures = tested.failures(" unique_")
    assert len(failures) == 1, tested.result.stdout[-3000:]
    assert "FAIL 2 " in failures[0]  # two ids repeated; the two null ids are not duplicates
    assert tested.failing_rows("unique_stg_reference__cost_centers_cost_center_id*.sql") == [
        ("CC-1100", 3),
        ("CC-1200", 2),
    ]


def test_a_repeated_combination_fails_with_its_count_nulls_grouped_like_values(tmp_path: Path) -> None:
    tested = run_tests_on_added_rows(
        "region_mappings",
        "stg_reference__region_mappings",
        """
        insert into reference.region_mappings (provider, provider_region, region_id, region_name)
        values ('aws', 'us-east-1', 'us-east-1', 'again'), ('gcp', 'us-east-1', 'us-east-1', 'other provider'),
               ('oci', null, 'x', 'no region'), ('oci', null, 'y', 'no region either')
        """,
        tmp_path,
    )

    failures = tested.failures("unique_combination")
    assert len(failures) == 1, tested.result.stdout[-3000:]
    assert "FAIL 2 " in failures[0]
    # ('gcp', 'us-east-1') is a combination of its own; ('oci', null) occurs twice
    assert tested.failing_rows("unique_combination_of_columns_*.sql") == [("aws", "us-east-1", 2), ("oci", None, 2)]
