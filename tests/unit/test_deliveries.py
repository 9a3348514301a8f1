"""An export delivered in parts with its manifest is loaded as one delivery: every part's rows, or none of them.

The parts are the demo's AWS CUR 2.0 month (orchestration/demo/aws_cur.py, real Data Exports column names and types)
cut into consecutive slices, written where AWS Data Exports writes them; the manifests have the fields AWS documents
for a Data Exports manifest (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-manifest.html) and, for the
legacy CUR, `reportKeys`. No provider manifest is among the public samples (../shared/data/external/SOURCES.md).
"""

from __future__ import annotations

import json
import logging
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from orchestration.defs.automation import affected_periods
from orchestration.demo import aws_cur as demo_aws
from orchestration.demo.periods import DEMO_PERIODS
from orchestration.ingest import deliveries
from orchestration.ingest.landing import ingest_source
from orchestration.ingest.waiting import waiting_for_period
from orchestration.sources import RejectedFile
from tests.unit.test_sources_gcp import RECORD

OCTOBER = DEMO_PERIODS[-1]
BUCKET = "s3://acme-billing-exports/cur"
EXPORT = "acme-cur2"


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's October as AWS delivers a one-file month."""
    return demo_aws.write_month(tmp_path_factory.mktemp("whole"), 2026, OCTOBER).path


def _folder(landing: Path, kind: str) -> Path:
    return landing / "aws_cur" / EXPORT / kind / f"BILLING_PERIOD={OCTOBER.start:%Y-%m}"


def write_parts(
    landing: Path, month: Path, parts: int, *, mtime: int, scale: int | None = None, folder: Path | None = None
) -> list[Path]:
    """The month's rows cut into `parts` files named as Data Exports names them (in `folder`, else where Data Exports
    writes them); with `scale`, every cost times it (a restated delivery)."""
    table = pq.read_table(month)
    if scale is not None:
        column = table.schema.get_field_index("line_item_unblended_cost")
        scaled = pc.multiply(table.column(column), pa.scalar(scale, table.schema.field(column).type))
        table = table.set_column(column, "line_item_unblended_cost", scaled)
    folder = folder or _folder(landing, "data")
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-table.num_rows // parts)
    written = []
    for number in range(parts):
        path = folder / f"{EXPORT}-{number + 1:05d}.snappy.parquet"
        pq.write_table(table.slice(number * size, size), path)
        os.utime(path, (mtime, mtime))
        written.append(path)
    return written


def write_manifest(landing: Path, names: list[str], *, mtime: int, key: str = "dataFiles") -> Path:
    path = _folder(landing, "metadata") / f"{EXPORT}-Manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = f"{EXPORT}/data/BILLING_PERIOD={OCTOBER.start:%Y-%m}"
    listed = [f"{BUCKET}/{data}/{name}" if key == "dataFiles" else f"cur/{data}/{name}" for name in names]
    document = {
        "executionId": f"{mtime:08x}-0000-4000-8000-000000000000",
        "exportArn": f"arn:aws:bcm-data-exports:us-east-1:123456789012:export/{EXPORT}-0a1b2c3d",
        "columns": [{"name": "line_item_unblended_cost", "type": "double"}],
        key: listed,
    }
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def land_earlier_delivery(landing: Path, month: Path) -> Path:
    """The month landed before as one file: the delivery the parts' delivery replaces."""
    earlier = landing / "aws_cur" / "earlier" / month.name
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(month.read_bytes())
    os.utime(earlier, (500, 500))
    return earlier


def part_names(count: int) -> list[str]:
    return [f"{EXPORT}-{n:05d}.snappy.parquet" for n in range(1, count + 1)]


def raw_total(con: duckdb.DuckDBPyConnection) -> tuple[int, Decimal]:
    return con.execute(
        "select count(*), coalesce(sum(cast(line_item_unblended_cost as decimal(38, 10))), 0) from raw.aws_cur"
    ).fetchone()


@pytest.fixture(scope="module")
def whole(month: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Decimal]:
    """Rows and cost of the month landed as one file: what its parts together must give."""
    landing = tmp_path_factory.mktemp("one-file") / "landing"
    target = landing / "aws_cur" / month.name
    target.parent.mkdir(parents=True)
    target.write_bytes(month.read_bytes())
    con = duckdb.connect()
    ingest_source(con, "aws_cur", landing, landing.parent / "quarantine")
    return raw_total(con)


