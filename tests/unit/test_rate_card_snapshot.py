"""The operational store copied into the warehouse at a close: typed, exact, replaced whole, empty when nothing
was ever published, and mirrored to the Spark lake like the other raw tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.engines.lake import sync_lake
from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.ops.rate_card_seeds import RateCardSeeds
from orchestration.ops.rate_cards import approve, publish
from orchestration.ops.snapshot import snapshot_ops_store

RATE_CARDS = """\
rate_card_version,fiscal_year,valid_from,valid_to,it_service_id,billing_currency,rate_type,unit,unit_rate,description
RC-FY2026.1,2026,2026-01-01,2027-01-01,IT-COMPUTE,USD,cost_recovery,,1.000000,Recovered at cost
RC-FY2026.1,2026,2026-01-01,2027-01-01,IT-CONTAINERS,USD,unit_price,vCPU-hour,0.060000,Priced per vCPU-hour
RC-FY2027.1,2027,2027-01-01,2028-01-01,IT-COMPUTE,USD,cost_recovery,,1.000000,Recovered at cost
"""
BUNDLES = """\
rate_card_version,bundle_id,bundle_name,it_service_id,discount_percent
RC-FY2026.1,BND-PLATFORM,Platform bundle,IT-CONTAINERS,12.5
"""
APPROVED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
PUBLISHED_AT = datetime(2026, 12, 1, 11, 0, 5, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """RC-FY2026.1 approved by alice and published by bob; RC-FY2027.1 only approved."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "rate_cards.csv").write_text(RATE_CARDS, encoding="utf-8")
    (seeds / "rate_card_bundles.csv").write_text(BUNDLES, encoding="utf-8")
    loaded = RateCardSeeds.load(seeds)
    path = tmp_path / "ops" / "ops.sqlite"
    approve(path, loaded, "RC-FY2026.1", actor="alice", note="Q4 plan", clock=lambda: APPROVED_AT)
    publish(path, loaded, "RC-FY2026.1", actor="bob", clock=lambda: PUBLISHED_AT)
    approve(path, loaded, "RC-FY2027.1", actor="alice", clock=lambda: PUBLISHED_AT)
    return path


def test_published_rate_cards_arrive_typed_and_exact(store: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "billing.duckdb")) as con:
        report = snapshot_ops_store(store, con)
        assert report.summary() == (
            "ops store snapshot: 1 published rate card version(s) (RC-FY2026.1), 2 rate line(s), 1 bundle line(s), "
            "3 event(s); billing operations: 3 audit event(s), 0 dispute(s), 0 adjustment(s), 0 note(s), 0 payment(s) "
            f"from {store}"
        )
        assert con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'ops_published_rate_cards' order by ordinal_position"
        ).fetchall() == [
            ("rate_card_version", "VARCHAR"), ("fiscal_year", "INTEGER"), ("valid_from", "DATE"),
            ("valid_to", "DATE"), ("it_service_id", "VARCHAR"), ("billing_currency", "VARCHAR"),
            ("rate_type", "VARCHAR"), ("unit", "VARCHAR"), ("unit_rate", "DECIMAL(38,10)"), ("description", "VARCHAR"),
            ("published_event_id", "BIGINT"), ("published_at", "TIMESTAMP"), ("published_by", "VARCHAR"),
            ("approved_at", "TIMESTAMP"), ("approved_by", "VARCHAR"),
        ]  # fmt: skip
        # Only the published version charges; the empty unit of a cost-recovery line is null, as in a dbt seed.
        assert con.execute("select * from raw.ops_published_rate_cards order by it_service_id").fetchall() == [
            ("RC-FY2026.1", 2026, date(2026, 1, 1), date(2027, 1, 1), "IT-COMPUTE", "USD", "cost_recovery", None,
             Decimal("1.0000000000"), "Recovered at cost", 2, datetime(2026, 12, 1, 11, 0, 5), "bob",
             datetime(2026, 12, 1, 9, 30), "alice"),
            ("RC-FY2026.1", 2026, date(2026, 1, 1), date(2027, 1, 1), "IT-CONTAINERS", "USD", "unit_price",
             "vCPU-hour", Decimal("0.0600000000"), "Priced per vCPU-hour", 2, datetime(2026, 12, 1, 11, 0, 5), "bob",
             datetime(2026, 12, 1, 9, 30), "alice"),
        ]  # fmt: skip
        assert con.execute("select * from raw.ops_published_rate_card_bundles").fetchall() == [
            ("RC-FY2026.1", "BND-PLATFORM", "Platform bundle", "IT-CONTAINERS", Decimal("12.5000000000"), 2)
        ]
        events = con.execute(
            "select event_id, rate_card_version, action, actor, acted_at, note, length(content_sha256) "
            "from raw.ops_rate_card_events order by event_id"
        ).fetchall()
        assert events == [
            (1, "RC-FY2026.1", "approved", "alice", datetime(2026, 12, 1, 9, 30), "Q4 plan", 64),
            (2, "RC-FY2026.1", "published", "bob", datetime(2026, 12, 1, 11, 0, 5), None, 64),
            (3, "RC-FY2027.1", "approved", "alice", datetime(2026, 12, 1, 11, 0, 5), None, 64),
        ]
        assert con.execute(
            "select typeof(event_id), typeof(acted_at) from raw.ops_rate_card_events limit 1"
        ).fetchone() == (
            "BIGINT",
            "TIMESTAMP",
        )


