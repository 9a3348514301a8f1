"""An Azure Cost Management export run is partitioned into parts listed by its `manifest.json`: one delivery.

Azure always partitions an export run (each part under 1 GB uncompressed, "cannot be disabled") and writes a
`manifest.json` beside the parts; its fields here are those of Microsoft's documented example
(https://learn.microsoft.com/azure/cost-management-billing/costs/tutorial-improved-exports#manifest-file:
`manifestVersion`, `byteCount`, `blobCount`, `dataRowCount`, `exportConfig`, `deliveryConfig`, `runInfo`, `blobs` of
`blobName`/`byteCount`/`dataRowCount`). The parts are the demo's October Azure cost details export
(orchestration/demo/azure_cost.py) cut into consecutive slices, each with the header line, in the folders Azure
writes: `<root>/<export>/<YYYYMMDD-YYYYMMDD>/<run>/part_0_000N.csv`. No Azure manifest is among the public samples
(../shared/data/external/SOURCES.md).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.automation import affected_periods
from orchestration.demo import azure_cost as demo_azure
from orchestration.demo.periods import DEMO_PERIODS
from orchestration.ingest.landing import ingest_source
from orchestration.ingest.waiting import waiting_for_period

OCTOBER = DEMO_PERIODS[-1]
ROOT = "costexports"
EXPORT = "daily-actual"
RESOURCE_ID = (
    "/providers/Microsoft.Billing/billingAccounts/74418329/providers/Microsoft.CostManagement/exports/daily-actual"
)


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's October as one Azure export file."""
    return demo_azure.write_month(tmp_path_factory.mktemp("azure"), 2026, OCTOBER).path


def raw_total(con: duckdb.DuckDBPyConnection) -> tuple[int, Decimal]:
    return con.execute(
        "select count(*), coalesce(sum(cast(costinbillingcurrency as decimal(38, 10))), 0) from raw.azure_cost"
    ).fetchone()


@pytest.fixture(scope="module")
def whole(month: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Decimal]:
    landing = tmp_path_factory.mktemp("one-file") / "landing"
    target = landing / "azure_cost" / month.name
    target.parent.mkdir(parents=True)
    target.write_bytes(month.read_bytes())
    con = duckdb.connect()
    ingest_source(con, "azure_cost", landing, landing.parent / "quarantine")
    return raw_total(con)


def run_folder(landing: Path, run: str, export: str = EXPORT) -> Path:
    return landing / "azure_cost" / ROOT / export / f"{OCTOBER.start:%Y%m%d}-{OCTOBER.end:%Y%m%d}" / run