def test_the_files_a_manifest_lists_are_loaded_together_as_one_delivery(
    tmp_path: Path, month: Path, whole: tuple[int, Decimal]
) -> None:
    landing = tmp_path / "landing"
    parts = write_parts(landing, month, 3, mtime=1_000)
    manifest = write_manifest(landing, part_names(3), mtime=1_001)
    con = duckdb.connect()

    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")

    assert raw_total(con) == whole and whole[0] > 1000
    relative = manifest.relative_to(landing).as_posix()
    assert [(o.status, o.path, o.detail) for o in report.outcomes] == [
        ("loaded", part.relative_to(landing).as_posix(), f"part {n} of 3 of the delivery of {relative}")
        for n, part in enumerate(parts, start=1)
    ]
    assert sum(o.row_count for o in report.outcomes) == whole[0]
    audit = con.execute(
        "select path, status, delivery, billing_period_start from audit.ingested_files order by path"
    ).fetchall()
    assert audit == [(p.relative_to(landing).as_posix(), "loaded", relative, OCTOBER.start) for p in parts]
    # Read again, nothing changes.
    assert ingest_source(con, "aws_cur", landing, tmp_path / "quarantine").outcomes == []
    assert raw_total(con) == whole


def test_without_their_manifest_the_parts_replace_one_another(tmp_path: Path, month: Path, whole) -> None:
    """What the manifest prevents: parts landed alone are three deliveries of one month, the last one kept."""
    landing = tmp_path / "landing"
    write_parts(landing, month, 3, mtime=1_000)
    con = duckdb.connect()
    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")
    assert report.count("superseded") == 2
    assert raw_total(con)[0] < whole[0] / 2


def test_parts_loaded_alone_before_their_manifest_came_are_replaced_by_the_whole_delivery(
    tmp_path: Path, month: Path, whole
) -> None:
    landing = tmp_path / "landing"
    write_parts(landing, month, 3, mtime=1_000)
    con = duckdb.connect()
    ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")
    write_manifest(landing, part_names(3), mtime=1_001)

    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")

    assert raw_total(con) == whole
    assert (report.count("loaded"), report.count("superseded")) == (3, 1)
    assert con.execute(
        "select count(*) from audit.ingested_files where status = 'loaded' and delivery is not null"
    ).fetchone() == (3,)


def test_a_delivery_waits_until_every_file_it_lists_has_landed(tmp_path: Path, month: Path, whole) -> None:
    landing = tmp_path / "landing"
    earlier = land_earlier_delivery(landing, month)
    parts = write_parts(landing, month, 3, mtime=1_000, scale=2)
    third = parts[2].read_bytes()
    parts[2].unlink()
    manifest = write_manifest(landing, part_names(3), mtime=1_001)
    con = duckdb.connect()

    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")

    # The earlier one-file delivery stays whole; neither landed part is loaded on its own.
    assert raw_total(con) == whole
    waiting = [o for o in report.outcomes if o.status == "pending"]
    assert [(o.path, o.detail) for o in waiting] == [
        (
            manifest.relative_to(landing).as_posix(),
            f"waiting for 1 of the 3 files it lists ({BUCKET}/{EXPORT}/data/BILLING_PERIOD=2026-10/"
            f"{EXPORT}-00003.snappy.parquet); none of its files is loaded until all have landed",
        )
    ]
    parts[2].write_bytes(third)
    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")
    assert raw_total(con) == (whole[0], whole[1] * 2)
    assert [(o.status, o.path) for o in report.outcomes if o.status == "superseded"] == [
        ("superseded", earlier.relative_to(landing).as_posix())
    ]


