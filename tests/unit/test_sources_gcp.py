"""The GCP billing parser: BigQuery export as JSON lines or flattened to CSV, into the same raw tables."""

from __future__ import annotations

import ast
import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.gcp_billing import CREDITS_TABLE, RAW_TABLE, nested_value

KOKU_SAMPLE = (
    Path(__file__).parents[1]
    / "fixtures"
    / "third_party"
    / "koku"
    / "gcp"
    / "202011_30c31bca571d9b7f3b2c8459dd8bc34a_2020-11-08_2020-11-11.csv"
)

RECORD = {
    "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
    "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
    "sku": {"id": "2E27-4F75-95CD", "description": "N1 Predefined Instance Core"},
    "usage_start_time": "2026-09-01T00:00:00Z",
    "usage_end_time": "2026-09-01T01:00:00Z",
    "project": {"id": "cb-ml-training", "name": "ML", "labels": [{"key": "team", "value": "ml"}]},
    "labels": [{"key": "project", "value": "PRJ-031"}],
    "cost": 12.3456789,
    "currency": "USD",
    "usage": {"amount": 3600, "unit": "seconds"},
    "credits": [
        {"name": "Sustained use", "amount": -1.2, "type": "SUSTAINED_USAGE_DISCOUNT", "id": "s1", "full_name": None},
        {"name": "Promo", "amount": -0.0456789, "type": "PROMOTION", "id": "p1", "full_name": "Promo credit"},
    ],
    "invoice": {"month": "202609"},
    "cost_type": "regular",
}
CSV_HEADER = [
    "billing_account_id",
    "service.id",
    "service.description",
    "sku.id",
    "sku.description",
    "usage_start_time",
    "usage_end_time",
    "project.id",
    "project.name",
    "project.labels",
    "labels",
    "cost",
    "currency",
    "usage.amount",
    "usage.unit",
    "credits",
    "invoice.month",
    "cost_type",
]