def write_run(
    landing: Path, month: Path, run: str, parts: int, *, mtime: int, export: str = EXPORT, kind: str = "ActualCost"
) -> tuple[list[Path], Path]:
    """An export run's parts, each with the header line, and its manifest listing them."""
    header, *lines = month.read_bytes().splitlines(keepends=True)
    folder = run_folder(landing, run, export)
    folder.mkdir(parents=True)
    size = -(-len(lines) // parts)
    written, blobs = [], []
    for number in range(parts):
        path = folder / f"part_0_{number + 1:04d}.csv"
        rows = lines[number * size : (number + 1) * size]
        path.write_bytes(header + b"".join(rows))
        os.utime(path, (mtime, mtime))
        written.append(path)
        blob = f"{ROOT}/{path.relative_to(landing / 'azure_cost' / ROOT).as_posix()}"
        blobs.append({"blobName": blob, "byteCount": path.stat().st_size, "dataRowCount": len(rows)})
    manifest = folder / "manifest.json"
    document = demo_azure.run_manifest(
        export=export,
        resource_id=RESOURCE_ID.replace(EXPORT, export),
        run_id=run,
        kind=kind,
        start=f"{OCTOBER.start:%Y-%m-%d}T00:00:00",
        end=f"{OCTOBER.end:%Y-%m-%d}T00:00:00Z",
        submitted=datetime(2026, 11, 2, 6, 12, 44, tzinfo=UTC),
        blobs=blobs,
        root=ROOT,
    )
    manifest.write_text(json.dumps(document, indent=2), encoding="utf-8")
    os.utime(manifest, (mtime + 1, mtime + 1))
    return written, manifest


def test_an_export_runs_parts_are_loaded_together_as_one_delivery(tmp_path: Path, month: Path, whole) -> None:
    landing = tmp_path / "landing"
    parts, manifest = write_run(landing, month, "5f0c7d2e-run-1", 3, mtime=1_000)
    con = duckdb.connect()

    report = ingest_source(con, "azure_cost", landing, tmp_path / "quarantine", period=OCTOBER.start)

    assert raw_total(con) == whole and whole[0] > 500
    relative = manifest.relative_to(landing).as_posix()
    assert [(o.status, o.path, o.detail) for o in report.outcomes] == [
        ("loaded", part.relative_to(landing).as_posix(), f"part {n} of 3 of the delivery of {relative}")
        for n, part in enumerate(parts, start=1)
    ]
    assert not (tmp_path / "quarantine").exists()


def test_a_run_waits_for_its_last_part_and_a_later_complete_run_overtakes_it(
    tmp_path: Path, month: Path, whole
) -> None:
    landing = tmp_path / "landing"
    first, first_manifest = write_run(landing, month, "run-1", 3, mtime=1_000)
    first[2].unlink()
    con = duckdb.connect()

    ingest_source(con, "azure_cost", landing, tmp_path / "quarantine", period=OCTOBER.start)

    # The run's month is read from its folder and its runInfo; nothing of it is loaded meanwhile.
    [waiting] = waiting_for_period(con, OCTOBER.start)
    assert (waiting.manifest, waiting.files_listed, waiting.files_landed) == (
        first_manifest.relative_to(landing).as_posix(),
        3,
        2,
    )
    assert raw_total(con) == (0, 0)

    second, second_manifest = write_run(landing, month, "run-2", 2, mtime=2_000)
    assert affected_periods([("azure_cost", second_manifest)], landing).periods == {OCTOBER.start}
    report = ingest_source(con, "azure_cost", landing, tmp_path / "quarantine", period=OCTOBER.start)

    assert raw_total(con) == whole
    assert [o.path for o in report.outcomes if o.status == "loaded"] == [
        p.relative_to(landing).as_posix() for p in second
    ]
    assert [o.path for o in report.outcomes if o.status == "overtaken"] == [
        first_manifest.relative_to(landing).as_posix()
    ]
    assert waiting_for_period(con, OCTOBER.start) == []


def test_a_part_landed_with_another_size_than_the_manifest_lists_is_waited_for(
    tmp_path: Path, month: Path, whole
) -> None:
    """A part still being copied (or an earlier run's file under the same name) has another size than the manifest's
    `byteCount`: the run waits for it, and it is never loaded on its own."""
    landing = tmp_path / "landing"
    parts, manifest = write_run(landing, month, "run-1", 3, mtime=1_000)
    content = parts[1].read_bytes()
    parts[1].write_bytes(content[: len(content) // 2])
    con = duckdb.connect()

    report = ingest_source(con, "azure_cost", landing, tmp_path / "quarantine", period=OCTOBER.start)

    assert raw_total(con) == (0, 0)
    assert [(o.status, o.path) for o in report.outcomes] == [("pending", manifest.relative_to(landing).as_posix())]
    blob = f"{ROOT}/{parts[1].relative_to(landing / 'azure_cost' / ROOT).as_posix()}"
    assert report.outcomes[0].detail == (
        f"waiting for 1 of the 3 files it lists ({blob}); part_0_0002.csv has landed with {len(content) // 2:,} bytes "
        f"of the {len(content):,} it lists; none of its files is loaded until all have landed"
    )
    assert affected_periods([("azure_cost", parts[1])], landing).periods == set()

    parts[1].write_bytes(content)
    assert affected_periods([("azure_cost", parts[1])], landing).periods == {OCTOBER.start}
    ingest_source(con, "azure_cost", landing, tmp_path / "quarantine", period=OCTOBER.start)
    assert raw_total(con) == whole


def test_an_amortized_run_is_told_from_the_actual_one_by_its_manifest(tmp_path: Path, month: Path, whole) -> None:
    """Partitioned, both exports' files are `part_0_000N.csv`: the run's manifest says which dataset they are, and the
    actual and the amortized export of one account and month are two deliveries that stay loaded side by side."""
    landing = tmp_path / "landing"
    write_run(landing, month, "run-a", 2, mtime=1_000)
    amortized, _ = write_run(landing, month, "run-b", 3, mtime=2_000, export="finance-view", kind="AmortizedCost")
    con = duckdb.connect()

    report = ingest_source(con, "azure_cost", landing, tmp_path / "quarantine", period=OCTOBER.start)

    assert (report.count("loaded"), report.count("superseded")) == (5, 0)
    assert con.execute(
        "select dataset, count(*) from audit.ingested_files where status = 'loaded' group by dataset order by dataset"
    ).fetchall() == [("ActualCost", 2), ("AmortizedCost", 3)]
    assert con.execute(
        "select x_cost_dataset, count(*), sum(cast(costinbillingcurrency as decimal(38, 10))) from raw.azure_cost "
        "group by x_cost_dataset order by x_cost_dataset"
    ).fetchall() == [("ActualCost", *whole), ("AmortizedCost", *whole)]
    assert {p.name for p in amortized} == {"part_0_0001.csv", "part_0_0002.csv", "part_0_0003.csv"}
