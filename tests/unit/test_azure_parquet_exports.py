"""Azure cost-details exports in Parquet (an export's `format: Parquet`, snappy inside the file) load as their CSV does.

No public Azure cost-details Parquet sample exists among the real ones here; these files are the real CSV samples
written as Parquet, once with every column as text (the CSV's fields) and once with dates, amounts and quantities
typed. Either way the columns are matched by name as the CSV's headers are, typed values become the raw layer's
text as every Parquet export's do, and the columnar parse (DuckDB) writes what the row-by-row parser writes.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.demo import azure_cost as demo_azure
from orchestration.demo.periods import DEMO_PERIODS
from orchestration.ingest.landing import ingest_source
from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.azure_cost import azure_column_names
from orchestration.sources.in_duckdb import columnar
from tests.unit.test_columnar_parsing import AZURE_FIXTURES, _assert_same_parse, _staged_rows


def _csv_as_parquet(plain: Path, target: Path, typed: bool = False) -> Path:
    """The CSV's fields as Parquet text columns; `typed`: dates as DATE, amounts as DECIMAL(38,18), quantities as
    DOUBLE, as a typed export would hold them."""
    with plain.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    columns: dict[str, pa.Array] = {}
    for index, (name, canonical) in enumerate(zip(header, azure_column_names(header), strict=True)):
        values = [row[index] if row[index] != "" else None for row in rows]
        if typed and canonical == "date":
            month, day, year = zip(*(v.split("/") for v in values), strict=True)
            columns[name] = pa.array(
                [f"{y}-{m}-{d}" for y, m, d in zip(year, month, day, strict=True)], pa.string()
            ).cast(pa.date32())
        elif typed and canonical == "costinbillingcurrency":
            columns[name] = pa.array([None if v is None else Decimal(v) for v in values], pa.decimal128(38, 18))
        elif typed and canonical == "quantity":
            columns[name] = pa.array([None if v is None else float(v) for v in values], pa.float64())
        else:
            columns[name] = pa.array(values, pa.string())
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), target, compression="snappy")
    return target


# Every real sample but opencost's Template.csv, whose ragged row no Parquet file can hold.
TABULAR_FIXTURES = [p for p in AZURE_FIXTURES if p.name != "Template.csv"]


@pytest.mark.parametrize("plain", TABULAR_FIXTURES, ids=lambda p: p.name)
def test_a_real_azure_export_as_parquet_text_parses_as_its_csv(tmp_path: Path, plain: Path) -> None:
    """The same rows, period, account and dataset, or the same one-line refusal (a currency `MC`, a missing column);
    and the columnar parse takes the Parquet copy whenever it takes the CSV (both to the parser's text)."""
    parquet = _csv_as_parquet(plain, tmp_path / f"{plain.stem}.parquet")  # the name may say `amortized`
    if _assert_same_parse("azure_cost", plain):
        assert _assert_same_parse("azure_cost", parquet)
    try:
        expected = FORMATS["azure_cost"].parse(plain)
    except RejectedFile as refused_csv:
        with pytest.raises(RejectedFile) as refused_parquet:
            FORMATS["azure_cost"].parse(parquet)
        assert str(refused_parquet.value) == str(refused_csv)
        return
    parsed = FORMATS["azure_cost"].parse(parquet)
    assert (parsed.billing_period_start, parsed.billing_account_id, parsed.dataset) == (
        expected.billing_period_start,
        expected.billing_account_id,
        expected.dataset,
    )
    assert parsed.tables["azure_cost"].to_pylist() == expected.tables["azure_cost"].to_pylist()


def test_typed_dates_amounts_and_quantities_give_the_csvs_text(tmp_path: Path) -> None:
    plain = next(p for p in AZURE_FIXTURES if p.name == "ea_2023-10_actual_delivery1.csv")
    parquet = _csv_as_parquet(plain, tmp_path / "part_0_0001.parquet", typed=True)
    schema = pq.read_schema(parquet)
    kinds = dict(zip(azure_column_names(schema.names), map(str, schema.types), strict=True))
    assert [kinds["date"], kinds["costinbillingcurrency"], kinds["quantity"]] == [
        "date32[day]",
        "decimal128(38, 18)",
        "double",
    ]
    assert _assert_same_parse("azure_cost", parquet)
    con = duckdb.connect()
    typed, text = columnar.stage(con, "azure_cost", parquet), columnar.stage(con, "azure_cost", plain)
    assert typed is not None and text is not None
    typed_rows, text_rows = _staged_rows(con, typed.tables["azure_cost"]), _staged_rows(con, text.tables["azure_cost"])
    # Amounts and dates read the same whether delivered as text or typed (`9.878400000000000000` -> `9.8784`);
    # a quantity typed as a binary float is written as its shortest exact decimal text, as any Parquet float is.
    for column in ("date", "costinbillingcurrency", "billingperiodstartdate", "billingaccountid"):
        assert [row[column] for row in typed_rows] == [row[column] for row in text_rows]
    assert sum(Decimal(row["costinbillingcurrency"]) for row in typed_rows) == sum(
        Decimal(row["costinbillingcurrency"]) for row in text_rows
    )
    assert columnar.delivered_periods(con, "azure_cost", parquet) == {typed.billing_period_start}


def test_an_export_run_of_parquet_parts_loads_as_one_delivery(tmp_path: Path) -> None:
    """A run's `manifest.json` lists its `.parquet` blobs as it lists CSV parts: loaded together, the month's rows
    and cost those of the one-file CSV month."""
    october = DEMO_PERIODS[-1]
    month = demo_azure.write_month(tmp_path / "demo", 2026, october).path
    with month.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    run = tmp_path / "landing" / "azure_cost" / "acme-actual" / f"{october.start:%Y%m%d}-{october.end:%Y%m%d}" / "run-1"
    run.mkdir(parents=True)
    half = len(rows) // 2
    blobs = []
    for number, part in enumerate((rows[:half], rows[half:]), start=1):
        part_csv = tmp_path / "parts" / f"part_{number}.csv"
        part_csv.parent.mkdir(parents=True, exist_ok=True)
        with part_csv.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([header, *part])
        target = _csv_as_parquet(part_csv, run / f"part_0_000{number}.snappy.parquet")
        blobs.append({"blobName": f"acme-actual/run-1/{target.name}", "byteCount": target.stat().st_size})
    (run / "manifest.json").write_text(
        json.dumps(
            {
                "exportConfig": {"type": "ActualCost", "resourceId": "/providers/x/exports/acme-actual"},
                "runInfo": {"startDate": f"{october.start}T00:00:00", "endDate": f"{october.end}T00:00:00"},
                "blobCount": 2,
                "blobs": blobs,
            }
        ),
        encoding="utf-8",
    )
    con = duckdb.connect()
    report = ingest_source(con, "azure_cost", tmp_path / "landing", tmp_path / "quarantine")
    assert sorted(o.status for o in report.outcomes if o.path.endswith(".parquet")) == ["loaded", "loaded"]
    loaded = con.execute("select count(*), sum(cast(costinbillingcurrency as decimal(38, 10))) from raw.azure_cost")
    expected = FORMATS["azure_cost"].parse(month).tables["azure_cost"].column("costinbillingcurrency").to_pylist()
    assert loaded.fetchone() == (len(rows), sum(Decimal(v) for v in expected))


def test_a_parquet_file_landed_for_azure_that_is_not_one_is_quarantined_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "azure_cost" / "acme"
    folder.mkdir(parents=True)
    (folder / "part_0_0001.parquet").write_bytes(b"PAR1 not really")
    con = duckdb.connect()
    report = ingest_source(con, "azure_cost", tmp_path / "landing", tmp_path / "quarantine")
    assert [o.status for o in report.outcomes] == ["quarantined"]
    assert report.outcomes[0].detail.startswith("not a readable Parquet file"), report.outcomes[0].detail
    assert con.execute("select count(*) from raw.azure_cost").fetchone() == (0,)