def csv_row(record: dict, *, python_literals: bool = False) -> list[str]:
    """The record as one flattened CSV row; nested values as JSON text (BigQuery) or Python literals (pandas)."""

    def nested(value: object) -> str:
        return repr(value) if python_literals else json.dumps(value)

    return [
        record["billing_account_id"],
        record["service"]["id"],
        record["service"]["description"],
        record["sku"]["id"],
        record["sku"]["description"],
        record["usage_start_time"],
        record["usage_end_time"],
        record["project"]["id"],
        record["project"]["name"],
        nested(record["project"]["labels"]),
        nested(record["labels"]),
        repr(record["cost"]),
        record["currency"],
        str(record["usage"]["amount"]),
        record["usage"]["unit"],
        nested(record["credits"]),
        record["invoice"]["month"],
        record["cost_type"],
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = CSV_HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def parse(path: Path):
    return FORMATS["gcp_billing"].parse(path)


def test_gcp_format_accepts_csv() -> None:
    assert ".csv" in FORMATS["gcp_billing"].suffixes


@pytest.mark.parametrize("python_literals", [False, True])
def test_csv_lands_in_the_same_raw_tables_as_json_lines(tmp_path: Path, python_literals: bool) -> None:
    records = [RECORD, {**RECORD, "credits": [], "cost": 0.5, "cost_type": "tax"}]
    jsonl = tmp_path / "export.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    flat = write_csv(tmp_path / "export.csv", [csv_row(r, python_literals=python_literals) for r in records])
    from_json, from_csv = parse(jsonl), parse(flat)
    assert (from_csv.billing_period_start, from_csv.billing_account_id, from_csv.row_count) == (
        from_json.billing_period_start,
        from_json.billing_account_id,
        from_json.row_count,
    )
    assert from_csv.billing_period_start == date(2026, 9, 1)
    json_rows, csv_rows = from_json.tables[RAW_TABLE].to_pylist(), from_csv.tables[RAW_TABLE].to_pylist()
    for json_row, csv_row_ in zip(json_rows, csv_rows, strict=True):
        assert set(csv_row_) == set(json_row)
        for column in json_row:
            if column != "credits":  # the credits array is kept as JSON text; its numbers are written as floats
                assert csv_row_[column] == json_row[column], column
    assert csv_rows[0]["service_description"] == "Compute Engine"
    assert csv_rows[0]["invoice_month"] == "202609"
    assert json.loads(csv_rows[0]["labels"]) == {"project": "PRJ-031"}
    assert json.loads(csv_rows[0]["project_labels"]) == {"team": "ml"}
    assert [r["cost_type"] for r in csv_rows] == ["regular", "tax"]
    assert from_csv.tables[CREDITS_TABLE].to_pylist() == from_json.tables[CREDITS_TABLE].to_pylist()
    assert [(c["_source_row"], c["credit_index"], c["amount"]) for c in from_csv.tables[CREDITS_TABLE].to_pylist()] == [
        ("1", "1", "-1.2"),
        ("1", "2", "-0.0456789"),
    ]


def test_koku_csv_sample_parses_with_credits_as_rows() -> None:
    parsed = parse(KOKU_SAMPLE)
    assert (parsed.billing_period_start, parsed.billing_account_id, parsed.row_count) == (
        date(2020, 11, 1),
        "000000-B0BBA4-940A77",
        25,
    )
    rows = parsed.tables[RAW_TABLE].to_pylist()
    credits = parsed.tables[CREDITS_TABLE].to_pylist()
    assert rows[0]["service_description"] == "Security Command Center"
    assert rows[0]["usage_start_time"] == "2020-11-09 23:00:00"
    assert rows[0]["cost"] == "0.000005"  # delivered as 5e-06
    assert rows[0]["usage_amount_in_pricing_units"] == "0.000023198314011096954"
    assert rows[3]["labels"] == '{"goog-resource-type":"bigquery_resource"}'
    assert len(credits) == 8
    assert {c["type"] for c in credits} == {"PROMOTION"}
    # the file's own totals, read independently of the parser
    with KOKU_SAMPLE.open(encoding="utf-8", newline="") as handle:
        delivered = list(csv.DictReader(handle))
    cost = sum(Decimal(r["cost"]) for r in delivered)
    credit = sum(Decimal(repr(c["amount"])) for r in delivered for c in ast.literal_eval(r["credits"]))
    assert sum(Decimal(r["cost"]) for r in rows) == cost == Decimal("0.000032")
    assert sum(Decimal(c["amount"]) for c in credits) == credit == Decimal("-0.000032")
    assert {c["_source_row"] for c in credits} == {
        str(i) for i, r in enumerate(delivered, start=1) if r["credits"] != "[]"
    }


def test_csv_spanning_two_invoice_months_is_split_by_period(tmp_path: Path) -> None:
    october = {**RECORD, "invoice": {"month": "202610"}}
    path = write_csv(tmp_path / "export.csv", [csv_row(october), csv_row(RECORD), csv_row({**RECORD, "credits": []})])
    parsed = parse(path)
    assert parsed.periods == [date(2026, 9, 1), date(2026, 10, 1)]
    assert parsed.period_accounts == dict.fromkeys(parsed.periods, RECORD["billing_account_id"])
    september = parsed.for_period(date(2026, 9, 1))
    assert september.row_count == 2
    assert september.tables[RAW_TABLE].column("_source_row").to_pylist() == ["2", "3"]
    assert september.tables[CREDITS_TABLE].column("_source_row").to_pylist() == ["2", "2"]
    oct_part = parsed.for_period(date(2026, 10, 1))
    assert oct_part.tables[CREDITS_TABLE].column("_source_row").to_pylist() == ["1", "1"]
    assert "_billing_period_start" not in oct_part.tables[RAW_TABLE].column_names


def test_empty_invoice_month_in_a_multi_month_file_is_refused(tmp_path: Path) -> None:
    rows = [
        csv_row({**RECORD, "invoice": {"month": "202610"}}),
        csv_row(RECORD),
        csv_row({**RECORD, "invoice": {"month": ""}}),
    ]
    with pytest.raises(RejectedFile, match=r"row 3: invoice\.month is empty in a file spanning several invoice months"):
        parse(write_csv(tmp_path / "export.csv", rows))


def test_csv_without_invoice_month_is_refused_by_name(tmp_path: Path) -> None:
    index = CSV_HEADER.index("invoice.month")
    header = CSV_HEADER[:index] + CSV_HEADER[index + 1 :]
    row = csv_row(RECORD)
    with pytest.raises(RejectedFile, match="missing required column\\(s\\) invoice_month for a GCP billing export"):
        parse(write_csv(tmp_path / "export.csv", [row[:index] + row[index + 1 :]], header))


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("[{'name': 'x', 'amount': -1", "row 1, column credits: not JSON or a literal list"),
        ("__import__('os').system('true')", "row 1, column credits: not JSON or a literal list"),
        ("{'name': 'x'}", "row 1: credits must be a list of records"),
        ("[1, 2]", "row 1: credits must be records"),
        ("[{'name': 'x', 'amount': 'lots'}]", "row 1, credit 1, column amount: 'lots' is not a number"),
    ],
)
def test_bad_credits_cell_is_refused(tmp_path: Path, cell: str, message: str) -> None:
    row = csv_row(RECORD)
    row[CSV_HEADER.index("credits")] = cell
    with pytest.raises(RejectedFile, match=message.replace("(", "\\(").replace("[", "\\[")):
        parse(write_csv(tmp_path / "export.csv", [row]))


