"""Incremental closes (dbt_project/macros/incremental_by_period.sql): closing a month again rebuilds that month in
the row-level models and no other month; rows that vanish from the month vanish from the models; a model built by
other SQL than the release's is rebuilt for every month; a close tests its own month's rows once a release has tested
every month's, and every month's until then."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from orchestration.defs.transform.incremental import incremental_models
from orchestration.defs.transform.reference_data import reference_data
from orchestration.resources import dbt_project
from tests.integration.conftest import ClosedDemo, use_data_dir

OCTOBER = date(2026, 10, 1)
SEPTEMBER = date(2026, 9, 1)
# Each period-incremental model and its period column.
INCREMENTAL_TABLES = {
    "intermediate.int_charges_mapped_to_cost_centers": "billing_period_start",
    "intermediate.int_charges_allocated": "billing_period_start",
    "intermediate.int_chargeback_pieces_scoped": "billing_period_start",
    "marts.focus_cost_and_usage": "x_BillingPeriodStartDate",
    "marts.fct_chargeback_line_lineage": "billing_period_start",
    "intermediate.int_costs_summarized": "billing_period_start",
    "intermediate.int_allocation_drivers": "billing_period_start",
    "intermediate.int_allocation_shares": "billing_period_start",
    "intermediate.int_charges_consumed": "billing_period_start",
}
# A mart that only projects a period-incremental model is a view over it on DuckDB: it follows the model's periods.
PROJECTIONS = {"marts.fct_cost_allocations": "billing_period_start", "marts.fct_costs": "billing_period_start"}
PERIOD_TABLES = {**INCREMENTAL_TABLES, **PROJECTIONS}
# The payroll cost-center tag is mapped to Finance Systems from now on, for every month (valid from 2026-01-01).
REMAPPED = ("MAP-0002,tag,cost-center,CC-1200,CC-1200,", "MAP-0002,tag,cost-center,CC-1200,CC-1100,")


def _rows(demo: ClosedDemo, table: str, before: bool) -> list[tuple]:
    column = PERIOD_TABLES[table]
    return demo.query(f"select * from {table} where {column} {'<' if before else '='} ? order by all", [OCTOBER])


def _payroll_charges(demo: ClosedDemo, period: date) -> int:
    """Charges the payroll cost-center tag sends to payroll (the mapping the fixture changes)."""
    return demo.query(
        "select count(*) from intermediate.int_charges_mapped_to_cost_centers"
        " where billing_period_start = ? and allocation_rule_id = 'MAP-0002' and cost_center_id = 'CC-1200'",
        [period],
    )[0][0]


def test_every_period_incremental_model_is_known_here() -> None:
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    assert {f"{model.schema}.{model.name}" for model in incremental_models(manifest)} == set(INCREMENTAL_TABLES)


@pytest.fixture(scope="module")
def reclosed(closed_demo: ClosedDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ClosedDemo, dict]]:
    """A copy of the closed demo whose October on-premises meters were withdrawn and whose cost-center mapping
    changed for every month, closed again for October only. Yields it with the copy's rows from before."""
    copy = tmp_path_factory.mktemp("incremental") / "data"
    shutil.copytree(closed_demo.settings.data_dir, copy, ignore=shutil.ignore_patterns("dagster"))
    seeds = tmp_path_factory.mktemp("remapped-seeds")
    shutil.copytree(Path(__file__).parents[2] / "seeds", seeds, dirs_exist_ok=True)
    mappings = seeds / "cost_center_mappings.csv"
    text = mappings.read_text(encoding="utf-8")
    assert REMAPPED[0] in text
    mappings.write_text(text.replace(*REMAPPED), encoding="utf-8")
    os.environ["BILLING_SEEDS_DIR"] = str(seeds)
    try:
        demo = ClosedDemo(use_data_dir(copy), closed_demo.manifest)
        before = {table: (_rows(demo, table, True), _rows(demo, table, False)) for table in PERIOD_TABLES}
        import duckdb

        with duckdb.connect(str(demo.settings.warehouse_path)) as con:
            withdrawn = con.execute("delete from raw.onprem where _billing_period_start = ?", [OCTOBER]).fetchall()
        assert withdrawn[0][0] > 0
        assert demo.close(OCTOBER).success, demo.outcomes[OCTOBER].failures
        yield demo, before
    finally:
        os.environ.pop("BILLING_SEEDS_DIR", None)
        use_data_dir(closed_demo.settings.data_dir)


def test_reclosing_a_month_leaves_every_other_month_as_its_close_computed_it(
    reclosed: tuple[ClosedDemo, dict],
) -> None:
    demo, before = reclosed
    for table in PERIOD_TABLES:
        earlier, october = before[table]
        assert earlier, table
        assert october, table
        assert _rows(demo, table, True) == earlier, table
        assert _rows(demo, table, False) != october, table
    # The new mapping shows in October only: September keeps what its close mapped.
    assert _payroll_charges(demo, OCTOBER) == 0
    assert _payroll_charges(demo, date(2026, 9, 1)) > 0


