"""OpenCost allocation exports: read as drivers, with the cluster from the delivery folder and idle kept."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.landing import ingest_source
from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.kubernetes import parse

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "opencost-format" / "kubernetes" / "prod-eu-1"
EXPORT = SAMPLE / "opencost-export.csv"


def _landed(tmp_path: Path, text: str | None = None, cluster: str = "prod-eu-1") -> Path:
    target = tmp_path / "landing" / "kubernetes" / cluster / "opencost-export.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        shutil.copyfile(EXPORT, target)
    else:
        target.write_text(text, encoding="utf-8")
    return target


def _rewritten(change: dict[str, str]) -> str:
    with EXPORT.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    rows[0].update(change)
    lines = [",".join(header)]
    lines += [",".join('"' + (row[c] or "").replace('"', '""') + '"' for c in header) for row in rows]
    return "\n".join(lines) + "\n"


def test_the_export_loads_with_cluster_period_labels_and_idle_rows(tmp_path: Path) -> None:
    parsed = parse(_landed(tmp_path))
    assert (parsed.source, parsed.billing_account_id, f"{parsed.billing_period_start:%Y-%m}") == (
        "kubernetes",
        "prod-eu-1",
        "2026-10",
    )
    table = parsed.tables["kubernetes"]
    assert parsed.row_count == table.num_rows == 7
    assert table.column("labels").to_pylist()[0] == '{"app":"payments-api","project":"PRJ-PAY-API"}'
    assert table.column("pod").to_pylist().count("__idle__") == 2
    total = sum(Decimal(value) for value in table.column("totalcost").to_pylist())
    assert total == Decimal("36.5882207")


def test_the_cluster_comes_from_the_delivery_folder_or_the_file_is_refused(tmp_path: Path) -> None:
    loose = tmp_path / "landing" / "kubernetes" / "opencost-export.csv"
    loose.parent.mkdir(parents=True)
    shutil.copyfile(EXPORT, loose)
    with pytest.raises(RejectedFile, match=r"deliver the file under kubernetes/<cluster>/"):
        parse(loose)


def test_the_cumulative_export_spanning_two_months_loads_as_one_delivery_per_month(tmp_path: Path) -> None:
    _landed(tmp_path, _rewritten({"Date": "2026-09-30"}))
    parsed = parse(tmp_path / "landing" / "kubernetes" / "prod-eu-1" / "opencost-export.csv")
    assert [f"{period:%Y-%m}" for period in parsed.periods] == ["2026-09", "2026-10"]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ingest_source(con, "kubernetes", tmp_path / "landing", tmp_path / "quarantine")
    assert con.execute(
        "select _billing_period_start, count(*), min(_source_row::int) from raw.kubernetes group by all order by 1"
    ).fetchall() == [("2026-09-01", 1, 1), ("2026-10-01", 6, 2)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"CPUCost": ""}, "row 1, column cpucost is empty; OpenCost writes a number on every row"),
        ({"TotalCost": "NaN"}, "row 1, column totalcost: 'NaN' is not a number"),
        ({"Date": "10/01/2026"}, "row 1, column date: '10/01/2026' is not a YYYY-MM-DD date"),
        ({"Labels": "[1, 2]"}, "row 1, column labels: tags are not key/value JSON"),
    ],
)
def test_bad_values_are_refused_naming_row_and_column(tmp_path: Path, change: dict[str, str], message: str) -> None:
    with pytest.raises(RejectedFile) as refused:
        parse(_landed(tmp_path, _rewritten(change)))
    assert str(refused.value).startswith(message)


def test_a_missing_cost_column_is_refused_by_name(tmp_path: Path) -> None:
    text = EXPORT.read_text(encoding="utf-8").replace(",PVCost,", ",PersistentVolumeCost,", 1)
    with pytest.raises(RejectedFile, match="pvcost"):
        parse(_landed(tmp_path, text))


def test_ingest_loads_it_into_raw_kubernetes_keyed_by_cluster(tmp_path: Path) -> None:
    _landed(tmp_path)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    report = ingest_source(con, "kubernetes", tmp_path / "landing", tmp_path / "quarantine")
    assert report.count("loaded") == 1 and report.rows_loaded == 7
    assert con.execute(
        "select _billing_account_id, _billing_period_start, count(*) from raw.kubernetes group by all"
    ).fetchall() == [("prod-eu-1", "2026-10-01", 7)]
    assert ".csv" in FORMATS["kubernetes"].suffixes