def test_a_second_snapshot_replaces_the_first_instead_of_adding_to_it(store: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "billing.duckdb")) as con:
        snapshot_ops_store(store, con)
        snapshot_ops_store(store, con)
        counts = [
            con.execute(f"select count(*) from raw.{table}").fetchone()
            for table in ("ops_rate_card_events", "ops_published_rate_cards", "ops_published_rate_card_bundles")
        ]
    assert counts == [(3,), (2,), (1,)]


def test_without_an_ops_store_the_snapshot_tables_are_empty(store: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "billing.duckdb")) as con:
        snapshot_ops_store(store, con)
        missing = tmp_path / "fresh-install" / "ops.sqlite"
        report = snapshot_ops_store(missing, con)
        assert report.summary() == (
            f"ops store snapshot: no store at {missing} (nothing approved or published yet); raw.ops_* empty"
        )
        assert con.execute("select count(*) from raw.ops_published_rate_cards").fetchone() == (0,)
        assert con.execute("select count(*) from raw.ops_rate_card_events").fetchone() == (0,)
    assert not missing.exists()  # reading never creates the store


def test_a_fresh_warehouse_has_the_snapshot_tables_empty(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "billing.duckdb")) as con:
        ensure_warehouse(con)
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' and table_name like 'ops_%' "
            "order by table_name"
        ).fetchall()
        assert tables == [
            ("ops_adjustment_decisions",),
            ("ops_adjustment_notes",),
            ("ops_adjustments",),
            ("ops_audit_events",),
            ("ops_dispute_events",),
            ("ops_disputes",),
            ("ops_payments",),
            ("ops_published_rate_card_bundles",),
            ("ops_published_rate_cards",),
            ("ops_rate_card_events",),
            ("ops_snapshot",),
        ]
        assert con.execute("select count(*) from raw.ops_published_rate_cards").fetchone() == (0,)


def test_the_spark_lake_mirrors_the_snapshot_tables_whole(store: Path, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    with duckdb.connect(str(tmp_path / "billing.duckdb")) as con:
        ensure_warehouse(con)  # the provider raw tables, mirrored per billing period, are there too
        snapshot_ops_store(store, con)
        first = sync_lake(con, lake)
        second = sync_lake(con, lake)
    for table in ("ops_rate_card_events", "ops_published_rate_cards", "ops_published_rate_card_bundles"):
        assert str(lake / "raw" / table / "all") in first.written
    assert second.written == []
    with duckdb.connect() as reader:
        rows = reader.execute(
            f"select it_service_id, unit_rate from read_parquet('{lake}/raw/ops_published_rate_cards/**/*.parquet') "
            "order by all"
        ).fetchall()
    assert rows == [("IT-COMPUTE", Decimal("1.0000000000")), ("IT-CONTAINERS", Decimal("0.0600000000"))]