def test_rows_withdrawn_from_the_month_leave_every_model(reclosed: tuple[ClosedDemo, dict]) -> None:
    demo, _ = reclosed
    assert demo.query(
        "select count(*) from marts.focus_cost_and_usage where x_BillingPeriodStartDate = ? and x_Source = 'onprem'",
        [OCTOBER],
    ) == [(0,)]
    october_charges = "select x_ChargeId from marts.focus_cost_and_usage where x_BillingPeriodStartDate = ?"
    for table, charge in (
        ("intermediate.int_charges_mapped_to_cost_centers", "charge_id"),
        ("intermediate.int_charges_allocated", "charge_id"),
        ("intermediate.int_chargeback_pieces_scoped", "charge_id"),
        ("marts.fct_cost_allocations", "charge_id"),
        ("marts.fct_chargeback_line_lineage", "charge_id"),
    ):
        column = PERIOD_TABLES[table]
        strays = demo.query(
            f"select count(*) from {table} where {column} = ? and {charge} not in ({october_charges})",
            [OCTOBER, OCTOBER],
        )
        assert strays == [(0,)], table
    # September still has its on-premises charges.
    assert demo.query(
        "select count(*) > 0 from marts.focus_cost_and_usage"
        " where x_BillingPeriodStartDate = ? and x_Source = 'onprem'",
        [date(2026, 9, 1)],
    ) == [(True,)]


def test_a_model_built_by_other_sql_is_rebuilt_for_every_month(reclosed: tuple[ClosedDemo, dict]) -> None:
    demo, _ = reclosed
    # As after a release that changed the models: the fingerprints on record are not the release's.
    state = demo.settings.dbt_dir / "duckdb-incremental-models.json"
    recorded = json.loads(state.read_text(encoding="utf-8"))
    assert set(recorded) == {f"model.billing.{table.split('.')[1]}" for table in INCREMENTAL_TABLES}
    state.write_text(json.dumps(dict.fromkeys(recorded, "built by an earlier release")), encoding="utf-8")
    assert demo.close(OCTOBER).success, demo.outcomes[OCTOBER].failures
    # Every month now follows the mapping in the seeds, not only the month closed.
    assert _payroll_charges(demo, date(2026, 8, 1)) == 0
    assert _payroll_charges(demo, date(2026, 9, 1)) == 0
    assert json.loads(state.read_text(encoding="utf-8")) != dict.fromkeys(recorded, "built by an earlier release")
    # A build of every month writes the months one after another, so closing one again deletes whole row groups
    # (billing.periods_in_order; mixed row groups would be rewritten whole at DuckDB's next checkpoint).
    for table, column in INCREMENTAL_TABLES.items():
        periods, out_of_order = demo.query(
            f"select count(distinct {column}), count(*) filter (where {column} < previous) from "
            f"(select {column}, lag({column}) over (order by rowid) as previous from {table})"
        )[0]
        assert periods == 3 and out_of_order == 0, table


def _nodes_run(demo: ClosedDemo, run_id: str) -> dict[str, str]:
    """Every node the close's first dbt step ran, with its status."""
    (target,) = demo.settings.dbt_dir.glob(f"billing_models-{run_id[:8]}-*")
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {result["unique_id"]: result["status"] for result in results}


def _reference_nodes_built(demo: ClosedDemo, run_id: str) -> dict[str, str]:
    """The seeds and reference staging models the close's first dbt step ran, with their status."""
    return {
        unique_id: status
        for unique_id, status in _nodes_run(demo, run_id).items()
        if unique_id.startswith("seed.") or unique_id.startswith("model.billing.stg_reference__")
    }


def test_a_close_after_the_first_keeps_unchanged_reference_data(closed_demo: ClosedDemo) -> None:
    # orchestration/defs/transform/reference_data.py: the first close loads every seed and builds the reference
    # models; the next ones, with the same seed files and SQL, run neither (nor the data tests on them).
    first, later = closed_demo.outcomes[date(2026, 8, 1)], closed_demo.outcomes[OCTOBER]
    built = _reference_nodes_built(closed_demo, first.run_id)
    assert "seed.billing.currencies" in built and "model.billing.stg_reference__contracts" in built
    assert set(built.values()) == {"success"}
    assert _reference_nodes_built(closed_demo, later.run_id) == {}
    # Everything else still runs, the tests that read reference data and the month's rows included (e.g. every
    # chargeback line's cost center is a known cost center; the lines carry all department cost).
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    reference = reference_data(manifest, closed_demo.settings.seeds_dir).unique_ids
    first_run, later_run = _nodes_run(closed_demo, first.run_id), _nodes_run(closed_demo, later.run_id)
    assert later_run.keys() == first_run.keys() - reference
    assert "test.billing.assert_chargeback_lines_carry_all_department_cost" in later_run
    assert any(
        unique_id.startswith("test.billing.relationships_fct_chargeback_lines_cost_center_id")
        for unique_id in later_run
    )
    # The record names the close that built what is kept.
    record = json.loads((closed_demo.settings.dbt_dir / "duckdb-reference-data.json").read_text(encoding="utf-8"))
    kept_from = _reference_nodes_built(closed_demo, record["built_by_run"])
    assert kept_from.keys() == built.keys() and set(kept_from.values()) == {"success"}


