"""The FOCUS parser: versions 1.0-preview to 1.3, literal nulls, several accounts per file, refusals."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.ingest.landing import ingest_source
from orchestration.ingest.raw_load import delivery_accounts
from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.focus import VERSION_COLUMN, parse

BASE = {
    "BillingAccountId": "acct-1",
    "BillingPeriodStart": "2026-09-01T00:00:00Z",
    "BillingPeriodEnd": "2026-10-01T00:00:00Z",
    "ChargePeriodStart": "2026-09-01T00:00:00Z",
    "ChargePeriodEnd": "2026-09-02T00:00:00Z",
    "BilledCost": "1.5",
    "EffectiveCost": "1.25",
    "BillingCurrency": "USD",
    "ChargeCategory": "Usage",
}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("extra", "version"),
    [
        ({"ProviderName": "Acme"}, "1.0"),
        ({"ProviderName": "Acme", "CommitmentDiscountQuantity": ""}, "1.1"),
        ({"ProviderName": "Acme", "InvoiceId": "i-1", "CapacityReservationId": ""}, "1.2"),
        ({"ProviderName": "Acme", "ServiceProviderName": "Acme", "HostProviderName": "Acme"}, "1.3"),
    ],
)
def test_version_is_detected_from_the_columns(tmp_path: Path, extra: dict[str, str], version: str) -> None:
    parsed = parse(write_csv(tmp_path / "f.csv", [{**BASE, **extra}]))
    assert parsed.tables["focus"].column(VERSION_COLUMN).to_pylist() == [version]


def test_preview_names_are_accepted_for_required_columns(tmp_path: Path) -> None:
    row = {k: v for k, v in BASE.items() if k not in ("ChargeCategory", "EffectiveCost")}
    row |= {"ChargeType": "Usage", "AmortizedCost": "1", "Provider": "Acme"}
    parsed = parse(write_csv(tmp_path / "f.csv", [row]))
    table = parsed.tables["focus"]
    assert table.column("chargetype").to_pylist() == ["Usage"]  # raw keeps the delivered name
    assert table.column(VERSION_COLUMN).to_pylist() == ["1.0-preview"]


def test_missing_mandatory_column_is_named(tmp_path: Path) -> None:
    row = {k: v for k, v in BASE.items() if k != "BillingCurrency"}
    with pytest.raises(RejectedFile, match=r"missing required column\(s\) billingcurrency for a FOCUS 1.0 file"):
        parse(write_csv(tmp_path / "f.csv", [row]))


def test_text_in_a_money_column_is_refused_naming_row_and_column(tmp_path: Path) -> None:
    rows = [dict(BASE), {**BASE, "EffectiveCost": "1,25 EUR"}]
    with pytest.raises(RejectedFile, match=r"row 2, column effectivecost: '1,25 EUR' is not a number"):
        parse(write_csv(tmp_path / "f.csv", rows))


def test_not_a_focus_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="not a FOCUS file"):
        parse(write_csv(tmp_path / "f.csv", [{"x_foo": "1"}]))


def test_literal_null_is_an_empty_cell(tmp_path: Path) -> None:
    parsed = parse(write_csv(tmp_path / "f.csv", [{**BASE, "ListCost": "NULL", "ResourceId": "null"}]))
    table = parsed.tables["focus"]
    assert table.column("listcost").to_pylist() == [None]
    assert table.column("resourceid").to_pylist() == [None]


def test_several_accounts_make_one_sorted_delivery_key(tmp_path: Path) -> None:
    rows = [{**BASE, "BillingAccountId": "b"}, {**BASE, "BillingAccountId": "a"}]
    assert parse(write_csv(tmp_path / "f.csv", rows)).billing_account_id == "a,b"
    assert delivery_accounts("a,b") == {"a", "b"}
    assert delivery_accounts("a") == {"a"}


def test_several_periods_make_one_file_with_a_period_per_row(tmp_path: Path) -> None:
    october = {**BASE, "BillingPeriodStart": "2026-10-01T00:00:00Z", "BillingAccountId": "acct-2"}
    parsed = parse(write_csv(tmp_path / "f.csv", [october, BASE, october]))
    assert parsed.periods == [date(2026, 9, 1), date(2026, 10, 1)]
    assert parsed.billing_period_start == date(2026, 9, 1)
    assert parsed.billing_account_id == "acct-1,acct-2"
    assert parsed.period_accounts == {date(2026, 9, 1): "acct-1", date(2026, 10, 1): "acct-2"}
    part = parsed.for_period(date(2026, 10, 1))
    assert (part.billing_account_id, part.row_count) == ("acct-2", 2)
    assert part.tables["focus"].column("_source_row").to_pylist() == ["1", "3"]


def test_several_periods_need_a_period_on_every_row(tmp_path: Path) -> None:
    rows = [BASE, {**BASE, "BillingPeriodStart": "2026-10-01T00:00:00Z"}, {**BASE, "BillingPeriodStart": ""}]
    with pytest.raises(RejectedFile, match="row 3: BillingPeriodStart is empty in a file spanning several"):
        parse(write_csv(tmp_path / "f.csv", rows))


def test_empty_account_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="row 2: BillingAccountId is empty"):
        parse(write_csv(tmp_path / "f.csv", [BASE, {**BASE, "BillingAccountId": ""}]))


def test_parquet_is_read_as_text(tmp_path: Path) -> None:
    table = pa.table(
        {
            "BillingAccountId": pa.array([123], pa.int64()),
            "BillingPeriodStart": pa.array(["2026-09-01T00:00:00Z"]),
            "BillingPeriodEnd": pa.array(["2026-10-01T00:00:00Z"]),
            "ChargePeriodStart": pa.array(["2026-09-01T00:00:00Z"]),
            "ChargePeriodEnd": pa.array(["2026-09-02T00:00:00Z"]),
            "BilledCost": pa.array([0.1], pa.float64()),
            "EffectiveCost": pa.array([0.1], pa.float64()),
            "BillingCurrency": pa.array(["USD"]),
            "ChargeCategory": pa.array(["Usage"]),
        }
    )
    path = tmp_path / "f.parquet"
    pq.write_table(table, path)
    parsed = parse(path)
    assert parsed.billing_account_id == "123"
    assert parsed.tables["focus"].column("billedcost").to_pylist() == ["0.1"]
    assert ".parquet" in FORMATS["focus"].suffixes


def test_multi_account_delivery_supersedes_the_deliveries_it_overlaps(tmp_path: Path) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    write_csv(landing / "focus" / "1-a.csv", [{**BASE, "BillingAccountId": "a"}])
    write_csv(landing / "focus" / "2-c.csv", [{**BASE, "BillingAccountId": "c"}])
    ingest_source(con, "focus", landing, quarantine)
    write_csv(landing / "focus" / "3-ab.csv", [{**BASE, "BillingAccountId": "a"}, {**BASE, "BillingAccountId": "b"}])
    report = ingest_source(con, "focus", landing, quarantine)
    assert {(o.path, o.status) for o in report.outcomes} == {
        ("focus/1-a.csv", "superseded"),
        ("focus/3-ab.csv", "loaded"),
    }
    rows = con.execute("select _source_file, billingaccountid from raw.focus order by 1, 2").fetchall()
    assert rows == [("focus/2-c.csv", "c"), ("focus/3-ab.csv", "a"), ("focus/3-ab.csv", "b")]


def test_a_re_delivery_of_only_some_accounts_of_a_delivery_is_refused_and_loses_nothing(tmp_path: Path) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    write_csv(landing / "focus" / "1-ab.csv", [{**BASE, "BillingAccountId": "a"}, {**BASE, "BillingAccountId": "b"}])
    ingest_source(con, "focus", landing, quarantine)
    write_csv(landing / "focus" / "2-a.csv", [{**BASE, "BillingAccountId": "a", "BilledCost": "9.99"}])

    report = ingest_source(con, "focus", landing, quarantine)

    (outcome,) = report.outcomes
    assert (outcome.path, outcome.status) == ("focus/2-a.csv", "quarantined")
    assert outcome.detail == (
        "it re-delivers part of focus/1-ab.csv (accounts a,b) but not account(s) b; "
        "a re-delivery must cover every account of the delivery it replaces"
    )
    assert (quarantine / "focus" / "2-a.csv").exists()
    rows = con.execute("select _source_file, billingaccountid from raw.focus order by 1, 2").fetchall()
    assert rows == [("focus/1-ab.csv", "a"), ("focus/1-ab.csv", "b")]
