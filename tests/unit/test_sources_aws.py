"""AWS CUR parser: every CUR delivery AWS makes onto the canonical snake_case raw columns, or one clear refusal."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.aws_cur import cur_column_name

THIRD_PARTY = Path(__file__).resolve().parents[1] / "fixtures" / "third_party"


def parse(relative: str | Path) -> dict[str, list]:
    parsed = FORMATS["aws_cur"].parse(THIRD_PARTY / relative if isinstance(relative, str) else relative)
    return {"_parsed": [parsed], **parsed.tables["aws_cur"].to_pydict()}


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("lineItem/UnblendedCost", "line_item_unblended_cost"),
        ("bill/PayerAccountId", "bill_payer_account_id"),
        ("bill/BillingPeriodStartDate", "bill_billing_period_start_date"),
        ("lineItem/LineItemType", "line_item_line_item_type"),
        ("pricing/publicOnDemandCost", "pricing_public_on_demand_cost"),
        ("savingsPlan/SavingsPlanARN", "savings_plan_savings_plan_arn"),
        (
            "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
            "reservation_unused_amortized_upfront_fee_for_billing_period",
        ),
        ("product/ProductName", "product_product_name"),
        ("product/usagetype", "product_usagetype"),
        ("line_item_unblended_cost", "line_item_unblended_cost"),
        ("resourceTags/user:project", "resource_tags/user:project"),
        ("costCategory/Charge type", "cost_category/Charge type"),
        ("resource_tags_user_cost_center", "resource_tags/user:cost_center"),
    ],
)
def test_cur_v1_headers_map_onto_canonical_names(header: str, name: str) -> None:
    assert cur_column_name(header) == name


def test_legacy_cur_v1_csv_loads_with_canonical_columns() -> None:
    table = parse("focus_converters/sample-anonymous-aws-export-dataset.csv")
    [parsed] = table["_parsed"]
    assert parsed.billing_period_start == date(2023, 11, 1)
    assert parsed.billing_account_id == "123412340534"
    assert parsed.row_count == 1281
    assert sum(Decimal(v) for v in table["line_item_unblended_cost"]) == Decimal("1.6823086974")
    assert table["bill_billing_period_start_date"][0] == "2023-11-01 00:00:00"
    # not final: AWS leaves the invoice id empty until the bill is issued; the column is kept
    assert set(table["bill_invoice_id"]) == {None}
    # every delivered column is kept, under its canonical name
    assert {"identity_line_item_id", "product_servicecode", "savings_plan_savings_plan_arn"} <= set(table)
    assert len(table) - 2 == 94  # 94 delivered columns (+ _source_row, and the _parsed helper)


def test_cost_category_columns_fold_into_a_map_and_invoice_id_tells_final() -> None:
    final = parse("koku/aws/2023-06-01.csv")
    not_final = parse("koku/aws/2023-06-01-not-final.csv")
    assert json.loads(final["cost_category"][0]) == {"cost_env": "prod", "name": "compute", "qe_source": "aws-single"}
    assert not any(c.startswith("cost_category_") or "/" in c for c in final)
    assert set(final["bill_invoice_id"]) == {"987654321"}
    assert set(not_final["bill_invoice_id"]) == {None}
    # a typo'd header in the sample is an unknown column: kept, never dropped
    assert "pricing_offering_classpricing_purchase_option" in final


def test_athena_snake_case_export_loads_and_folds_flat_tags() -> None:
    table = parse("koku/aws/2022-07-01-alt-columns.csv")
    [parsed] = table["_parsed"]
    assert parsed.billing_period_start == date(2022, 7, 1)
    assert json.loads(table["resource_tags"][0]) == {"aws:created_by": "IAMUser:fake:and"}
    assert "resource_tags_user_insights_project" not in table


def test_resource_tags_keep_the_aws_key(tmp_path: Path) -> None:
    path = tmp_path / "cur.csv.gz"
    header = (
        "bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,bill/PayerAccountId,lineItem/UsageAccountId,"
        "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,"
        "lineItem/UnblendedCost,lineItem/CurrencyCode,resourceTags/user:project,resourceTags/user:Cost Center,"
        "lineItem/NewColumnFromAws\n"
    )
    row = (
        "2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,111122223333,300000000101,Usage,2026-09-03T10:00:00Z,"
        "2026-09-03T11:00:00Z,AmazonEC2,1.5E-05,USD,PRJ-001,,x\n"
    )
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write(header + row)
    table = parse(path)
    assert json.loads(table["resource_tags"][0]) == {"user:project": "PRJ-001"}  # empty tag value: no key
    assert table["line_item_unblended_cost"] == ["0.000015"]  # scientific notation -> plain decimal text
    assert table["line_item_new_column_from_aws"] == ["x"]


def test_a_legacy_cur_with_tags_and_cost_categories_keeps_both(tmp_path: Path) -> None:
    """Folding the cost categories first once took the tag columns with them: every line's tags were `{}`, and
    allocation by tag found nothing."""
    path = tmp_path / "cur.csv"
    path.write_text(
        "bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,bill/PayerAccountId,lineItem/UsageAccountId,"
        "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,lineItem/ProductCode,"
        "lineItem/UnblendedCost,lineItem/CurrencyCode,costCategory/Unit,resourceTags/user:cost-center\n"
        "2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,111122223333,300000000101,Usage,2026-09-03T10:00:00Z,"
        "2026-09-03T11:00:00Z,AmazonEC2,2.5,USD,Retail,CC-2200\n",
        encoding="utf-8",
    )
    table = parse(path)
    assert table["resource_tags"] == ['{"user:cost-center":"CC-2200"}']
    assert table["cost_category"] == ['{"Unit":"Retail"}']


def test_malformed_cur_is_refused() -> None:
    with pytest.raises(RejectedFile, match="row 1 has 130 fields but the header has 131"):
        parse("koku/aws/test_cur.csv")


def test_sparse_seed_without_costs_is_refused_naming_the_column() -> None:
    with pytest.raises(RejectedFile, match="column line_item_unblended_cost is empty on 20 of 20 rows"):
        parse("fivetran-dbt_aws_cloud_cost/aws_cost_report.csv")


def test_unparseable_cost_is_refused(tmp_path: Path) -> None:
    with (THIRD_PARTY / "koku/aws/2023-06-01.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    rows[1][header.index("lineItem/UnblendedCost")] = "ten"
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    with pytest.raises(RejectedFile, match="row 2, column line_item_unblended_cost: 'ten' is not a number"):
        parse(path)


def test_missing_mandatory_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cur.csv"
    path.write_text("bill/PayerAccountId,lineItem/UnblendedCost\n1234,1.0\n", encoding="utf-8")
    with pytest.raises(RejectedFile, match="missing required column\\(s\\) bill_billing_period_start_date"):
        parse(path)