def test_a_reference_table_edited_by_hand_is_built_and_tested_again(reclosed: tuple[ClosedDemo, dict]) -> None:
    demo, _ = reclosed
    import duckdb

    with duckdb.connect(str(demo.settings.warehouse_path)) as con:
        con.execute("update reference.currencies set minor_units = 2 where currency_code = 'JPY'")
    outcome = demo.close(OCTOBER)
    assert outcome.success, outcome.failures
    assert _reference_nodes_built(demo, outcome.run_id).get("seed.billing.currencies") == "success"
    assert demo.query("select minor_units from reference.currencies where currency_code = 'JPY'") == [(0,)]
    # The yen invoice is still in whole yen.
    assert demo.query(
        "select count(*) from marts.fct_invoices where currency = 'JPY' and total <> round(total, 0)"
    ) == [(0,)]


@pytest.fixture
def september_delivered_twice(
    closed_demo: ClosedDemo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClosedDemo]:
    """A copy of the closed demo in which one September on-premises reading now stands twice in the raw layer, after
    September was closed: a defect only a test reading September can find."""
    copy = tmp_path_factory.mktemp("period-tests") / "data"
    shutil.copytree(closed_demo.settings.data_dir, copy, ignore=shutil.ignore_patterns("dagster"))
    try:
        demo = ClosedDemo(use_data_dir(copy), closed_demo.manifest)
        import duckdb

        with duckdb.connect(str(demo.settings.warehouse_path)) as con:
            con.execute(
                "insert into raw.onprem select * from raw.onprem where _billing_period_start = ? limit 1", [SEPTEMBER]
            )
        yield demo
    finally:
        use_data_dir(closed_demo.settings.data_dir)


def _failed_tests(demo: ClosedDemo, period: date) -> str:
    return " ".join(demo.outcomes[period].failures)


def test_a_release_tests_every_month_once_and_each_close_its_own_after(september_delivered_twice: ClosedDemo) -> None:
    demo = september_delivered_twice
    record = demo.settings.dbt_dir / "duckdb-period-tests.json"
    tested = json.loads(record.read_text(encoding="utf-8"))
    assert set(tested) == {"billing_models", "invoice_marts"}
    # Every month was tested by this release: October's close tests October's rows, which are sound.
    assert demo.close(OCTOBER).success, demo.outcomes[OCTOBER].failures
    # As after a release (the record names other SQL): the close tests every month and finds September's twin charge
    # (a failed test stops what is built on it: the union of every source's charges is not built, nor tested).
    earlier = dict.fromkeys(tested, "tested by an earlier release")
    record.write_text(json.dumps(earlier), encoding="utf-8")
    assert not demo.close(OCTOBER).success
    assert "unique_stg_onprem__meter_readings_charge_id" in _failed_tests(demo, OCTOBER)
    # Not forgotten: nothing was recorded, so the next close looks at every month again.
    assert json.loads(record.read_text(encoding="utf-8")) == earlier
    assert not demo.close(OCTOBER).success
    assert "unique_stg_onprem__meter_readings_charge_id" in _failed_tests(demo, OCTOBER)
    # Mended, the close passes over every month and records it.
    import duckdb

    with duckdb.connect(str(demo.settings.warehouse_path)) as con:
        con.execute(
            "delete from raw.onprem where rowid in (select max(rowid) from raw.onprem where _billing_period_start = ?"
            " group by _source_file, _source_row having count(*) > 1)",
            [SEPTEMBER],
        )
    assert demo.close(OCTOBER).success, demo.outcomes[OCTOBER].failures
    assert set(json.loads(record.read_text(encoding="utf-8")).values()) == set(tested.values())


def _compiled_test(demo: ClosedDemo, run_id: str, step: str, name: str) -> str:
    (target,) = demo.settings.dbt_dir.glob(f"{step}-{run_id[:8]}-*")
    (compiled,) = (target / "compiled").rglob(f"{name}.sql")
    return compiled.read_text(encoding="utf-8")


def test_the_first_close_tests_every_month_and_the_next_ones_their_own(closed_demo: ClosedDemo) -> None:
    # The first close builds every model for every month (nothing was built before) and tests every month; the next
    # ones, in both dbt steps, read only their own month's rows (a view's and an incremental table's tests alike).
    checks = {
        "billing_models": ("unique_fct_cost_allocations_allocation_id", "unique_int_charges_unioned_x_ChargeId"),
        "invoice_marts": ("unique_int_cost_allocations_serviced_allocation_id",),
    }
    for period, scoped in ((date(2026, 8, 1), False), (SEPTEMBER, True), (OCTOBER, True)):
        run_id = closed_demo.outcomes[period].run_id
        for step, names in checks.items():
            for name in names:
                sql = _compiled_test(closed_demo, run_id, step, name)
                assert (f"cast('{period:%Y-%m-%d}' as date)" in sql) is scoped, (period, step, name)
