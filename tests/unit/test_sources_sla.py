"""SLA metrics extract: strict parsing (one line naming file, row and fix) and loading with lineage."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.landing import ingest_source
from orchestration.sources import FORMATS, RAW_TABLE_COLUMNS, RejectedFile
from orchestration.sources.sla_metrics import EXTRACT_NAME as SLA_EXTRACT_NAME
from orchestration.sources.sla_metrics import REQUIRED_COLUMNS, parse

SAMPLE_ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "sla-metrics"
SAMPLE = SAMPLE_ROOT / "sla" / "opsmon" / "2026-10" / SLA_EXTRACT_NAME
HEADER = ",".join(REQUIRED_COLUMNS)
GOOD_ROW = "AVL-1,INITECH,IT-BACKUP,2026-10-01,2026-11-01,44640,262,opsmon"


def _extract(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / SLA_EXTRACT_NAME
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_parse_the_fixture() -> None:
    parsed = parse(SAMPLE)
    assert parsed.source == "sla"
    assert parsed.billing_period_start.isoformat() == "2026-10-01"
    assert parsed.billing_account_id == "opsmon"
    assert parsed.row_count == 3
    table = parsed.tables["sla_availability"].to_pylist()
    assert table[0]["measurement_id"] == "AVL-2026-10-INITECH-IT-BACKUP"
    assert table[0]["minutes_downtime_excluding_maintenance"] == "262"
    assert table[2]["period_start"] == "2026-10-01"  # a UTC timestamp at midnight is normalised to the date
    assert table[2]["period_end"] == "2026-11-01"
    assert [row["_source_row"] for row in table] == ["1", "2", "3"]


def test_registered_as_a_landing_zone_source() -> None:
    assert FORMATS["sla"].raw_tables == ("sla_availability",)
    assert FORMATS["sla"].parse is parse
    assert RAW_TABLE_COLUMNS["sla_availability"] == REQUIRED_COLUMNS


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "AVL-2,SIRIUS,IT-DATABASE,2026-10-01,2026-11-01,44640,forty,opsmon",
            "availability.csv row 2 (AVL-2), line 3: column minutes_downtime_excluding_maintenance is 'forty', "
            "not a whole number of minutes; write minutes_downtime_excluding_maintenance as digits and re-deliver "
            "the file",
        ),
        (
            "AVL-2,SIRIUS,IT-DATABASE,2026-10-01,2026-11-01,44640,44641,opsmon",
            "row 2 (AVL-2), line 3: minutes_downtime_excluding_maintenance is 44641, more than minutes_total 44640",
        ),
        (
            "AVL-2,SIRIUS,IT-DATABASE,2026-10-01,2026-11-01,44641,0,opsmon",
            "minutes_total is 44641, outside 1..44640 (the minutes of 2026-10)",
        ),
        ("AVL-2,SIRIUS,IT-DATABASE,2026-10-02,2026-11-01,44640,0,opsmon", "not the first day of a month"),
        ("AVL-2,SIRIUS,IT-DATABASE,2026-10-01,2026-12-01,44640,0,opsmon", "set period_end to 2026-11-01"),
        ("AVL-2,SIRIUS,,2026-10-01,2026-11-01,44640,0,opsmon", "column service_id is empty; fill in service_id"),
        ("AVL-2,SIRIUS,IT-DATABASE,10/2026,2026-11-01,44640,0,opsmon", "column period_start is '10/2026', not a date"),
        ("AVL-1,SIRIUS,IT-DATABASE,2026-10-01,2026-11-01,44640,0,opsmon", "measurement_id AVL-1 is already on row 1"),
        ("AVL-2,INITECH,IT-BACKUP,2026-10-01,2026-11-01,44640,0,opsmon", "INITECH IT-BACKUP is already measured"),
        ("AVL-2,SIRIUS,IT-DATABASE,2026-09-01,2026-10-01,43200,0,opsmon", "deliver one month per file"),
        ("AVL-2,SIRIUS,IT-DATABASE,2026-10-01,2026-11-01,44640,0,other", "deliver one monitoring system per file"),
    ],
)
def test_a_bad_row_is_refused_with_one_line(tmp_path: Path, row: str, message: str) -> None:
    path = _extract(tmp_path, GOOD_ROW, row)
    with pytest.raises(RejectedFile) as refused:
        parse(path)
    text = str(refused.value)
    assert "\n" not in text
    assert text.startswith("availability.csv row 2")
    assert message in text


def test_missing_column_and_empty_file_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="missing required column"):
        parse(_extract(tmp_path, GOOD_ROW.rsplit(",", 1)[0], header=HEADER.rsplit(",", 1)[0]))
    with pytest.raises(RejectedFile, match="no data rows"):
        parse(_extract(tmp_path))


def _land(landing: Path, source: Path, month: str = "2026-10") -> Path:
    target = landing / "sla" / "opsmon" / month / SLA_EXTRACT_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def test_ingest_appends_rows_with_file_row_and_sha256(tmp_path: Path) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    _land(landing, SAMPLE)
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = ingest_source(con, "sla", landing, quarantine)
    assert report.count("loaded") == 1 and report.rows_loaded == 3
    rows = con.execute(
        "select measurement_id, _source_file, _source_row, _file_sha256, _billing_period_start, _billing_account_id "
        "from raw.sla_availability order by cast(_source_row as integer)"
    ).fetchall()
    assert [r[0] for r in rows] == [
        "AVL-2026-10-INITECH-IT-BACKUP",
        "AVL-2026-10-SIRIUS-IT-DATABASE",
        "AVL-2026-10-UMBRELLA-IT-CONTAINERS",
    ]
    assert {r[1] for r in rows} == {"sla/opsmon/2026-10/availability.csv"}
    assert [r[2] for r in rows] == ["1", "2", "3"]
    assert len({r[3] for r in rows}) == 1 and len(rows[0][3]) == 64
    assert {(r[4], r[5]) for r in rows} == {("2026-10-01", "opsmon")}

    # the same bytes again load nothing; a corrected re-delivery of the month replaces the rows
    assert ingest_source(con, "sla", landing, quarantine).count("loaded") == 0
    corrected = _extract(tmp_path, GOOD_ROW)
    target = _land(landing, corrected)
    stat = target.stat()
    os.utime(target, (stat.st_atime + 10, stat.st_mtime + 10))
    redelivery = ingest_source(con, "sla", landing, quarantine)
    assert redelivery.count("loaded") == 1
    assert con.execute("select measurement_id from raw.sla_availability").fetchall() == [("AVL-1",)]


def test_ingest_quarantines_a_bad_file_with_the_reason(tmp_path: Path) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    _land(landing, _extract(tmp_path, GOOD_ROW.replace(",262,", ",x,")))
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    report = ingest_source(con, "sla", landing, quarantine)
    assert report.count("quarantined") == 1
    reason = (quarantine / "sla" / "opsmon" / "2026-10" / (SLA_EXTRACT_NAME + ".error.txt")).read_text()
    assert "availability.csv row 1 (AVL-1), line 2: column minutes_downtime_excluding_maintenance is 'x'" in reason
    assert con.execute("select count(*) from raw.sla_availability").fetchone() == (0,)


def test_demo_extract_is_deterministic_and_parses(tmp_path: Path) -> None:
    from orchestration.demo import sla_metrics as demo_sla
    from orchestration.demo.periods import DEMO_PERIODS

    first = [demo_sla.write_month(tmp_path / "a", period) for period in DEMO_PERIODS]
    second = [demo_sla.write_month(tmp_path / "b", period) for period in DEMO_PERIODS]
    assert [d.path.read_bytes() for d in first] == [d.path.read_bytes() for d in second]
    assert [d.path.relative_to(tmp_path / "a").as_posix() for d in first] == [
        "sla/opsmon/2026-08/availability.csv",
        "sla/opsmon/2026-09/availability.csv",
        "sla/opsmon/2026-10/availability.csv",
    ]
    october = parse(first[2].path).tables["sla_availability"].to_pylist()
    backup = next(r for r in october if r["client_id"] == "INITECH" and r["service_id"] == "IT-BACKUP")
    assert (backup["minutes_total"], backup["minutes_downtime_excluding_maintenance"]) == ("44640", "262")
    assert [parse(d.path).row_count for d in first] == [3, 4, 4]