def test_a_bad_file_refuses_the_whole_delivery_and_keeps_the_previous_one(tmp_path: Path, month: Path, whole) -> None:
    landing = tmp_path / "landing"
    write_parts(landing, month, 2, mtime=1_000)
    write_manifest(landing, part_names(2), mtime=1_001)
    con = duckdb.connect()
    ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")
    # The export runs again: three new parts and a new manifest; the second part arrives truncated.
    parts = write_parts(landing, month, 3, mtime=2_000, scale=3)
    parts[1].write_bytes(parts[1].read_bytes()[:200])
    write_manifest(landing, part_names(3), mtime=2_001)

    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")

    assert raw_total(con) == whole
    refused = [o for o in report.outcomes if o.status == "quarantined"]
    assert len(refused) == 4  # the three parts and the manifest
    assert {o.detail.split(": ", 2)[:2][1] for o in refused} == {parts[1].relative_to(landing).as_posix()}
    assert refused[0].detail.startswith(
        f"the delivery of aws_cur/{EXPORT}/metadata/BILLING_PERIOD=2026-10/{EXPORT}-Manifest.json (3 files) is refused "
        f"whole: {parts[1].relative_to(landing).as_posix()}: "
    )
    assert not any(p.exists() for p in parts)
    assert (tmp_path / "quarantine" / parts[0].relative_to(landing)).exists()


def test_a_close_of_another_month_leaves_the_delivery_pending(tmp_path: Path, month: Path) -> None:
    landing = tmp_path / "landing"
    write_parts(landing, month, 2, mtime=1_000)
    manifest = write_manifest(landing, part_names(2), mtime=1_001)
    con = duckdb.connect()
    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=DEMO_PERIODS[0].start)
    assert [(o.status, o.path, o.billing_period_start) for o in report.outcomes] == [
        ("pending", manifest.relative_to(landing).as_posix(), OCTOBER.start)
    ]
    assert raw_total(con) == (0, 0)


def test_a_legacy_cur_manifests_report_keys_name_the_parts(tmp_path: Path, month: Path, whole) -> None:
    landing = tmp_path / "landing"
    write_parts(landing, month, 2, mtime=1_000)
    write_manifest(landing, part_names(2), mtime=1_001, key="reportKeys")
    con = duckdb.connect()
    ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")
    assert raw_total(con) == whole


LEGACY_MONTH = f"{OCTOBER.start:%Y%m%d}-{OCTOBER.end:%Y%m%d}"


def write_legacy_manifest(folder: Path, assembly: str, names: list[str], *, mtime: int) -> Path:
    """A legacy CUR manifest (`reportKeys` without the bucket, `billingPeriod`, `assemblyId`), in `folder`: the
    month's folder (the month's manifest, rewritten for each assembly) or an assembly's folder (its own)."""
    document = {
        "assemblyId": assembly,
        "bucket": "acme-billing-exports",
        "reportName": EXPORT,
        "billingPeriod": {"start": f"{OCTOBER.start:%Y%m%d}T000000.000Z", "end": f"{OCTOBER.end:%Y%m%d}T000000.000Z"},
        "reportKeys": [f"cur/{EXPORT}/{LEGACY_MONTH}/{assembly}/{name}" for name in names],
    }
    path = folder / f"{EXPORT}-Manifest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def test_a_later_complete_delivery_overtakes_an_earlier_one_still_waiting(tmp_path: Path, month: Path, whole) -> None:
    """A legacy CUR bucket synced as it is: the month's folder holds a folder per assembly, each with its parts and
    manifest, and the month's manifest naming the latest assembly. An earlier assembly whose last part never came
    (an interrupted sync) neither holds the month nor, when that part lands at last, replaces the later one."""
    landing = tmp_path / "landing"
    month_folder = landing / "aws_cur" / "cur" / EXPORT / LEGACY_MONTH
    first = write_parts(landing, month, 3, mtime=1_000, folder=month_folder / "assembly-1")
    third = first[2].read_bytes()
    first[2].unlink()
    earlier = write_legacy_manifest(month_folder / "assembly-1", "assembly-1", part_names(3), mtime=1_001)
    write_parts(landing, month, 2, mtime=2_000, scale=3, folder=month_folder / "assembly-2")
    later = write_legacy_manifest(month_folder / "assembly-2", "assembly-2", part_names(2), mtime=2_001)
    # written after the assembly's own, the month's manifest is the later of the two
    months_manifest = write_legacy_manifest(month_folder, "assembly-2", part_names(2), mtime=2_002)
    con = duckdb.connect()

    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)

    assert raw_total(con) == (whole[0], whole[1] * 3)
    # The later assembly's two parts are loaded once, under the month's manifest.
    assert con.execute(
        "select status, count(*), min(delivery) from audit.ingested_files group by status"
    ).fetchall() == [("loaded", 2, months_manifest.relative_to(landing).as_posix())]
    relative = {path: path.relative_to(landing).as_posix() for path in (earlier, later, months_manifest)}
    assert sorted((o.status, o.path, o.detail) for o in report.outcomes if o.status == "overtaken") == [
        (
            "overtaken",
            relative[earlier],
            f"an earlier delivery of the export than {relative[months_manifest]}, which replaces it for 2026-10: not "
            "loaded nor waited for",
        ),
        (
            "overtaken",
            relative[later],
            f"an earlier delivery of the export than {relative[months_manifest]}, which replaces it for 2026-10: not "
            "loaded",
        ),
    ]
    assert report.waiting == [] and waiting_for_period(con, OCTOBER.start) == []

    # The earlier assembly's last part lands at last: no close is requested for it and it replaces nothing.
    first[2].write_bytes(third)
    os.utime(first[2], (3_000, 3_000))
    assert affected_periods([("aws_cur", first[2])], landing) == (set(), [], [])
    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)
    assert raw_total(con) == (whole[0], whole[1] * 3)
    assert report.count("loaded") == 0 and report.count("overtaken") == 2


