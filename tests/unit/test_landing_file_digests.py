"""A close does not read every delivered file again: a landing file's sha256 is kept while the file is unchanged,
and any change to it, even one that restores its size and modification time, has it read again."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest import file_digests
from orchestration.ingest.landing import ingest_source

HEADER = "datacenter_id,billing_period_start,usage_start,usage_end,project,vm_name,cost,currency\n"


def meter_file(landing: Path, name: str, cost: str) -> Path:
    path = landing / "onprem" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    row = f"DC-LON1,2026-09-01,2026-09-02T00:00:00Z,2026-09-03T00:00:00Z,PRJ-001,vm-1,{cost},USD\n"
    path.write_text(HEADER + row, encoding="utf-8")
    return path


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose bytes were read for their sha256."""
    read: list[str] = []
    real = file_digests.sha256_of
    monkeypatch.setattr(file_digests, "sha256_of", lambda path: read.append(path.name) or real(path))
    return read


def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test count as settled: the ingest looks at them as if a minute later."""
    monkeypatch.setattr(file_digests, "_clock_ns", lambda: time.time_ns() + 60_000_000_000)


def raw_costs(con: duckdb.DuckDBPyConnection) -> list[Decimal]:
    return [row[0] for row in con.execute("select cast(cost as decimal(18, 2)) from raw.onprem order by 1").fetchall()]


def two_files_ingested(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, duckdb.DuckDBPyConnection]:
    """Two settled meter files, a.csv and b.csv, ingested into a fresh warehouse."""
    settled(monkeypatch)
    landing = tmp_path / "landing"
    meter_file(landing, "a.csv", "1.00")
    meter_file(landing, "b.csv", "2.00")
    con = duckdb.connect()
    ingest_source(con, "onprem", landing, tmp_path / "q")
    return landing, con


def test_an_unchanged_file_is_not_read_again_by_later_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hashed: list[str]
) -> None:
    landing, con = two_files_ingested(tmp_path, monkeypatch)
    assert sorted(hashed) == ["a.csv", "b.csv"]
    hashed.clear()

    again = ingest_source(con, "onprem", landing, tmp_path / "q")

    assert (hashed, again.outcomes) == ([], [])
    kept = con.execute("select path, sha256 from audit.landing_file_digests order by path").fetchall()
    recorded = con.execute("select path, sha256 from audit.ingested_files order by path").fetchall()
    assert kept == recorded and len(kept) == 2


def test_a_file_rewritten_in_place_with_its_size_and_time_restored_is_read_again_and_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hashed: list[str]
) -> None:
    settled(monkeypatch)
    landing = tmp_path / "landing"
    path = meter_file(landing, "a.csv", "1.00")
    con = duckdb.connect()
    ingest_source(con, "onprem", landing, tmp_path / "q")
    before = path.stat()
    time.sleep(0.05)  # a later write than the file system's clock tick

    meter_file(landing, "a.csv", "7.00")  # same length
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    hashed.clear()
    report = ingest_source(con, "onprem", landing, tmp_path / "q")

    assert hashed == ["a.csv"]
    assert [(o.path, o.status) for o in report.outcomes] == [("onprem/a.csv", "superseded"), ("onprem/a.csv", "loaded")]
    assert raw_costs(con) == [Decimal("7.00")]


def test_a_file_just_written_is_read_again_until_it_has_settled(tmp_path: Path, hashed: list[str]) -> None:
    landing = tmp_path / "landing"
    meter_file(landing, "a.csv", "1.00")
    con = duckdb.connect()
    ingest_source(con, "onprem", landing, tmp_path / "q")
    ingest_source(con, "onprem", landing, tmp_path / "q")
    assert hashed == ["a.csv", "a.csv"]
    assert con.execute("select count(*) from audit.landing_file_digests").fetchone() == (0,)


def test_the_digest_of_a_file_gone_from_the_landing_zone_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, con = two_files_ingested(tmp_path, monkeypatch)
    loaded = raw_costs(con)
    (landing / "onprem" / "a.csv").unlink()
    ingest_source(con, "onprem", landing, tmp_path / "q")
    assert con.execute("select path from audit.landing_file_digests").fetchall() == [("onprem/b.csv",)]
    assert raw_costs(con) == loaded == [Decimal("2.00")]  # what was loaded stays (b.csv re-delivered a.csv's month)


def test_a_file_of_another_month_is_read_once_then_left_pending_from_its_kept_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing October with September's files waiting beside it: the first close reads them to find their month,
    later closes of October do not (DuckDB probing a small Azure CSV's period column took ~0.3 s, twice)."""
    from datetime import date

    from orchestration.ingest import landing as landing_module

    settled(monkeypatch)
    landing = tmp_path / "landing"
    path = meter_file(landing, "september.csv", "1.00")
    parsed: list[str] = []
    real_parse = landing_module._SourceIngest.parse
    monkeypatch.setattr(
        landing_module._SourceIngest, "parse", lambda self, p: parsed.append(p.name) or real_parse(self, p)
    )
    con = duckdb.connect()
    october, september = date(2026, 10, 1), date(2026, 9, 1)

    first = ingest_source(con, "onprem", landing, tmp_path / "q", period=october)
    again = ingest_source(con, "onprem", landing, tmp_path / "q", period=october)

    assert parsed == ["september.csv"]
    assert (
        [(o.status, o.billing_period_start, o.billing_account_id) for o in again.outcomes]
        == [(o.status, o.billing_period_start, o.billing_account_id) for o in first.outcomes]
        == [("pending", september, "DC-LON1")]
    )
    # Its own month's close reads and loads it.
    loaded = ingest_source(con, "onprem", landing, tmp_path / "q", period=september)
    assert [(o.status, o.row_count) for o in loaded.outcomes] == [("loaded", 1)]
    assert raw_costs(con) == [Decimal("1.00")]
    # Other bytes under the same name are read again: the kept month was the old content's.
    parsed.clear()
    meter_file(landing, "september.csv", "3.00").touch()
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))
    ingest_source(con, "onprem", landing, tmp_path / "q", period=october)
    assert parsed == ["september.csv"]


def test_a_warehouse_kept_digests_before_months_were_kept_gains_the_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    settled(monkeypatch)
    landing = tmp_path / "landing"
    meter_file(landing, "september.csv", "1.00")
    con = duckdb.connect()
    con.execute("create schema audit")
    # the table as warehouses created before 2026-12-06 have it
    con.execute(
        "create table audit.landing_file_digests (path varchar not null, bytes bigint not null, modified_ns bigint "
        "not null, changed_ns bigint not null, inode bigint not null, device bigint not null, sha256 varchar not "
        "null, hashed_at timestamp not null)"
    )

    ingest_source(con, "onprem", landing, tmp_path / "q", period=date(2026, 10, 1))

    assert con.execute("select path, periods, billing_account_id from audit.landing_file_digests").fetchall() == [
        ("onprem/september.csv", "2026-09-01", "DC-LON1")
    ]
