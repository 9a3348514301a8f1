"""Bench baselines (orchestration/bench/floor.py, pandas_peer.py) on a small scaled month."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.bench.floor import FOCUS_TABLE, run_engine_floor, totals_key
from orchestration.bench.pandas_peer import run_pandas_peer
from orchestration.demo import write_demo_landing_zone
from orchestration.demo.scale import ScaledFile, write_scaled_landing_zone
from orchestration.settings import REPO_ROOT

SEEDS = REPO_ROOT / "seeds"
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> list[ScaledFile]:
    manifest = write_scaled_landing_zone(tmp_path_factory.mktemp("landing"), rows=6_000, months=1)
    return [f for f in manifest.files if f.billing_period_start == manifest.periods[0]]


@pytest.fixture(scope="module")
def charges(month: list[ScaledFile]) -> int:
    """FOCUS charges of the month: every line but AWS SavingsPlanNegation."""
    con = duckdb.connect()
    (aws,) = con.execute(
        "select count(*) filter (where line_item_line_item_type <> 'SavingsPlanNegation') "
        "from read_parquet(?, hive_partitioning = false)",
        [str(next(f.path for f in month if f.source == "aws_cur"))],
    ).fetchone()
    return aws + sum(f.rows for f in month if f.source == "azure_cost")


def _cents(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    return {key: value.quantize(CENT) for key, value in totals.items()}


def test_floor_and_pandas_read_every_row_and_agree_to_the_cent(
    month: list[ScaledFile], charges: int, tmp_path: Path
) -> None:
    assert sum(f.rows for f in month) == 6_000
    floor = run_engine_floor(month, SEEDS, tmp_path / "floor", memory_limit="1GB", threads=2)
    peer = run_pandas_peer(month, SEEDS, tmp_path / "pandas", memory_limit_bytes=None)
    assert peer.completed, peer.detail
    assert floor.rows == peer.rows == charges
    assert floor.seconds > 0 and peer.seconds > 0 and peer.peak_rss_bytes > 10_000_000
    assert _cents(floor.cost_center_totals) == _cents(peer.cost_center_totals)
    assert {key.split("/")[1] for key in floor.cost_center_totals} == {"USD", "EUR"}
    assert totals_key("UNALLOCATED", "USD") in floor.cost_center_totals
    with duckdb.connect(str(tmp_path / "floor" / "engine_floor.duckdb"), read_only=True) as con:
        columns = {name: kind for name, kind, *_ in con.execute(f"describe {FOCUS_TABLE}").fetchall()}
    assert len(columns) >= 40
    for money in ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost"):
        assert columns[money] == "DECIMAL(38,10)"
    assert (tmp_path / "pandas" / "pandas_focus.parquet").stat().st_size > 0


def test_floor_totals_are_the_demo_ground_truth(month: list[ScaledFile], tmp_path: Path) -> None:
    """At least a template's rows a month, copies split amounts exactly: the floor allocates as the demo's truth."""
    period = month[0].billing_period_start.isoformat()
    demo = write_demo_landing_zone(tmp_path / "demo", include_restatement=False)
    truth: dict[str, Decimal] = defaultdict(Decimal)
    for (source, start, cost_center, currency), amount in demo.allocation_by_source.items():
        if start == period and source in ("aws_cur", "azure_cost"):
            truth[totals_key(cost_center, currency)] += amount
    floor = run_engine_floor(month, SEEDS, tmp_path / "floor")
    assert floor.cost_center_totals == dict(truth)


def test_pandas_peer_out_of_memory_is_reported_not_raised(month: list[ScaledFile], tmp_path: Path) -> None:
    peer = run_pandas_peer(month, SEEDS, tmp_path, memory_limit_bytes=50_000_000)
    assert not peer.completed
    assert peer.detail and peer.cost_center_totals == {} and peer.rows == 0
    assert peer.peak_rss_bytes > 0