def test_a_manifest_listing_the_files_another_manifest_loaded_loads_nothing_again(
    tmp_path: Path, month: Path, whole
) -> None:
    """An assembly's manifest synced before the month's manifest naming the same assembly: the same files, with the
    same bytes, are not loaded a second time (a month of a big CUR would be written twice)."""
    landing = tmp_path / "landing"
    month_folder = landing / "aws_cur" / "cur" / EXPORT / LEGACY_MONTH
    write_parts(landing, month, 2, mtime=1_000, folder=month_folder / "assembly-1")
    assembly = write_legacy_manifest(month_folder / "assembly-1", "assembly-1", part_names(2), mtime=1_001)
    con = duckdb.connect()
    ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)
    audit = "select path, sha256, status, delivery, loaded_at from audit.ingested_files order by path"
    before = con.execute(audit).fetchall()

    months_manifest = write_legacy_manifest(month_folder, "assembly-1", part_names(2), mtime=1_002)
    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)

    assert raw_total(con) == whole
    assert con.execute(audit).fetchall() == before
    relative = months_manifest.relative_to(landing).as_posix()
    assert [(o.status, o.path, o.detail) for o in report.outcomes] == [
        (
            "overtaken",
            assembly.relative_to(landing).as_posix(),
            f"an earlier delivery of the export than {relative}, which replaces it for 2026-10: not loaded",
        ),
        (
            "duplicate",
            relative,
            f"lists the same files, with the same bytes, as the delivery of {assembly.relative_to(landing).as_posix()}"
            ", loaded already",
        ),
    ]
    # Restated parts under the month's manifest are a delivery of their own again.
    write_parts(landing, month, 2, mtime=1_003, scale=2, folder=month_folder / "assembly-1")
    ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)
    assert raw_total(con) == (whole[0], whole[1] * 2)


