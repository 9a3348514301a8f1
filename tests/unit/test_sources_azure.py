"""Azure cost details parser: EA, MCA and pay-as-you-go, actual or amortized, headers matched by name."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from orchestration.sources import FORMATS, RejectedFile
from orchestration.sources.azure_cost import azure_column_names

THIRD_PARTY = Path(__file__).resolve().parents[1] / "fixtures" / "third_party"


def parse(relative: str | Path) -> tuple[object, dict[str, list]]:
    parsed = FORMATS["azure_cost"].parse(THIRD_PARTY / relative if isinstance(relative, str) else relative)
    return parsed, parsed.tables["azure_cost"].to_pydict()


def total(table: dict[str, list]) -> Decimal:
    return sum((Decimal(v) for v in table["costinbillingcurrency"]), Decimal(0))


def test_headers_match_by_alias_not_position() -> None:
    assert azure_column_names(
        ["\ufeffSubscriptionGuid", "UsageDateTime", "PreTaxCost", "Currency", "UsageQuantity", "InstanceId"]
    ) == ["subscriptionid", "date", "costinbillingcurrency", "billingcurrency", "quantity", "resourceid"]
    # a delivered canonical column wins; the alias is kept as delivered
    assert azure_column_names(["costInBillingCurrency", "Cost"]) == ["costinbillingcurrency", "cost"]


def test_localized_header_maps_to_the_english_name_in_parentheses() -> None:
    assert azure_column_names(
        ["Coste (CostInBillingCurrency)", "Fecha (Date)", "Moneda de facturación (BillingCurrency)"]
    ) == [
        "costinbillingcurrency",
        "date",
        "billingcurrency",
    ]


def test_ea_export_in_cad_with_scientific_notation() -> None:
    parsed, table = parse("focus_converters/sample-anonymous-ea-export-dataset.csv")
    assert parsed.billing_period_start == date(2023, 9, 1)  # 9/1/2023
    assert parsed.billing_account_id == "12345678"
    assert set(table["billingcurrency"]) == {"CAD"}  # delivered as BillingCurrencyCode
    assert "0.0000564902" in table["costinbillingcurrency"]  # delivered as 5.64902E-05
    assert total(table) == Decimal("1.26136926505726")
    assert json.loads(table["tags"][0]) == {"tagA": "valueA", "tagB": "valueB", "tagC": "valueC"}
    assert set(table["x_cost_dataset"]) == {"ActualCost"}


def test_amortized_export_is_told_by_its_file_name() -> None:
    parsed, table = parse("finops-toolkit/EA_AmortizedCost_Small.csv")
    assert parsed.billing_period_start == date(2023, 9, 1)
    assert set(table["x_cost_dataset"]) == {"AmortizedCost"}
    assert parsed.dataset == "AmortizedCost"  # the delivery's identity: it never replaces an actual-cost export
    assert total(table) == Decimal("16.29693213663664462748541900")


def test_amortized_content_under_an_actual_cost_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "EA_Costs.csv"
    path.write_bytes((THIRD_PARTY / "finops-toolkit/EA_AmortizedCost_Small.csv").read_bytes())
    with pytest.raises(RejectedFile, match="Reservation usage with a non-zero costinbillingcurrency"):
        parse(path)


def test_mca_camel_case_with_empty_billing_period_derives_the_month() -> None:
    parsed, table = parse("koku/azure/camel_azure_version_2.csv")
    assert parsed.billing_period_start == date(2023, 8, 1)
    assert parsed.billing_account_id == "3c100a8a-215e-5a7e-24b2-61aa86945012"
    assert set(table["billingperiodstartdate"]) == {None}  # raw keeps what was delivered
    assert table["date"][0] == "2023-08-01 00:00:00"
    assert total(table) == Decimal("0.0000262412")
    assert {"costinusd", "exchangeratepricingtobilling", "invoiceid"} <= set(table)  # unknown columns kept


def test_empty_billing_period_spanning_two_months_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mca.csv"
    path.write_text(
        "billingAccountId,billingPeriodStartDate,billingPeriodEndDate,subscriptionId,date,costInBillingCurrency,"
        "billingCurrency\n"
        "A1,,,S1,08/31/2023,1.00,USD\n"
        "A1,,,S1,09/01/2023,2.00,USD\n",
        encoding="utf-8",
    )
    with pytest.raises(RejectedFile, match="column date spans 2 months \\(2023-08, 2023-09\\)"):
        parse(path)


@pytest.mark.parametrize(
    ("relative", "account", "period", "cost"),
    [
        (
            "opencost/azure-billingexports/headersets/PayAsYouGo.csv",
            "11111111-12ab-34dc-56ef-123456abcdef",
            date(2021, 2, 1),
            "0.075",
        ),
        ("koku/azure/azure_camelCased.csv", "2639de71-ca37-4a17-a104-17665a50e7fc", date(2019, 7, 1), "0.00011016"),
    ],
)
def test_pay_as_you_go_export_is_billed_to_its_subscription(
    relative: str, account: str, period: date, cost: str
) -> None:
    parsed, table = parse(relative)
    assert parsed.billing_account_id == account
    assert parsed.billing_period_start == period
    assert total(table) == Decimal(cost)
    assert "billingaccountid" not in table


def test_one_row_enterprise_headerset_loads() -> None:
    parsed, table = parse("opencost/azure-billingexports/headersets/Enterprise.csv")
    assert parsed.billing_period_start == date(2021, 5, 1)
    assert parsed.row_count == 1
    assert set(table["billingcurrency"]) == {"CAD"}


@pytest.mark.parametrize(
    ("relative", "message"),
    [
        ("finops-toolkit/EA_NoRows.csv", "no data rows"),
        ("koku/azure/azure_version_2.csv", "row 1, column billingcurrency: 'MC' is not an ISO 4217 currency code"),
        (
            "opencost/azure-billingexports/headersets/EnterpriseCamel.csv",
            "missing required column\\(s\\) billingaccountid ",
        ),
        ("opencost/azure-billingexports/values/Template.csv", "row 1 has 10 fields but the header has 11"),
        (
            "opencost/azure-billingexports/values/VirtualMachine.csv",
            "missing required column\\(s\\) billingperiodstartdate, billingperiodenddate, billingcurrency ",
        ),
    ],
)
def test_unusable_samples_are_refused_with_one_clear_line(relative: str, message: str) -> None:
    with pytest.raises(RejectedFile, match=message):
        parse(relative)


def test_text_in_a_money_column_is_refused_naming_row_and_column(tmp_path: Path) -> None:
    # a real export whose cost column changed type on one row: EA_ActualCost_Small.csv, row 3's Cost replaced
    with (THIRD_PARTY / "finops-toolkit/EA_ActualCost_Small.csv").open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    rows[2][header.index("Cost")] = "n/a"
    path = tmp_path / "EA_ActualCost_Small.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    with pytest.raises(RejectedFile, match="row 3, column costinbillingcurrency: 'n/a' is not a number"):
        parse(path)


def test_empty_cost_is_refused_not_null_filled(tmp_path: Path) -> None:
    path = tmp_path / "ea.csv"
    path.write_text(
        "BillingAccountId,BillingPeriodStartDate,BillingPeriodEndDate,SubscriptionId,Date,CostInBillingCurrency,"
        "BillingCurrency\n"
        "A1,09/01/2023,09/30/2023,S1,09/02/2023,,USD\n",
        encoding="utf-8",
    )
    with pytest.raises(RejectedFile, match="column costinbillingcurrency is empty on 1 of 1 rows"):
        parse(path)
