"""Ingest rules: duplicates are no-ops, re-deliveries supersede atomically, bad files are quarantined."""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest import landing
from orchestration.ingest.landing import ingest_source
from tests.unit.test_sources_gcp import RECORD

HEADER = "datacenter_id,billing_period_start,usage_start,usage_end,project,vm_name,cost,currency\n"


def meter_file(landing: Path, name: str, period: str, costs: list[str], *, mtime: int, dc: str = "DC-LON1") -> Path:
    path = landing / "onprem" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{dc},{period}-01,{period}-02T00:00:00Z,{period}-03T00:00:00Z,PRJ-00{i},vm-{i},{cost},USD\n"
        for i, cost in enumerate(costs, start=1)
    ]
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    yield con
    con.close()


def raw_total(con: duckdb.DuckDBPyConnection) -> Decimal:
    return con.execute("select coalesce(sum(cast(cost as decimal(38, 10))), 0) from raw.onprem").fetchone()[0]


def statuses(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute("select path, status from audit.ingested_files order by loaded_at, path").fetchall()


def test_same_file_twice_and_a_copy_load_once(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    original = meter_file(landing, "2026-09/meters.csv", "2026-09", ["10.10", "0.05"], mtime=1_000)
    first = ingest_source(warehouse, "onprem", landing, quarantine)
    second = ingest_source(warehouse, "onprem", landing, quarantine)
    copy = landing / "onprem" / "copy-of-meters.csv"
    copy.write_bytes(original.read_bytes())
    third = ingest_source(warehouse, "onprem", landing, quarantine)
    assert (first.count("loaded"), second.outcomes, third.count("duplicate")) == (1, [], 1)
    assert raw_total(warehouse) == Decimal("10.15")
    assert statuses(warehouse) == [
        ("onprem/2026-09/meters.csv", "loaded"),
        ("onprem/copy-of-meters.csv", "duplicate"),
    ]
    lineage = warehouse.execute(
        "select _source_file, _source_row, _billing_period_start, _billing_account_id from raw.onprem order by 2"
    ).fetchall()
    assert lineage == [
        ("onprem/2026-09/meters.csv", "1", "2026-09-01", "DC-LON1"),
        ("onprem/2026-09/meters.csv", "2", "2026-09-01", "DC-LON1"),
    ]


def test_redelivery_supersedes_the_previous_delivery(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    meter_file(landing, "2026-09/delivery-1/meters.csv", "2026-09", ["10.10", "0.05"], mtime=1_000)
    meter_file(landing, "2026-09/other-dc.csv", "2026-09", ["1.00"], mtime=1_000, dc="DC-FRA1")
    ingest_source(warehouse, "onprem", landing, quarantine)
    meter_file(landing, "2026-09/delivery-2/meters.csv", "2026-09", ["10.00", "0.05", "2.00"], mtime=2_000)
    report = ingest_source(warehouse, "onprem", landing, quarantine)
    assert report.count("loaded") == 1 and report.count("superseded") == 1
    # Only DC-LON1's delivery is replaced; DC-FRA1 (another billing account) is untouched.
    assert raw_total(warehouse) == Decimal("13.05")
    assert statuses(warehouse) == [
        ("onprem/2026-09/delivery-1/meters.csv", "superseded"),
        ("onprem/2026-09/other-dc.csv", "loaded"),
        ("onprem/2026-09/delivery-2/meters.csv", "loaded"),
    ]
    assert warehouse.execute(
        "select superseded_by from audit.ingested_files where status = 'superseded'"
    ).fetchone() == ("onprem/2026-09/delivery-2/meters.csv",)


def test_a_column_the_previous_delivery_did_not_have_is_kept_recorded_and_logged(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    meter_file(landing, "2026-09/delivery-1/meters.csv", "2026-09", ["10.10"], mtime=1_000)
    first: list[str] = []
    ingest_source(warehouse, "onprem", landing, quarantine, log=first.append)
    # the next delivery of the same datacenter brings a column the first one did not have
    drifted = landing / "onprem" / "2026-09" / "delivery-2" / "meters.csv"
    drifted.parent.mkdir(parents=True)
    drifted.write_text(
        HEADER.rstrip("\n") + ",power_kwh\n"
        "DC-LON1,2026-09-01,2026-09-02T00:00:00Z,2026-09-03T00:00:00Z,PRJ-001,vm-1,10.20,USD,41.5\n",
        encoding="utf-8",
    )
    os.utime(drifted, (2_000, 2_000))
    second: list[str] = []
    report = ingest_source(warehouse, "onprem", landing, quarantine, log=second.append)

    [loaded] = [o for o in report.outcomes if o.status == "loaded"]
    message = (
        "onprem/2026-09/delivery-2/meters.csv: new column(s) power_kwh not in the previous delivery "
        "onprem/2026-09/delivery-1/meters.csv; kept as text in raw.onprem and, where staging does not map them, "
        "in FOCUS x_UnmappedColumns"
    )
    assert (loaded.new_columns, loaded.detail) == (("power_kwh",), message)
    assert message in second
    assert not any("new column" in line for line in first)  # the source's first delivery: nothing to compare
    assert warehouse.execute("select power_kwh from raw.onprem").fetchall() == [("41.5",)]
    recorded = warehouse.execute(
        "select path, status, new_columns, delivered_columns from audit.ingested_files order by loaded_at"
    ).fetchall()
    columns = "datacenter_id,billing_period_start,usage_start,usage_end,project,vm_name,cost,currency"
    assert recorded == [
        ("onprem/2026-09/delivery-1/meters.csv", "superseded", None, columns),
        ("onprem/2026-09/delivery-2/meters.csv", "loaded", "power_kwh", columns + ",power_kwh"),
    ]

    # another datacenter's first delivery is compared with every earlier delivery of the source
    meter_file(landing, "2026-09/other-dc.csv", "2026-09", ["1.00"], mtime=3_000, dc="DC-FRA1")
    [other] = ingest_source(warehouse, "onprem", landing, quarantine).outcomes
    assert (other.status, other.new_columns) == ("loaded", ())


def test_bad_file_is_quarantined_and_nothing_stored_is_lost(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    meter_file(landing, "2026-08/meters.csv", "2026-08", ["5.00"], mtime=1_000)
    ingest_source(warehouse, "onprem", landing, quarantine)
    bad = landing / "onprem" / "2026-09" / "meters.csv"
    bad.parent.mkdir(parents=True)
    bad.write_text(HEADER + "DC-LON1,2026-09-01,not-a-date,2026-09-03T00:00:00Z,PRJ-001,vm-1,1.00,USD\n")
    meter_file(landing, "2026-09/other.csv", "2026-09", ["7.00"], mtime=3_000, dc="DC-FRA1")
    report = ingest_source(warehouse, "onprem", landing, quarantine)
    assert report.count("quarantined") == 1 and report.count("loaded") == 1
    assert raw_total(warehouse) == Decimal("12.00")
    assert not bad.exists()
    moved = quarantine / "onprem" / "2026-09" / "meters.csv"
    assert moved.exists()
    reason = (quarantine / "onprem" / "2026-09" / "meters.csv.error.txt").read_text()
    assert reason == "onprem/2026-09/meters.csv: row 1, column usage_start: 'not-a-date' is not a date or timestamp\n"
    assert ("onprem/2026-09/meters.csv", "quarantined") in statuses(warehouse)


def test_period_filter_leaves_other_months_pending(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    meter_file(landing, "a.csv", "2026-08", ["1.00"], mtime=1_000)
    meter_file(landing, "b.csv", "2026-09", ["2.00"], mtime=1_000)
    report = ingest_source(warehouse, "onprem", landing, quarantine, period=date(2026, 9, 1))
    assert report.count("loaded") == 1 and report.count("pending") == 1
    assert raw_total(warehouse) == Decimal("2.00")
    ingest_source(warehouse, "onprem", landing, quarantine, period=date(2026, 8, 1))
    assert raw_total(warehouse) == Decimal("3.00")


def test_failed_load_rolls_back_and_keeps_the_previous_delivery(tmp_path: Path, warehouse, monkeypatch) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    meter_file(landing, "d1.csv", "2026-09", ["4.00"], mtime=1_000)
    ingest_source(warehouse, "onprem", landing, quarantine)
    meter_file(landing, "d2.csv", "2026-09", ["9.00"], mtime=2_000)
    import orchestration.ingest.raw_load as raw_load_module

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(raw_load_module, "_with_lineage", broken)
    with pytest.raises(OSError, match="disk full"):
        ingest_source(warehouse, "onprem", landing, quarantine)
    assert raw_total(warehouse) == Decimal("4.00")
    assert statuses(warehouse) == [("onprem/d1.csv", "loaded")]


def _truncated_parquet(path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"bill_payer_account_id": ["111122223333"] * 100}), path)
    path.write_bytes(path.read_bytes()[:200])


@pytest.mark.parametrize(
    ("source", "name", "write", "reason"),
    [
        ("aws_cur", "cur.parquet", _truncated_parquet, "not a readable Parquet file (truncated or corrupt)"),
        (
            "onprem",
            "no-cost.csv",
            lambda p: p.write_text("datacenter_id,billing_period_start\nDC,2026-09-01\n"),
            "missing required column(s) usage_start, usage_end, project, cost, currency",
        ),
        ("onprem", "empty.csv", lambda p: p.write_bytes(b""), "empty file (0 bytes)"),
        (
            "gcp_billing",
            "export.jsonl",
            lambda p: p.write_text('{"billing_account_id": "X", "usage_start_time'),
            "line 1: not valid JSON",
        ),
    ],
)
def test_each_bad_file_kind_is_quarantined_with_its_reason(
    tmp_path: Path, warehouse, source: str, name: str, write, reason: str
) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    meter_file(landing, "good.csv", "2026-09", ["3.00"], mtime=1_000)
    bad = landing / source / "2026-09" / name
    bad.parent.mkdir(parents=True, exist_ok=True)
    write(bad)
    for each in ("onprem", source):
        ingest_source(warehouse, each, landing, quarantine)
    recorded = warehouse.execute(
        "select status, error from audit.ingested_files where path = ?", [f"{source}/2026-09/{name}"]
    ).fetchall()
    assert len(recorded) == 1 and recorded[0][0] == "quarantined"
    assert recorded[0][1].startswith(reason)
    assert (
        (quarantine / source / "2026-09" / (name + ".error.txt"))
        .read_text()
        .startswith(f"{source}/2026-09/{name}: {reason}")
    )
    assert raw_total(warehouse) == Decimal("3.00")


# --- deliveries spanning several billing periods (FOCUS) ---------------------------------------------------

FOCUS_HEADER = (
    "BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,"
    "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory\n"
)
SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)
FOCUS_SAMPLE = Path(__file__).parents[1] / "fixtures" / "third_party" / "FOCUS-Sample-Data" / "focus_sample.csv"


def focus_file(landing: Path, name: str, rows: list[tuple[date, str]], *, mtime: int, account: str = "A1") -> Path:
    """A FOCUS file with one charge per (period, billed cost)."""
    path = landing / "focus" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for period, cost in rows:
        end = date(period.year + period.month // 12, period.month % 12 + 1, 1)
        lines.append(f"{account},{period},{end},{period},{period.replace(day=2)},{cost},{cost},USD,Usage\n")
    path.write_text(FOCUS_HEADER + "".join(lines), encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def focus_raw(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(_billing_period_start, _source_file, _source_row, billedcost) of every raw.focus row."""
    return con.execute(
        "select _billing_period_start, _source_file, _source_row, billedcost from raw.focus order by all"
    ).fetchall()


def focus_audit(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        """
        select path, billing_period_start, status, row_count, file_periods, superseded_by
        from audit.ingested_files order by path, billing_period_start
        """
    ).fetchall()


def test_two_period_file_loads_each_period_with_file_lineage(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    focus_file(landing, "both.csv", [(OCT, "5"), (SEP, "1"), (OCT, "7")], mtime=1_000)
    report = ingest_source(warehouse, "focus", landing, quarantine)
    assert [(o.status, o.billing_period_start, o.row_count) for o in report.outcomes] == [
        ("loaded", SEP, 1),
        ("loaded", OCT, 2),
    ]
    assert focus_raw(warehouse) == [
        ("2026-09-01", "focus/both.csv", "2", "1"),
        ("2026-10-01", "focus/both.csv", "1", "5"),
        ("2026-10-01", "focus/both.csv", "3", "7"),
    ]
    spans = "2026-09-01,2026-10-01"
    assert focus_audit(warehouse) == [
        ("focus/both.csv", SEP, "loaded", 1, spans, None),
        ("focus/both.csv", OCT, "loaded", 2, spans, None),
    ]


def test_single_period_file_keeps_an_empty_file_periods(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    focus_file(landing, "sep.csv", [(SEP, "1"), (SEP, "2")], mtime=1_000)
    ingest_source(warehouse, "focus", landing, quarantine)
    assert focus_audit(warehouse) == [("focus/sep.csv", SEP, "loaded", 2, None, None)]


def test_redelivery_of_one_period_supersedes_only_that_periods_rows(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    focus_file(landing, "both.csv", [(SEP, "1"), (OCT, "5")], mtime=1_000)
    ingest_source(warehouse, "focus", landing, quarantine)
    focus_file(landing, "oct-v2.csv", [(OCT, "6")], mtime=2_000)
    report = ingest_source(warehouse, "focus", landing, quarantine)
    assert [(o.path, o.status, o.billing_period_start) for o in report.outcomes] == [
        ("focus/both.csv", "superseded", OCT),
        ("focus/oct-v2.csv", "loaded", OCT),
    ]
    assert focus_raw(warehouse) == [
        ("2026-09-01", "focus/both.csv", "1", "1"),
        ("2026-10-01", "focus/oct-v2.csv", "1", "6"),
    ]
    spans = "2026-09-01,2026-10-01"
    assert focus_audit(warehouse) == [
        ("focus/both.csv", SEP, "loaded", 1, spans, None),
        ("focus/both.csv", OCT, "superseded", 1, spans, "focus/oct-v2.csv"),
        ("focus/oct-v2.csv", OCT, "loaded", 1, None, None),
    ]
    # and a later two-period re-delivery replaces both periods, whoever delivered them
    focus_file(landing, "both-v2.csv", [(SEP, "2"), (OCT, "8")], mtime=3_000)
    ingest_source(warehouse, "focus", landing, quarantine)
    assert focus_raw(warehouse) == [
        ("2026-09-01", "focus/both-v2.csv", "1", "2"),
        ("2026-10-01", "focus/both-v2.csv", "2", "8"),
    ]


def test_period_filter_loads_one_period_and_leaves_the_file_pending(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    focus_file(landing, "both.csv", [(SEP, "1"), (OCT, "5")], mtime=1_000)
    first = ingest_source(warehouse, "focus", landing, quarantine, period=SEP)
    assert [(o.status, o.billing_period_start) for o in first.outcomes] == [("loaded", SEP), ("pending", OCT)]
    assert focus_raw(warehouse) == [("2026-09-01", "focus/both.csv", "1", "1")]
    again = ingest_source(warehouse, "focus", landing, quarantine, period=SEP)
    assert [(o.status, o.billing_period_start) for o in again.outcomes] == [("pending", OCT)]
    assert focus_raw(warehouse) == [("2026-09-01", "focus/both.csv", "1", "1")]
    second = ingest_source(warehouse, "focus", landing, quarantine, period=OCT)
    assert [(o.status, o.billing_period_start) for o in second.outcomes] == [("loaded", OCT)]
    assert ingest_source(warehouse, "focus", landing, quarantine).outcomes == []
    assert focus_raw(warehouse) == [
        ("2026-09-01", "focus/both.csv", "1", "1"),
        ("2026-10-01", "focus/both.csv", "2", "5"),
    ]
    assert [row[:3] for row in focus_audit(warehouse)] == [
        ("focus/both.csv", SEP, "loaded"),
        ("focus/both.csv", OCT, "loaded"),
    ]


def test_ingesting_a_multi_period_file_again_changes_nothing(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    original = focus_file(landing, "both.csv", [(SEP, "1"), (OCT, "5")], mtime=1_000)
    ingest_source(warehouse, "focus", landing, quarantine)
    raw, audit = focus_raw(warehouse), focus_audit(warehouse)
    assert ingest_source(warehouse, "focus", landing, quarantine).outcomes == []
    (landing / "focus" / "copy.csv").write_bytes(original.read_bytes())
    copy = ingest_source(warehouse, "focus", landing, quarantine)
    assert [o.status for o in copy.outcomes] == ["duplicate"]
    assert focus_raw(warehouse) == raw
    assert focus_audit(warehouse)[:2] == audit


def _sample_totals_by_period() -> dict[str, tuple[int, Decimal, Decimal]]:
    totals: dict[str, tuple[int, Decimal, Decimal]] = {}
    with FOCUS_SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            count, billed, effective = totals.get(row["BillingPeriodStart"][:10], (0, Decimal(0), Decimal(0)))
            totals[row["BillingPeriodStart"][:10]] = (
                count + 1,
                billed + Decimal(row["BilledCost"] or "0"),
                effective + Decimal(row["EffectiveCost"] or "0"),
            )
    return totals


def test_real_focus_sample_spanning_two_periods_loads_with_per_period_totals(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    target = landing / "focus" / "focus_sample.csv"
    target.parent.mkdir(parents=True)
    shutil.copyfile(FOCUS_SAMPLE, target)
    report = ingest_source(warehouse, "focus", landing, quarantine, period=date(2024, 10, 1))
    assert [(o.status, o.billing_period_start) for o in report.outcomes] == [
        ("loaded", date(2024, 10, 1)),
        ("pending", date(2024, 9, 1)),
    ]
    ingest_source(warehouse, "focus", landing, quarantine)
    expected = _sample_totals_by_period()
    assert set(expected) == {"2024-09-01", "2024-10-01"}
    loaded: dict[str, tuple[int, Decimal, Decimal]] = {}
    for period, billed, effective in warehouse.execute(
        "select _billing_period_start, billedcost, effectivecost from raw.focus"
    ).fetchall():
        count, b, e = loaded.get(period, (0, Decimal(0), Decimal(0)))
        loaded[period] = (count + 1, b + Decimal(billed or "0"), e + Decimal(effective or "0"))
    assert loaded == expected
    [(rows, distinct_rows)] = warehouse.execute(
        "select count(*), count(distinct cast(_source_row as integer)) from raw.focus"
    ).fetchall()
    assert rows == distinct_rows == 1000
    assert [row[1:4] for row in focus_audit(warehouse)] == [
        (date(2024, 9, 1), "loaded", expected["2024-09-01"][0]),
        (date(2024, 10, 1), "loaded", expected["2024-10-01"][0]),
    ]


def test_a_period_that_cannot_be_replaced_refuses_the_whole_file(tmp_path: Path, warehouse) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    both_accounts = landing / "focus" / "oct-a1-a2.csv"
    focus_file(landing, "oct-a1.csv", [(OCT, "5")], mtime=1_000)
    both_accounts.write_text(
        (landing / "focus" / "oct-a1.csv").read_text(encoding="utf-8")
        + f"A2,{OCT},2026-11-01,{OCT},2026-10-02,3,3,USD,Usage\n",
        encoding="utf-8",
    )
    (landing / "focus" / "oct-a1.csv").unlink()
    os.utime(both_accounts, (1_000, 1_000))
    ingest_source(warehouse, "focus", landing, quarantine)
    focus_file(landing, "both-a1.csv", [(SEP, "1"), (OCT, "6")], mtime=2_000)
    report = ingest_source(warehouse, "focus", landing, quarantine)
    assert [o.status for o in report.outcomes] == ["quarantined"]
    assert "not account(s) A2" in report.outcomes[0].detail
    assert {row[1] for row in focus_raw(warehouse)} == {"focus/oct-a1-a2.csv"}
    assert [row[:3] for row in focus_audit(warehouse)] == [
        ("focus/both-a1.csv", None, "quarantined"),
        ("focus/oct-a1-a2.csv", OCT, "loaded"),
    ]


def test_a_shard_replacing_its_sibling_shard_is_reported_not_silently_superseded(tmp_path: Path) -> None:
    # A BigQuery extract shards at 1 GB; the ingest takes each file for a delivery (docs/raw-layer.md), so the second
    # shard replaces the first. That loss is not silent: the superseded file's outcome and the log say what happened.
    folder = tmp_path / "landing" / "gcp_billing" / "2026-09"
    folder.mkdir(parents=True)
    (folder / "export-000000000000.jsonl").write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    (folder / "export-000000000001.jsonl").write_text(json.dumps({**RECORD, "cost": 7}) + "\n", encoding="utf-8")
    lines: list[str] = []
    con = duckdb.connect()

    report = ingest_source(con, "gcp_billing", tmp_path / "landing", tmp_path / "q", log=lines.append)

    superseded = [o for o in report.outcomes if o.status == "superseded"]
    assert [o.path for o in superseded] == ["gcp_billing/2026-09/export-000000000000.jsonl"]
    assert superseded[0].detail == (
        "export-000000000001.jsonl is named like another part of the same export: if they are parts of one delivery, "
        "only export-000000000001.jsonl's rows are now loaded — land a manifest listing the parts beside them, or "
        "the parts as one file (docs/raw-layer.md)"
    )
    assert any(
        line.startswith("gcp_billing/2026-09/export-000000000000.jsonl: superseded by") and "parts" in line
        for line in lines
    )
    assert con.execute("select cost from raw.gcp_billing").fetchall() == [("7",)]
    # A re-delivery in a folder of its own, or under a name of its own, is superseded without that warning.
    assert (
        landing.sibling_part_warning("aws_cur/a/cur2-00001.snappy.parquet", "aws_cur/b/cur2-00001.snappy.parquet") == ""
    )
    assert landing.sibling_part_warning("focus/2026-09/october.csv", "focus/2026-09/october-restated.csv") == ""
    assert landing.sibling_part_warning("azure_cost/run/part_0_0001.csv", "azure_cost/run/part_0_0002.csv") != ""