def test_only_a_later_complete_delivery_of_the_same_export_and_month_overtakes() -> None:
    month_folder = "/l/aws_cur/cur/acme/20261001-20261101"

    def delivery(
        manifest: str, *, complete: bool = True, issuer: str | None = "bucket/acme", month: int | None = 10
    ) -> deliveries.Delivery:
        listed = ("acme-00001.snappy.parquet", "acme-00002.snappy.parquet")
        found = tuple((name, Path(manifest).parent / name) for name in listed[: 2 if complete else 1])
        return deliveries.Delivery(Path(manifest), listed, found, date(2026, month, 1) if month else None, issuer)

    earlier = delivery(f"{month_folder}/assembly-1/acme-Manifest.json")
    later = f"{month_folder}/assembly-2/acme-Manifest.json"
    cases = {
        "the same export and month": delivery(later),
        "the same, one manifest naming no export": delivery(later, issuer=None),
        "the month's own manifest": delivery(f"{month_folder}/acme-Manifest.json"),
        "a later one still waiting": delivery(later, complete=False),
        "another export": delivery(later, issuer="bucket/other"),
        "another month": delivery(later, month=9),
        "another folder above the month's": delivery(later.replace("/acme/", "/other/")),
        "another manifest name": delivery(later.replace("acme-Manifest", "other-Manifest")),
    }
    assert {
        case: deliveries.overtaken({earlier.manifest: earlier, latter.manifest: latter})
        for case, latter in cases.items()
    } == {
        "the same export and month": {earlier.manifest: Path(later)},
        "the same, one manifest naming no export": {earlier.manifest: Path(later)},
        "the month's own manifest": {earlier.manifest: Path(f"{month_folder}/acme-Manifest.json")},
        "a later one still waiting": {},
        "another export": {},
        "another month": {},
        "another folder above the month's": {},
        "another manifest name": {},
    }
    no_month = delivery(earlier.manifest.as_posix(), month=None)
    assert deliveries.overtaken({no_month.manifest: no_month, Path(later): delivery(later, month=None)}) == {}


def test_a_manifest_that_cannot_be_read_is_quarantined_with_the_reason(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    manifest = _folder(landing, "metadata") / f"{EXPORT}-Manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text('{"executionId": "x", "columns": []}', encoding="utf-8")
    con = duckdb.connect()
    report = ingest_source(con, "aws_cur", landing, tmp_path / "quarantine")
    assert [(o.status, o.detail) for o in report.outcomes] == [
        (
            "quarantined",
            "the manifest has no dataFiles, reportKeys or blobs list of the export's files; "
            "land the manifest the export wrote",
        )
    ]


def test_a_listed_file_is_the_landed_one_whose_folders_match_its_key() -> None:
    landed = [
        Path("/l/aws_cur/acme/data/BILLING_PERIOD=2026-09/acme-00001.snappy.parquet"),
        Path("/l/aws_cur/acme/data/BILLING_PERIOD=2026-10/acme-00001.snappy.parquet"),
        Path("/l/aws_cur/flat/acme-00002.snappy.parquet"),
    ]
    manifest = Path("/l/aws_cur/flat/acme-Manifest.json")
    listed = [
        "s3://bucket/prefix/acme/data/BILLING_PERIOD=2026-10/acme-00001.snappy.parquet",
        "prefix/acme/data/BILLING_PERIOD=2026-10/acme-00002.snappy.parquet",
        "s3://bucket/prefix/acme/data/BILLING_PERIOD=2026-10/acme-00003.snappy.parquet",
    ]
    assert deliveries.resolve(manifest, listed, landed) == [(listed[0], landed[1]), (listed[1], landed[2])]
    # Two landed copies that match a listed object equally well: refused, not guessed.
    with pytest.raises(RejectedFile, match=re.escape("matches acme-00001.snappy.parquet in two folders")):
        deliveries.resolve(manifest, ["acme-00001.snappy.parquet"], landed[:2])


def test_the_sensor_closes_the_period_of_the_files_a_new_manifest_lists(tmp_path: Path, month: Path) -> None:
    landing = tmp_path / "landing"
    write_parts(landing, month, 2, mtime=1_000)
    manifest = write_manifest(landing, part_names(2), mtime=1_001)
    assert affected_periods([("aws_cur", manifest)], landing) == ({OCTOBER.start}, [], [])


def test_the_sensor_closes_nothing_for_a_delivery_until_its_last_file_lands(tmp_path: Path, month: Path) -> None:
    """A close requested while parts are still missing would close the month without them, and finalize its invoices
    on the previous delivery; the sensor waits for the last file instead, and says so."""
    landing = tmp_path / "landing"
    parts = write_parts(landing, month, 3, mtime=1_000)
    third = parts[2].read_bytes()
    parts[2].unlink()
    manifest = write_manifest(landing, part_names(3), mtime=1_001)
    landed = [("aws_cur", parts[0]), ("aws_cur", parts[1]), ("aws_cur", manifest)]

    assert affected_periods(landed, landing) == (
        set(),
        [],
        [
            f"{manifest.relative_to(landing).as_posix()}: waiting for 1 of the 3 files it lists ({BUCKET}/{EXPORT}/"
            f"data/BILLING_PERIOD=2026-10/{EXPORT}-00003.snappy.parquet); none of its files is loaded until all "
            "have landed"
        ],
    )
    parts[2].write_bytes(third)
    assert affected_periods([("aws_cur", parts[2])], landing) == ({OCTOBER.start}, [], [])


def test_a_waiting_delivery_is_recorded_until_its_last_file_lands(tmp_path: Path, month: Path, whole) -> None:
    """What a close of the month was made without is kept in audit.waiting_deliveries and put in its summary."""
    landing = tmp_path / "landing"
    land_earlier_delivery(landing, month)
    parts = write_parts(landing, month, 4, mtime=1_000, scale=2)
    missing = [part.read_bytes() for part in parts[2:]]
    for part in parts[2:]:
        part.unlink()
    manifest = write_manifest(landing, part_names(4), mtime=1_001)
    relative = manifest.relative_to(landing).as_posix()
    con = duckdb.connect()

    ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)
    first_seen = con.execute("select first_seen_at from audit.waiting_deliveries").fetchone()[0]
    ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)

    assert raw_total(con) == whole  # the close is made on the earlier delivery
    data = f"{BUCKET}/{EXPORT}/data/BILLING_PERIOD=2026-10"
    assert con.execute(
        "select source, manifest, billing_period_start, files_listed, files_landed, missing, first_seen_at "
        "from audit.waiting_deliveries"
    ).fetchall() == [
        (
            "aws_cur",
            relative,
            OCTOBER.start,
            4,
            2,
            json.dumps([f"{data}/{EXPORT}-00003.snappy.parquet", f"{data}/{EXPORT}-00004.snappy.parquet"]),
            first_seen,
        )
    ]
    [waiting] = waiting_for_period(con, OCTOBER.start)
    assert waiting.describe() == (
        f"aws_cur delivery {relative} for 2026-10 lists 4 files, 2 landed, waiting since "
        f"{first_seen:%Y-%m-%d %H:%M} UTC (missing {data}/{EXPORT}-00003.snappy.parquet, "
        f"{data}/{EXPORT}-00004.snappy.parquet): none of its rows is in this close; close the month again once the "
        "rest has landed"
    )
    assert waiting_for_period(con, DEMO_PERIODS[0].start) == []

    for part, content in zip(parts[2:], missing, strict=True):
        part.write_bytes(content)
    ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)
    assert raw_total(con) == (whole[0], whole[1] * 2)
    assert con.execute("select count(*) from audit.waiting_deliveries").fetchone() == (0,)


