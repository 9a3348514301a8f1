"""OCI cost report parser: the real sample, tag folding, timestamps, numbers, billing period and refusals."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.sources import FORMATS, RAW_TABLE_COLUMNS, RejectedFile
from orchestration.sources.oci_cost import oci_column_names

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "third_party" / "focus_converters"
SAMPLE = SAMPLE / "reports_cost-csv_0000000030000269.csv"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaadsyhydp66mjpsohqocfcgzaabtrit47ex2igzu2j6lhuadrrglca"
HEADER = [
    "lineItem/referenceNo",
    "lineItem/tenantId",
    "lineItem/intervalUsageStart",
    "lineItem/intervalUsageEnd",
    "product/service",
    "product/region",
    "cost/myCost",
    "cost/currencyCode",
    "tags/Oracle-Tags.CreatedBy",
]


def parse(path: Path) -> tuple[object, dict[str, list]]:
    parsed = FORMATS["oci_cost"].parse(path)
    return parsed, parsed.tables["oci_cost"].to_pydict()


def write(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER, name: str = "cost.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def line(start: str = "2026-09-01T00:00Z", end: str = "2026-09-01T01:00:00Z", cost: str = "1.5") -> list[str]:
    return ["ref-1", "ocid1.tenancy.oc1..t", start, end, "COMPUTE", "eu-frankfurt-1", cost, "EUR", ""]


def test_real_sample_loads_with_its_exact_total() -> None:
    parsed, table = parse(SAMPLE)
    assert parsed.row_count == 506 == len(table["cost_mycost"])
    assert parsed.billing_period_start == date(2023, 11, 1)
    assert parsed.billing_account_id == TENANCY
    # Σ cost/myCost of the file, every delivered digit kept (the raw layer rounds nothing)
    assert sum((Decimal(v) for v in table["cost_mycost"]), Decimal(0)) == Decimal("2.523589325400648027")
    assert set(table["cost_currencycode"]) == {"USD"}
    assert table["_source_row"][:2] == ["1", "2"]
    # unknown/optional columns are kept under their normalised names
    assert {"cost_mycostoverage", "product_availabilitydomain", "lineitem_backreferenceno"} <= set(table)


def test_sample_tags_are_folded_into_one_json_object_keyed_as_oci_names_them() -> None:
    _, table = parse(SAMPLE)
    assert not any(name.startswith("tags_") for name in table)
    first = json.loads(table["tags"][0])
    assert first["Oracle-Tags.CreatedBy"] == "default/phil.newman@oracle.com"
    assert first["OracleInternalReserved.CostCenter"] == "607825"
    assert table["tags"][1] == "{}"  # a row without tags
    assert any("DevRel\\redbull-analytics-hol-4cb4.release" in json.loads(t) for t in table["tags"])


def test_hour_minute_timestamps_become_iso_utc() -> None:
    _, table = parse(SAMPLE)
    # delivered as 2023-11-13T10:00Z (no seconds) and 2023-11-13T11:00:00Z
    assert table["lineitem_intervalusagestart"][0] == "2023-11-13 10:00:00"
    assert table["lineitem_intervalusageend"][0] == "2023-11-13 11:00:00"
    assert all(len(v) == 19 for v in table["lineitem_intervalusagestart"])


def test_scientific_notation_becomes_plain_decimal_text() -> None:
    _, table = parse(SAMPLE)
    assert table["cost_mycost"][1] == "0.00000000232376"  # delivered as 2.323760000E-9
    assert "0.000000000006266090" not in table["cost_mycost"]
    assert "0.00000000000626609" in table["cost_mycost"]  # delivered as 6.266090E-12
    assert table["cost_mycost"][0] == "0.012264277499950943"  # plain text kept exactly
    assert not any("e" in v.lower() for v in table["cost_mycost"])


def test_gzip_delivery_and_header_names(tmp_path: Path) -> None:
    plain = write(tmp_path, [line()])
    packed = tmp_path / "cost.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    parsed, table = parse(packed)
    assert parsed.billing_period_start == date(2026, 9, 1)
    assert table["cost_mycost"] == ["1.5"]
    assert oci_column_names(["lineItem/referenceNo", "cost/myCostOverage", "tags/a.B"]) == [
        "lineitem_referenceno",
        "cost_mycostoverage",
        "tags/a.B",
    ]
    assert set(RAW_TABLE_COLUMNS["oci_cost"]) >= {"cost_mycost", "lineitem_tenantid", "tags"}


def test_last_hour_of_the_month_ends_at_the_next_month_and_stays_in_it(tmp_path: Path) -> None:
    parsed, _ = parse(write(tmp_path, [line("2026-09-30T23:00Z", "2026-10-01T00:00:00Z")]))
    assert parsed.billing_period_start == date(2026, 9, 1)


def test_missing_column_is_refused_naming_it(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "cost/myCost"]
    row = [v for h, v in zip(HEADER, line(), strict=True) if h != "cost/myCost"]
    with pytest.raises(RejectedFile, match=r"missing required column\(s\) cost_mycost for an OCI cost report file"):
        parse(write(tmp_path, [row], header))


def test_two_month_file_is_refused(tmp_path: Path) -> None:
    rows = [line("2026-09-30T23:00Z", "2026-10-01T00:00:00Z"), line("2026-10-01T00:00Z", "2026-10-01T01:00:00Z")]
    with pytest.raises(RejectedFile, match=r"spans 2 months \(2026-09, 2026-10\); deliver one month per file"):
        parse(write(tmp_path, rows))


def test_interval_crossing_the_month_end_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="ends after the billing period 2026-09"):
        parse(write(tmp_path, [line("2026-09-30T23:00Z", "2026-10-01T01:00:00Z")]))


def test_empty_money_value_is_refused_never_null_filled(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match=r"column cost_mycost is empty on 1 of 2 rows \(first: row 2\)"):
        parse(write(tmp_path, [line(), line(cost="")]))


def test_bad_number_and_currency_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RejectedFile, match="row 1, column cost_mycost: 'n/a' is not a number"):
        parse(write(tmp_path, [line(cost="n/a")]))
    bad_currency = line()
    bad_currency[7] = "usd"
    with pytest.raises(RejectedFile, match="'usd' is not an ISO 4217 currency code"):
        parse(write(tmp_path, [bad_currency]))


def test_two_tenancies_in_one_file_are_refused(tmp_path: Path) -> None:
    other = line()
    other[1] = "ocid1.tenancy.oc1..other"
    with pytest.raises(RejectedFile, match="file spans 2 values of lineitem_tenantid"):
        parse(write(tmp_path, [line(), other]))