def test_bad_labels_cell_and_bad_cost_are_refused(tmp_path: Path) -> None:
    row = csv_row(RECORD)
    row[CSV_HEADER.index("labels")] = "[{'key': 'a'}, 3]"
    with pytest.raises(RejectedFile, match="row 1, column labels: not a key/value list"):
        parse(write_csv(tmp_path / "labels.csv", [row]))
    row = csv_row(RECORD)
    row[CSV_HEADER.index("cost")] = "12,5"
    with pytest.raises(RejectedFile, match="row 1, column cost: '12,5' is not a number"):
        parse(write_csv(tmp_path / "cost.csv", [row]))


def test_nested_value_reads_json_first_then_python_literals() -> None:
    assert nested_value('[{"amount": -0.1}]') == [{"amount": Decimal("-0.1")}]
    assert nested_value("[{'amount': -0.1, 'full_name': None}]") == [{"amount": -0.1, "full_name": None}]


def test_a_json_line_is_flattened_with_each_kind_of_value_as_raw_text(tmp_path: Path) -> None:
    """One pass flattens a JSON line and writes its values as text (gcp_billing._flat_text): numbers as delivered
    without trailing zeros or exponent, nulls and empty text as NULL, booleans, label arrays as JSON objects, other
    arrays as compact JSON, records as columns of their own; and a field whose name normalises to an earlier one's
    replaces it."""
    record = {
        **RECORD,
        "cost": Decimal("12.3400"),
        "cost_at_list": Decimal("1.5E-7"),
        "currency_conversion_rate": 1,
        "seller_name": None,
        "transaction_type": "",
        "system_labels": [],
        "tags": [{"key": "owner", "value": "ana"}, {"key": "tier", "value": None}],
        "adjustment_info": {"id": None, "mode": "MANUAL"},
        "is_preemptible": True,
        "resource": {"name": "vm-1", "ancestors": ["a", {"n": 2.5}]},
        "Usage.Unit": "hours",
    }
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(record, default=str).replace('"12.3400"', "12.3400").replace('"1.5E-7"', "1.5E-7"))
    parsed = parse(path)
    row = parsed.tables[RAW_TABLE].to_pylist()[0]
    assert row["cost"] == "12.34"
    assert row["cost_at_list"] == "0.00000015"
    assert row["currency_conversion_rate"] == "1"
    assert row["seller_name"] is None and row["transaction_type"] is None
    assert row["system_labels"] == "{}"
    assert row["tags"] == '{"owner":"ana","tier":""}'
    assert row["project_labels"] == '{"team":"ml"}'
    assert row["adjustment_info_id"] is None and row["adjustment_info_mode"] == "MANUAL"
    assert row["is_preemptible"] == "true"
    assert row["resource_name"] == "vm-1"
    assert row["resource_ancestors"] == '["a",{"n":2.5}]'
    assert row["usage_unit"] == "hours"  # `Usage.Unit` came after `usage.unit` and replaced it
    assert row["service_description"] == "Compute Engine"
    assert [c["amount"] for c in parsed.tables[CREDITS_TABLE].to_pylist()] == ["-1.2", "-0.0456789"]


@pytest.mark.parametrize(
    ("credits", "message"),
    [
        ('"none"', "line 2: credits must be a list of records"),
        ("[3]", "line 2: credits must be records"),
        ('[{"amount": "lots"}]', "row 2, credit 1, column amount: 'lots' is not a number"),
    ],
)
def test_a_json_line_with_credits_not_a_list_of_records_is_refused_with_its_line(
    tmp_path: Path, credits: str, message: str
) -> None:
    good = json.dumps(RECORD)
    bad = json.dumps({**RECORD, "credits": None}).replace('"credits": null', f'"credits": {credits}')
    path = tmp_path / "export.jsonl"
    path.write_text(f"{good}\n{bad}\n")
    with pytest.raises(RejectedFile, match=message):
        parse(path)