def test_a_waiting_delivery_is_of_the_month_its_manifest_or_its_landed_parts_name(tmp_path: Path) -> None:
    stated = deliveries.stated_period
    data_exports = Path("/l/aws_cur/acme/metadata/BILLING_PERIOD=2026-10/acme-Manifest.json")
    assert stated(data_exports, {}, ["s3://b/p/acme/data/BILLING_PERIOD=2026-10/acme-00001.snappy.parquet"]) == (
        OCTOBER.start
    )
    legacy = Path("/l/aws_cur/cur/20260901-20261001/cur-Manifest.json")
    assert stated(legacy, {}, ["cur/20260901-20261001/0b1c/cur-1.csv.gz"]) == DEMO_PERIODS[1].start
    assert stated(Path("/l/aws_cur/x-Manifest.json"), {"billingPeriod": {"start": "20261001T000000.000Z"}}, []) == (
        OCTOBER.start
    )
    # Nothing named, or two months named: the landed parts will say.
    assert stated(Path("/l/gcp_billing/run-1/export-Manifest.json"), {"dataFiles": ["a.jsonl"]}, ["a.jsonl"]) is None
    assert stated(data_exports, {}, ["s3://b/p/acme/data/BILLING_PERIOD=2026-09/acme-00001.snappy.parquet"]) is None

    folder = tmp_path / "landing" / "gcp_billing" / "run-1"
    folder.mkdir(parents=True)
    (folder / "export-000000000000.jsonl").write_text(json.dumps({**RECORD, "credits": []}) + "\n", encoding="utf-8")
    (folder / "export-Manifest.json").write_text(
        json.dumps({"dataFiles": ["export-000000000000.jsonl", "export-000000000001.jsonl"]}), encoding="utf-8"
    )
    con = duckdb.connect()
    report = ingest_source(con, "gcp_billing", tmp_path / "landing", tmp_path / "quarantine")
    # RECORD's invoice month is September 2026
    assert [(w.manifest, w.billing_period_start, w.files_landed) for w in report.waiting] == [
        ("gcp_billing/run-1/export-Manifest.json", date(2026, 9, 1), 1)
    ]


