"""Rule changes after a close: a future-dated rule changes no past period, a back-dated one is reported as a
restatement against the frozen closed totals instead of silently rewriting the month."""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.cli import _print_restatements
from orchestration.reporting import summarize_period, write_restatement_report
from tests.integration.conftest import DEMO_PERIODS, ClosedDemo, use_data_dir

OCTOBER = date(2026, 10, 1)
DEVTOOLS_TARGETS = {"CC-2100", "CC-2200", "CC-2300", "CC-3100", "CC-3200"}

TOTALS_SQL = """
    select cast(billing_period_start as varchar), cost_center_id, billing_currency, sum(allocated_effective_cost)
    from marts.fct_cost_allocations group by all
"""


def _edit_rules(seeds: Path) -> None:
    """Identity becomes a fixed split from 2027 (future); developer tooling goes wholly to the data platform
    from 2026-10-01 (back-dated into a closed month)."""
    rules = (seeds / "allocation_rules.csv").read_text(encoding="utf-8").splitlines()
    rules = [
        line.replace("2026-01-01,,Identity", "2026-01-01,2027-01-01,Identity").replace(
            "2026-01-01,,Developer tooling", "2026-01-01,2026-10-01,Developer tooling"
        )
        for line in rules
    ]
    rules += [
        "AR-IDENTITY,2,1,CC-S100,fixed_percent,,,fixed_percent,2027-01-01,,Identity from 2027: fixed split",
        "AR-DEVTOOLS,2,3,CC-B100,fixed_percent,,,fixed_percent,2026-10-01,,Developer tooling: data platform only",
    ]
    (seeds / "allocation_rules.csv").write_text("\n".join(rules) + "\n", encoding="utf-8")
    with (seeds / "allocation_rule_targets.csv").open("a", encoding="utf-8") as targets:
        targets.write("AR-IDENTITY,2,CC-1100,,100\nAR-DEVTOOLS,2,CC-3200,,100\n")


@pytest.fixture(scope="module")
def reclosed(closed_demo: ClosedDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ClosedDemo, dict]]:
    """A copy of the closed demo whose October is closed again under the edited rules."""
    before = {row[:3]: row[3] for row in closed_demo.query(TOTALS_SQL)}
    copy = tmp_path_factory.mktemp("restated") / "data"
    shutil.copytree(closed_demo.settings.data_dir, copy, ignore=shutil.ignore_patterns("dagster"))
    seeds = tmp_path_factory.mktemp("seeds")
    shutil.copytree(Path(__file__).parents[2] / "seeds", seeds, dirs_exist_ok=True)
    _edit_rules(seeds)
    os.environ["BILLING_SEEDS_DIR"] = str(seeds)
    try:
        demo = ClosedDemo(use_data_dir(copy), closed_demo.manifest)
        assert demo.close(OCTOBER).success, demo.outcomes[OCTOBER].failures
        yield demo, before
    finally:
        os.environ.pop("BILLING_SEEDS_DIR", None)
        use_data_dir(closed_demo.settings.data_dir)


def test_a_future_dated_rule_changes_nothing_in_past_periods(reclosed: tuple[ClosedDemo, dict]) -> None:
    demo, before = reclosed
    after = {row[:3]: row[3] for row in demo.query(TOTALS_SQL)}
    for key, amount in before.items():
        if key[0] != "2026-10-01" or key[1] not in DEVTOOLS_TARGETS | {"CC-B100"}:
            assert after.get(key) == amount, key
    assert demo.query(
        "select count(*) from marts.fct_allocation_restatements where billing_period_start < ?", [OCTOBER]
    ) == [(0,)]


def test_a_back_dated_rule_is_reported_as_a_restatement_not_rewritten(
    reclosed: tuple[ClosedDemo, dict], closed_demo: ClosedDemo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo, before = reclosed
    # What version 1 gave each target in October, exactly: version 2 sends all of it to CC-3200.
    given = {
        (row[0], row[1]): row[2]
        for row in closed_demo.query(
            """
            select cost_center_id, billing_currency, sum(allocated_effective_cost) from marts.fct_cost_allocations
            where billing_period_start = ? and allocation_rule_id = 'AR-DEVTOOLS' group by all
            """,
            [OCTOBER],
        )
    }
    assert {center for center, _ in given} == DEVTOOLS_TARGETS
    expected = {key: -amount for key, amount in given.items() if key[0] != "CC-3200"}
    for currency in {currency for _, currency in given}:
        expected[("CC-3200", currency)] = sum(a for (c, cur), a in given.items() if cur == currency and c != "CC-3200")
    rows = demo.query(
        """
        select cost_center_id, billing_currency, closed_effective_cost, restated_effective_cost,
               effective_cost_difference, closed_by
        from marts.fct_allocation_restatements where billing_period_start = ?
        """,
        [OCTOBER],
    )
    assert {(r[0], r[1]): r[4] for r in rows} == expected
    for center, currency, closed, restated, difference, closed_by in rows:
        assert closed == before[("2026-10-01", center, currency)]
        assert restated == closed + difference
        assert closed_by == "pytest"
    # The closed totals themselves were not rewritten.
    assert demo.query("select * from audit.closed_allocations order by all") == closed_demo.query(
        "select * from audit.closed_allocations order by all"
    )
    assert {r[0] for r in demo.query("select distinct billing_period_start from audit.closed_allocations")} == set(
        DEMO_PERIODS
    )

    import duckdb

    with duckdb.connect(str(demo.settings.warehouse_path), read_only=True) as con:
        summary = summarize_period(con, OCTOBER)
    report = write_restatement_report(summary, tmp_path)
    with report.open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert {
        (line["cost_center_id"], line["billing_currency"]): Decimal(line["effective_cost_difference"]) for line in lines
    } == expected
    _print_restatements(summary, report)
    printed = capsys.readouterr().out
    assert "RESTATEMENT: 2026-10 was closed on" in printed
    assert f"allocated cost now differs for {len(expected)} cost center(s)" in printed
    assert str(report) in printed
