"""Parsers: real formats in, all-text rows out; bad files refused with one clear line."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.common import decimal_text, key_value_json

AWS_COLUMNS = FORMATS["aws_cur"].required_columns


def write_cur(path: Path, rows: list[dict], extra: dict[str, pa.DataType] | None = None) -> Path:
    schema = {
        "bill_billing_period_start_date": pa.timestamp("ms"),
        "bill_billing_period_end_date": pa.timestamp("ms"),
        "bill_payer_account_id": pa.string(),
        "line_item_usage_account_id": pa.string(),
        "line_item_line_item_type": pa.string(),
        "line_item_usage_start_date": pa.timestamp("ms"),
        "line_item_usage_end_date": pa.timestamp("ms"),
        "line_item_product_code": pa.string(),
        "line_item_unblended_cost": pa.float64(),
        "line_item_currency_code": pa.string(),
        "resource_tags": pa.map_(pa.string(), pa.string()),
        **(extra or {}),
    }
    columns = {name: pa.array([r.get(name) for r in rows], type=kind) for name, kind in schema.items()}
    pq.write_table(pa.table(columns), path)
    return path


def cur_row(cost: float, **overrides: object) -> dict:
    row = {
        "bill_billing_period_start_date": datetime(2026, 9, 1),
        "bill_billing_period_end_date": datetime(2026, 10, 1),
        "bill_payer_account_id": "111122223333",
        "line_item_usage_account_id": "300000000101",
        "line_item_line_item_type": "Usage",
        "line_item_usage_start_date": datetime(2026, 9, 3, 10),
        "line_item_usage_end_date": datetime(2026, 9, 3, 11),
        "line_item_product_code": "AmazonEC2",
        "line_item_unblended_cost": cost,
        "line_item_currency_code": "USD",
        "resource_tags": [("user:project", "PRJ-001"), ("user:cost-center", "CC-2200")],
    }
    row.update(overrides)
    return row


def test_cur_parquet_keeps_exact_decimals_and_lineage(tmp_path: Path) -> None:
    path = write_cur(tmp_path / "cur.parquet", [cur_row(0.1), cur_row(1e-05), cur_row(123456.0123456789)])
    parsed = FORMATS["aws_cur"].parse(path)
    table = parsed.tables["aws_cur"]
    assert parsed.billing_period_start == date(2026, 9, 1)
    assert parsed.billing_account_id == "111122223333"
    costs = table.column("line_item_unblended_cost").to_pylist()
    assert costs == ["0.1", "0.00001", "123456.0123456789"]
    assert sum(Decimal(c) for c in costs) == Decimal("123456.1123556789")
    assert table.column("_source_row").to_pylist() == ["1", "2", "3"]
    assert table.column("line_item_usage_start_date").to_pylist()[0] == "2026-09-03 10:00:00"
    assert json.loads(table.column("resource_tags").to_pylist()[0]) == {
        "user:cost-center": "CC-2200",
        "user:project": "PRJ-001",
    }


def test_truncated_parquet_is_refused(tmp_path: Path) -> None:
    good = write_cur(tmp_path / "cur.parquet", [cur_row(1.0)] * 50)
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(RejectedFile, match="not a readable Parquet file"):
        FORMATS["aws_cur"].parse(truncated)


def test_missing_required_column_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "cur.parquet"
    table = pq.read_table(write_cur(path, [cur_row(1.0)])).drop(["line_item_unblended_cost"])
    pq.write_table(table, path)
    with pytest.raises(RejectedFile, match="missing required column\\(s\\) line_item_unblended_cost"):
        FORMATS["aws_cur"].parse(path)


def test_file_spanning_two_periods_is_refused(tmp_path: Path) -> None:
    path = write_cur(
        tmp_path / "cur.parquet",
        [cur_row(1.0), cur_row(1.0, bill_billing_period_start_date=datetime(2026, 10, 1))],
    )
    with pytest.raises(RejectedFile, match="spans 2 values of bill_billing_period_start_date"):
        FORMATS["aws_cur"].parse(path)


def test_azure_ea_export_with_bom_and_us_dates(fixtures_dir: Path) -> None:
    parsed = FORMATS["azure_cost"].parse(fixtures_dir / "third_party/finops-toolkit/EA_ActualCost_Small.csv")
    table = parsed.tables["azure_cost"]
    assert parsed.billing_period_start == date(2023, 9, 1)
    assert parsed.billing_account_id == "8611537"
    assert parsed.row_count == 11
    assert "billingaccountid" in table.column_names  # BOM dropped from the first header
    # `Cost` is the older EA name of CostInBillingCurrency; the value is kept exactly as delivered.
    total = sum(Decimal(v) for v in table.column("costinbillingcurrency").to_pylist())
    assert total == Decimal("8.5450077867419368")
    assert table.column("date").to_pylist()[0] == "2023-09-21 00:00:00"
    assert json.loads(table.column("tags").to_pylist()[1])["CostCenter"] == "1234"


def test_header_only_export_is_refused(fixtures_dir: Path) -> None:
    with pytest.raises(RejectedFile, match="no data rows"):
        FORMATS["azure_cost"].parse(fixtures_dir / "third_party/finops-toolkit/EA_NoRows.csv")


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(RejectedFile, match="empty file"):
        FORMATS["onprem"].parse(path)


ONPREM_HEADER = "datacenter_id,billing_period_start,usage_start,usage_end,project,vm_name,cost,currency\n"


def test_unparseable_date_names_row_column_and_value(tmp_path: Path) -> None:
    path = tmp_path / "meters.csv"
    path.write_text(
        ONPREM_HEADER
        + "DC-LON1,2026-09-01,2026-09-01T00:00:00Z,2026-09-02T00:00:00Z,PRJ-001,vm-1,10.50,USD\n"
        + "DC-LON1,2026-09-01,31/09/2026,2026-09-02T00:00:00Z,PRJ-001,vm-2,1.25,USD\n",
        encoding="utf-8",
    )
    with pytest.raises(RejectedFile, match=r"row 2, column usage_start: '31/09/2026' is not a date"):
        FORMATS["onprem"].parse(path)


def test_ragged_csv_row_is_refused_as_truncated(tmp_path: Path) -> None:
    path = tmp_path / "meters.csv"
    path.write_text(ONPREM_HEADER + "DC-LON1,2026-09-01,2026-09-01T00:00:00Z\n", encoding="utf-8")
    with pytest.raises(RejectedFile, match="row 1 has 3 fields but the header has 8"):
        FORMATS["onprem"].parse(path)


def test_non_numeric_cost_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "meters.csv"
    path.write_text(
        ONPREM_HEADER + "DC-LON1,2026-09-01,2026-09-01T00:00:00Z,2026-09-02T00:00:00Z,PRJ-001,vm-1,12;50,USD\n",
        encoding="utf-8",
    )
    with pytest.raises(RejectedFile, match="column cost: '12;50' is not a number"):
        FORMATS["onprem"].parse(path)


def test_gcp_json_lines_flatten_and_split_credits(tmp_path: Path) -> None:
    record = {
        "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
        "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
        "usage_start_time": "2026-09-01T00:00:00Z",
        "usage_end_time": "2026-09-01T01:00:00Z",
        "project": {"id": "cb-ml-training", "labels": [{"key": "team", "value": "ml"}]},
        "labels": [{"key": "project", "value": "PRJ-031"}],
        "cost": 12.3456789,
        "currency": "USD",
        "credits": [
            {"name": "Sustained use", "amount": -1.2, "type": "SUSTAINED_USAGE_DISCOUNT"},
            {"name": "Promo", "amount": -0.0456789, "type": "PROMOTION"},
        ],
        "invoice": {"month": "202609"},
        "cost_type": "regular",
    }
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps(record) + "\n" + json.dumps({**record, "credits": []}) + "\n", encoding="utf-8")
    parsed = FORMATS["gcp_billing"].parse(path)
    rows = parsed.tables["gcp_billing"].to_pylist()
    credits = parsed.tables["gcp_billing_credits"].to_pylist()
    assert parsed.billing_period_start == date(2026, 9, 1)
    assert rows[0]["service_description"] == "Compute Engine"
    assert rows[0]["project_id"] == "cb-ml-training"
    assert json.loads(rows[0]["labels"]) == {"project": "PRJ-031"}
    assert rows[0]["usage_start_time"] == "2026-09-01 00:00:00"
    assert [(c["_source_row"], c["credit_index"], c["amount"]) for c in credits] == [
        ("1", "1", "-1.2"),
        ("1", "2", "-0.0456789"),
    ]
    net = Decimal(rows[0]["cost"]) + sum(Decimal(c["amount"]) for c in credits)
    assert net == Decimal("11.1")


def test_truncated_json_lines_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    path.write_text('{"billing_account_id": "01A2B3", "cost": 1.0, "invoice": {"mon', encoding="utf-8")
    with pytest.raises(RejectedFile, match="line 1: not valid JSON"):
        FORMATS["gcp_billing"].parse(path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1, "0.1"), (1e-05, "0.00001"), (-0.0, "0"), (Decimal("12.3400"), "12.34"), (100.0, "100")],
)
def test_decimal_text_is_the_shortest_exact_decimal(value: object, expected: str) -> None:
    assert decimal_text(value) == expected


def test_azure_braceless_tags_become_json() -> None:
    assert key_value_json('"project": "PRJ-012",  "cost-center": "CC-1100"') == (
        '{"cost-center":"CC-1100","project":"PRJ-012"}'
    )


def test_label_arrays_become_json_objects_with_every_value_as_delivered() -> None:
    # BigQuery label arrays repeat on every line (their JSON is kept for the next line with the same labels); a value
    # that is a number is written as delivered, however an equal number was written before it.
    labels = [{"key": "team", "value": "ml"}, {"key": "env", "value": None}, {"key": "team", "value": "data"}]
    for _ in range(2):
        assert key_value_json(labels) == '{"env":"","team":"data"}'
    assert key_value_json([]) == "{}"
    assert key_value_json([{"key": "cores", "value": Decimal("1.1")}]) == '{"cores":"1.1"}'
    assert key_value_json([{"key": "cores", "value": Decimal("1.10")}]) == '{"cores":"1.10"}'
    assert key_value_json([{"key": "zone", "value": "eu", "extra": 1}, ("tier", 2)]) == '{"tier":"2","zone":"eu"}'