def test_a_manifest_written_beside_bigquery_shards_makes_them_one_delivery(tmp_path: Path) -> None:
    """BigQuery writes an export over 1 GB as `000000000000`-numbered shards and no manifest; the job that copies
    them can write one in the same form, and the shards then add up instead of replacing each other."""
    folder = tmp_path / "landing" / "gcp_billing" / "2026-09" / "run-1"
    folder.mkdir(parents=True)
    costs = {"export-000000000000.jsonl": ["12.3456789", "0.01"], "export-000000000001.jsonl": ["7"]}
    for name, values in costs.items():
        lines = [json.dumps({**RECORD, "credits": []}).replace('"cost": 12.3456789', f'"cost": {v}') for v in values]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.utime(folder / name, (1_000, 1_000))
    (folder / "export-Manifest.json").write_text(json.dumps({"dataFiles": sorted(costs)}), encoding="utf-8")
    con = duckdb.connect()

    report = ingest_source(con, "gcp_billing", tmp_path / "landing", tmp_path / "quarantine")

    assert [(o.status, o.row_count) for o in report.outcomes] == [("loaded", 2), ("loaded", 1)]
    assert con.execute("select sum(cast(cost as decimal(38, 10))) from raw.gcp_billing").fetchone() == (
        Decimal("19.3556789"),
    )


def test_a_file_two_manifests_list_leaves_with_the_first_ones_refused_delivery(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "gcp_billing" / "2026-09"
    folder.mkdir(parents=True)
    (folder / "shared-000000000000.jsonl").write_text(json.dumps({**RECORD, "credits": []}) + "\n", encoding="utf-8")
    (folder / "broken-000000000001.jsonl").write_text("{not json\n", encoding="utf-8")
    (folder / "other-000000000001.jsonl").write_text(json.dumps({**RECORD, "credits": []}) + "\n", encoding="utf-8")
    for mtime, name, parts in (
        (1_000, "a-Manifest.json", ["shared-000000000000.jsonl", "broken-000000000001.jsonl"]),
        (2_000, "b-Manifest.json", ["shared-000000000000.jsonl", "other-000000000001.jsonl"]),
    ):
        (folder / name).write_text(json.dumps({"dataFiles": parts}), encoding="utf-8")
        os.utime(folder / name, (mtime, mtime))
    con = duckdb.connect()

    report = ingest_source(con, "gcp_billing", tmp_path / "landing", tmp_path / "quarantine")

    assert sorted((o.status, o.path.rsplit("/", 1)[1]) for o in report.outcomes) == [
        ("pending", "b-Manifest.json"),
        ("quarantined", "a-Manifest.json"),
        ("quarantined", "broken-000000000001.jsonl"),
        ("quarantined", "shared-000000000000.jsonl"),
    ]
    pending = next(o for o in report.outcomes if o.status == "pending")
    assert pending.detail.startswith("waiting for 1 of the 2 files it lists (shared-000000000000.jsonl)")
    assert con.execute("select count(*) from raw.gcp_billing").fetchone() == (0,)


def test_a_close_says_what_it_was_made_without(tmp_path: Path, month: Path, capsys: pytest.CaptureFixture) -> None:
    """The ingest step warns in the Dagster run, and `billing close` lists the delivery in its summary."""
    from typer.testing import CliRunner

    from orchestration.cli import _print_summary, app
    from orchestration.defs.ingest.assets import ingest_assets
    from orchestration.reporting import summarize_period
    from orchestration.resources import LandingZoneResource, WarehouseResource

    landing = tmp_path / "landing"
    parts = write_parts(landing, month, 2, mtime=1_000)
    parts[1].unlink()
    relative = write_manifest(landing, part_names(2), mtime=1_001).relative_to(landing).as_posix()
    warehouse = tmp_path / "data" / "warehouse" / "billing.duckdb"
    [ingest_aws] = [asset for asset in ingest_assets if asset.node_def.name == "ingest_aws_cur"]

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [ingest_aws],
        instance=instance,
        partition_key=OCTOBER.start.isoformat(),
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "landing": LandingZoneResource(landing_dir=str(landing), quarantine_dir=str(tmp_path / "quarantine")),
        },
    )

    [materialization, *_] = result.asset_materializations_for_node("ingest_aws_cur")
    assert materialization.metadata["deliveries_of_this_month_waiting_for_files"].value == 1
    logged = instance.all_logs(result.run_id)
    warnings = [e.user_message for e in logged if not e.is_dagster_event and e.level == logging.WARNING]
    assert [w.split(" lists ")[0] for w in warnings] == [f"aws_cur delivery {relative} for 2026-10"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        summary = summarize_period(con, OCTOBER.start)
    _print_summary(summary)
    printed = capsys.readouterr().out
    assert f"WAITING: aws_cur delivery {relative} for 2026-10 lists 2 files, 1 landed, waiting since " in printed
    assert "none of its rows is in this close; close the month again once the rest has landed" in printed
    # `billing status` lists what the landing zone waits for, whatever the month
    status = CliRunner().invoke(app, ["status"], env={"BILLING_DATA_DIR": str(tmp_path / "data")})
    assert status.exit_code == 0, status.output
    assert status.output.splitlines()[-1].startswith(f"WAITING: aws_cur delivery {relative} for 2026-10 lists 2 files")


def test_invoices_are_not_finalized_while_a_delivery_of_the_month_waits_for_files(tmp_path: Path, month: Path) -> None:
    """The close gate `deliveries_complete` fails for the month a waiting delivery is of, blocking what follows
    the reconciliation (finalization), and records why; another month's close is not held by it."""
    from orchestration.defs.partitions import billing_period
    from orchestration.defs.quality.checks import RECONCILIATION_KEY, deliveries_complete_gate
    from orchestration.invoicing.finalize import failing_gates
    from orchestration.resources import WarehouseResource

    landing = tmp_path / "landing"
    parts = write_parts(landing, month, 2, mtime=1_000)
    parts[1].unlink()
    relative = write_manifest(landing, part_names(2), mtime=1_001).relative_to(landing).as_posix()
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ingest_source(con, "aws_cur", landing, tmp_path / "quarantine", period=OCTOBER.start)
    finalized: list[str] = []

    @dg.asset(key=RECONCILIATION_KEY, partitions_def=billing_period)
    def reconciliation() -> None:
        """Stands for the reconciliation mart the gate is checked on."""

    @dg.asset(deps=[reconciliation], partitions_def=billing_period)
    def finalize(context) -> None:  # type: ignore[no-untyped-def]  # dagster resolves no string annotation here
        """Stands for finalization, downstream of the reconciliation."""
        finalized.append(context.partition_key)

    def close(period: str) -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [reconciliation, finalize, deliveries_complete_gate],
            partition_key=period,
            resources={"warehouse": WarehouseResource(path=str(warehouse))},
            raise_on_error=False,
        )

    october = close(OCTOBER.start.isoformat())
    september = close(DEMO_PERIODS[1].start.isoformat())

    [evaluation] = october.get_asset_check_evaluations()
    assert not evaluation.passed and finalized == [DEMO_PERIODS[1].start.isoformat()]
    assert september.get_asset_check_evaluations()[0].passed
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # (the GX suites were not run here: finalization counts them as failing too)
        [problem] = [p for p in failing_gates(con, OCTOBER.start) if p.startswith("deliveries_complete")]
        assert not [p for p in failing_gates(con, DEMO_PERIODS[1].start) if p.startswith("deliveries_complete")]
    assert problem.startswith(
        f"deliveries_complete: no_delivery_of_the_month_waiting_for_files failed on 1 row(s) aws_cur delivery "
        f"{relative} for 2026-10 lists 2 files, 1 landed"
    )
    assert problem.endswith("or, if that delivery will not complete, remove its manifest from the landing zone")
