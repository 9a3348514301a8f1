"""Real AWS and Azure exports in, FOCUS out: per sample file, the provider's own totals equal the FOCUS totals.

Each sample (tests/fixtures/third_party, provenance beside each file) is landed, ingested with the production
ingest step and normalized with dbt (`+focus_cost_and_usage`) into a temporary warehouse. The expected totals
are computed here, independently of the parsers and of dbt, from the sample file itself with Python's Decimal:

* billed: AWS Σ `lineItem/UnblendedCost`, Azure Σ cost in billing currency; FOCUS BilledCost;
* amortized: AWS's amortized cost by line item type, Azure's amortized export cost; FOCUS EffectiveCost.

The warehouse holds money as DECIMAL(38,10), so each delivered amount counts rounded half away from zero to
10 decimal places (what the cast from text does); the rest is exact.

Refused samples are quarantined by the same ingest with one line naming the problem.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.landing import ingest_source
from tests.integration.dbt_build import dbt_build

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "third_party"
MONEY_STEP = Decimal("0.0000000001")

AWS_LOADED = (
    "focus_converters/sample-anonymous-aws-export-dataset.csv",
    "koku/aws/2022-07-01-alt-columns.csv",
    "koku/aws/2023-06-01.csv",
    "koku/aws/2023-06-01-not-final.csv",
)
AZURE_LOADED = (
    "finops-toolkit/EA_ActualCost_Small.csv",
    "focus_converters/sample-anonymous-ea-export-dataset.csv",
    "koku/azure/azure_camelCased.csv",
    "koku/azure/camel_azure_version_2.csv",
    "opencost/azure-billingexports/headersets/Enterprise.csv",
    "opencost/azure-billingexports/headersets/PayAsYouGo.csv",
)
# The amortized export of the same EA account and month as EA_ActualCost_Small.csv would pair with it (an
# inconsistent pair: two unrelated samples): it loads alone, into the Azure scenarios warehouse.
AZURE_AMORTIZED = ("finops-toolkit/EA_AmortizedCost_Small.csv",)
CONSTRUCTED = FIXTURES.parent / "constructed"
# Schema drift: a real MCA export, then its re-delivery with one more column (constructed, PROVENANCE.md).
DRIFT_ORIGINAL = "azure_cost/mca/camel_azure_version_2.csv"
DRIFT_REDELIVERY = "azure_cost/mca/camel_azure_version_2_new_column.csv"
# Actual and amortized exports of one EA account and month (constructed, PROVENANCE.md), delivered in this order:
# the actual export, the amortized one, then the actual export again (complete).
PAIR_FIXTURES = CONSTRUCTED / "azure_cost"
PAIR_ACTUAL_1 = "azure_cost/ea-8611537/2023-10/ActualCost_delivery1.csv"
PAIR_AMORTIZED = "azure_cost/ea-8611537/2023-10/AmortizedCost.csv"
PAIR_ACTUAL_2 = "azure_cost/ea-8611537/2023-10/ActualCost_delivery2.csv"
REFUSED = {
    ("aws_cur", "koku/aws/test_cur.csv"): "row 1 has 130 fields but the header has 131",
    ("aws_cur", "fivetran-dbt_aws_cloud_cost/aws_cost_report.csv"): (
        "column line_item_unblended_cost is empty on 20 of 20 rows"
    ),
    ("azure_cost", "finops-toolkit/EA_NoRows.csv"): "no data rows",
    ("azure_cost", "koku/azure/azure_version_2.csv"): "column billingcurrency: 'MC' is not an ISO 4217 currency code",
    ("azure_cost", "opencost/azure-billingexports/headersets/EnterpriseCamel.csv"): (
        "missing required column(s) billingaccountid"
    ),
    ("azure_cost", "opencost/azure-billingexports/values/Template.csv"): "row 1 has 10 fields but the header has 11",
    ("azure_cost", "opencost/azure-billingexports/values/VirtualMachine.csv"): (
        "missing required column(s) billingperiodstartdate, billingperiodenddate, billingcurrency"
    ),
}


def money(text: str | None) -> Decimal:
    """A delivered amount as the warehouse holds it (DECIMAL(38,10)); empty is 0."""
    if text is None or text.strip() == "":
        return Decimal(0)
    return Decimal(text.strip()).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def sample_rows(relative: str) -> list[dict[str, str]]:
    with (FIXTURES / relative).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def pick(row: dict[str, str], *names: str) -> str | None:
    """The value of the first header spelling the sample uses (AWS v1 `lineItem/X` or snake_case)."""
    for name in names:
        if name in row:
            return row[name]
    return None


def aws_expected(relative: str) -> tuple[Decimal, Decimal]:
    """(billed, amortized) as AWS defines them, read straight from the CUR file."""
    billed = amortized = Decimal(0)
    for row in sample_rows(relative):
        kind = pick(row, "lineItem/LineItemType", "line_item_line_item_type")
        unblended = money(pick(row, "lineItem/UnblendedCost", "line_item_unblended_cost"))

        def col(v1: str, snake: str, row: dict[str, str] = row) -> Decimal:
            return money(pick(row, v1, snake))

        # FOCUS bills covered usage through the commitment's fees (0) and drops its negation; in a complete
        # CUR the two cancel, so this is Σ unblended cost.
        if kind not in ("SavingsPlanCoveredUsage", "SavingsPlanNegation"):
            billed += unblended
        if kind == "SavingsPlanCoveredUsage":
            amortized += col("savingsPlan/SavingsPlanEffectiveCost", "savings_plan_savings_plan_effective_cost")
        elif kind in ("SavingsPlanNegation", "SavingsPlanUpfrontFee"):
            pass
        elif kind == "SavingsPlanRecurringFee":
            amortized += col("savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date") - col(
                "savingsPlan/UsedCommitment", "savings_plan_used_commitment"
            )
        elif kind == "DiscountedUsage":
            amortized += col("reservation/EffectiveCost", "reservation_effective_cost")
        elif kind == "RIFee":
            amortized += col(
                "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
                "reservation_unused_amortized_upfront_fee_for_billing_period",
            ) + col("reservation/UnusedRecurringFee", "reservation_unused_recurring_fee")
        else:
            amortized += unblended
    return billed, amortized


def azure_expected(relative: str, *, amortized_export: bool) -> tuple[Decimal, Decimal]:
    """(billed, amortized) read straight from the Azure file (cost column spelled as that export spells it)."""
    billed = amortized = Decimal(0)
    for row in sample_rows(relative):
        lower = {k.lower(): v for k, v in row.items()}
        cost = money(pick(lower, "costinbillingcurrency", "cost", "pretaxcost"))
        amortized += cost
        commitment_usage = lower.get("chargetype", "Usage") in ("Usage", "") and lower.get("pricingmodel") in (
            "Reservation",
            "SavingsPlan",
        )
        unused = lower.get("chargetype") in ("UnusedReservation", "UnusedSavingsPlan")
        if not (amortized_export and (commitment_usage or unused)):
            billed += cost
    return billed, amortized


@dataclass
class Warehouse:
    path: Path
    log: list[str] = field(default_factory=list)  # the ingest's log lines

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def build_warehouse(
    root: Path, samples: dict[str, tuple[str, ...]], deliveries: tuple[tuple[str, Path], ...] = ()
) -> Warehouse:
    """Land the samples (under <source>/<fixture path>) and `deliveries` ((landing path, file), in delivery order),
    ingest every source, build FOCUS with dbt."""
    landing = root / "landing"
    for source, names in samples.items():
        for name in names:
            target = landing / source / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(FIXTURES / name, target)
    for order, (relative, fixture) in enumerate(deliveries, start=1):
        target = landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fixture, target)
        os.utime(target, (1_000_000 + order, 1_000_000 + order))  # in this order, before the copied samples
    path = root / "warehouse.duckdb"
    warehouse = Warehouse(path)
    with duckdb.connect(str(path)) as con:
        for source in {*samples, *(relative.split("/")[0] for relative, _ in deliveries)}:
            ingest_source(con, source, landing, root / "quarantine", log=warehouse.log.append)
    dbt_build(path, "+focus_cost_and_usage", root)
    return warehouse


@pytest.fixture(scope="module")
def samples_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    refused: dict[str, list[str]] = {}
    for source, name in REFUSED:
        refused.setdefault(source, []).append(name)
    yield build_warehouse(
        tmp_path_factory.mktemp("samples"),
        {
            "aws_cur": AWS_LOADED + tuple(refused["aws_cur"]),
            "azure_cost": AZURE_LOADED + tuple(refused["azure_cost"]),
        },
    )


@pytest.fixture(scope="module")
def azure_scenarios(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """Azure deliveries whose order matters, in one warehouse and one dbt build: the amortized EA sample alone;
    a real MCA export re-delivered with a new column; an actual + amortized pair whose actual export is
    re-delivered."""
    yield build_warehouse(
        tmp_path_factory.mktemp("azure-scenarios"),
        {"azure_cost": AZURE_AMORTIZED},
        (
            (DRIFT_ORIGINAL, FIXTURES / "koku" / "azure" / "camel_azure_version_2.csv"),
            (DRIFT_REDELIVERY, CONSTRUCTED / "azure_cost" / "camel_azure_version_2_new_column.csv"),
            (PAIR_ACTUAL_1, PAIR_FIXTURES / "ea_2023-10_actual_delivery1.csv"),
            (PAIR_AMORTIZED, PAIR_FIXTURES / "ea_2023-10_amortized.csv"),
            (PAIR_ACTUAL_2, PAIR_FIXTURES / "ea_2023-10_actual_delivery2.csv"),
        ),
    )


def focus_totals(warehouse: Warehouse, source: str, relative: str) -> tuple[int, Decimal, Decimal]:
    [(rows, billed, effective)] = warehouse.query(
        """
        select count(*), coalesce(sum(BilledCost), 0), coalesce(sum(EffectiveCost), 0)
        from marts.focus_cost_and_usage where x_SourceFile = ?
        """,
        [f"{source}/{relative}"],
    )
    return rows, billed, effective


@pytest.mark.parametrize("relative", AWS_LOADED)
def test_aws_sample_totals_are_conserved_into_focus(samples_warehouse: Warehouse, relative: str) -> None:
    expected_billed, expected_amortized = aws_expected(relative)
    rows, billed, effective = focus_totals(samples_warehouse, "aws_cur", relative)
    assert rows > 0
    assert billed == expected_billed
    assert effective == expected_amortized


@pytest.mark.parametrize("relative", AZURE_LOADED)
def test_azure_actual_sample_totals_are_conserved_into_focus(samples_warehouse: Warehouse, relative: str) -> None:
    expected_billed, expected_amortized = azure_expected(relative, amortized_export=False)
    rows, billed, effective = focus_totals(samples_warehouse, "azure_cost", relative)
    assert rows == len(sample_rows(relative))
    assert billed == expected_billed
    assert effective == expected_amortized == expected_billed


def test_azure_amortized_export_effective_cost_is_the_amortized_cost(azure_scenarios: Warehouse) -> None:
    [relative] = AZURE_AMORTIZED
    expected_billed, expected_amortized = azure_expected(relative, amortized_export=True)
    rows, billed, effective = focus_totals(azure_scenarios, "azure_cost", relative)
    assert rows == 28
    assert effective == expected_amortized
    assert billed == expected_billed
    # one reservation and one savings plan usage row: amortized cost, billed through the commitment
    assert expected_amortized - expected_billed == money("0.493152") + money("0.006000000468")
    committed = azure_scenarios.query(
        """
        select CommitmentDiscountType, CommitmentDiscountStatus, BilledCost, EffectiveCost
        from marts.focus_cost_and_usage where CommitmentDiscountId is not null and x_SourceFile = ? order by 1
        """,
        [f"azure_cost/{relative}"],
    )
    assert committed == [
        ("Reservation", "Used", Decimal(0), money("0.493152")),
        ("Savings Plan", "Used", Decimal(0), money("0.006000000468")),
    ]


def test_a_new_column_is_kept_reported_and_carried_into_focus(azure_scenarios: Warehouse) -> None:
    """A re-delivery bringing a column the previous delivery did not have: the ingest says so in one line and
    records it; the re-delivery supersedes the original as usual; the value reaches FOCUS x_UnmappedColumns, and
    the money is unchanged."""
    assert (
        f"{DRIFT_REDELIVERY}: new column(s) emissionskgco2e not in the previous delivery {DRIFT_ORIGINAL}; kept as "
        "text in raw.azure_cost and, where staging does not map them, in FOCUS x_UnmappedColumns"
    ) in azure_scenarios.log
    audit = azure_scenarios.query(
        "select path, status, new_columns from audit.ingested_files where path like 'azure_cost/mca/%' order by path"
    )
    assert audit == [
        (DRIFT_ORIGINAL, "superseded", None),
        (DRIFT_REDELIVERY, "loaded", "emissionskgco2e"),
    ]
    unmapped = azure_scenarios.query(
        """
        select x_SourceRow, json_extract_string(x_UnmappedColumns, '$.emissionskgco2e'),
               json_extract_string(x_UnmappedColumns, '$.location')
        from marts.focus_cost_and_usage where x_SourceFile = ? order by x_SourceRow
        """,
        [DRIFT_REDELIVERY],
    )
    # row 2 delivered no value: no key (the sample's own unmapped Location column is there on every row)
    assert unmapped == [
        (1, "0.0125", "US East"),
        (2, None, "US East"),
        (3, "0.0031", "US East"),
        (4, "0.00042", "US East 2"),
    ]
    original = "koku/azure/camel_azure_version_2.csv"
    expected_billed, expected_amortized = azure_expected(original, amortized_export=False)
    rows, billed, effective = focus_totals(azure_scenarios, "azure_cost", DRIFT_REDELIVERY.removeprefix("azure_cost/"))
    assert (rows, billed, effective) == (4, expected_billed, expected_amortized)


def constructed_total(name: str) -> Decimal:
    with (PAIR_FIXTURES / name).open(encoding="utf-8-sig", newline="") as handle:
        return sum((money(row["Cost"]) for row in csv.DictReader(handle)), Decimal(0))


def test_a_redelivered_actual_export_supersedes_only_the_actual_export(azure_scenarios: Warehouse) -> None:
    audit = azure_scenarios.query(
        """
        select path, status, dataset, superseded_by from audit.ingested_files
        where path like 'azure_cost/ea-8611537/2023-10/%' order by loaded_at
        """
    )
    assert audit == [
        (PAIR_ACTUAL_1, "superseded", "ActualCost", PAIR_ACTUAL_2),
        (PAIR_AMORTIZED, "loaded", "AmortizedCost", None),
        (PAIR_ACTUAL_2, "loaded", "ActualCost", None),
    ]


def test_paired_exports_bill_the_actual_total_and_amortize_the_amortized_total(azure_scenarios: Warehouse) -> None:
    """Both exports of October 2023: FOCUS takes every charge of the amortized export plus the commitment purchases
    and refunds only the actual export carries; Σ BilledCost = the actual export's total, Σ EffectiveCost = the
    amortized export's total, exactly, and the provider totals the reconciliation compares with are the same."""
    billed, amortized = (
        constructed_total("ea_2023-10_actual_delivery2.csv"),
        constructed_total("ea_2023-10_amortized.csv"),
    )
    assert (billed, amortized) == (Decimal("8.31108368"), Decimal("8.81108368"))
    focus = azure_scenarios.query(
        """
        select count(*), sum(BilledCost), sum(EffectiveCost) from marts.focus_cost_and_usage
        where x_Source = 'azure_cost' and BillingAccountId = '8611537' and x_BillingPeriodStartDate = '2023-10-01'
        """
    )
    assert focus == [(10, billed, amortized)]  # 7 amortized rows + 3 commitment purchases and refunds
    provider = azure_scenarios.query(
        """
        select sum(x_billed_cost), sum(x_amortized_cost), bool_and(is_paired_export)
        from staging.stg_azure_cost__cost_details where billing_period_start = '2023-10-01'
        """
    )
    assert provider == [(billed, amortized, True)]
    commitments = azure_scenarios.query(
        """
        select x_SourceFile, ChargeCategory, CommitmentDiscountType, CommitmentDiscountStatus, BilledCost,
               EffectiveCost
        from marts.focus_cost_and_usage
        where x_BillingPeriodStartDate = '2023-10-01' and CommitmentDiscountId is not null
        order by x_SourceFile, BilledCost, EffectiveCost
        """
    )
    zero = Decimal(0)
    assert commitments == [
        # the purchases and the refund, billed as the actual export bills them; amortized: 0 (FOCUS)
        (PAIR_ACTUAL_2, "Credit", "Reservation", None, money("-0.5"), zero),
        (PAIR_ACTUAL_2, "Purchase", "Savings Plan", None, money("0.75"), zero),
        (PAIR_ACTUAL_2, "Purchase", "Reservation", None, money("3.25"), zero),
        # covered usage and unused commitment at amortized cost, billed through the purchases
        (PAIR_AMORTIZED, "Usage", "Savings Plan", "Unused", zero, money("0.044")),
        (PAIR_AMORTIZED, "Usage", "Reservation", "Unused", zero, money("0.291096")),
        (PAIR_AMORTIZED, "Usage", "Savings Plan", "Used", zero, money("0.706")),
        (PAIR_AMORTIZED, "Usage", "Reservation", "Used", zero, money("2.958904")),
    ]
    on_demand = azure_scenarios.query(
        """
        select distinct x_SourceFile from marts.focus_cost_and_usage
        where x_BillingPeriodStartDate = '2023-10-01' and CommitmentDiscountId is null
        """
    )
    assert on_demand == [(PAIR_AMORTIZED,)]  # the same charges in the actual export are not counted twice


def test_sample_totals_in_provider_currency(samples_warehouse: Warehouse) -> None:
    """The figures quoted in the report and in docs/raw-layer.md, per file and billing currency."""
    totals = {
        (file, currency): (billed, effective)
        for file, currency, billed, effective in samples_warehouse.query(
            """
            select x_SourceFile, BillingCurrency, sum(BilledCost), sum(EffectiveCost)
            from marts.focus_cost_and_usage group by all
            """
        )
    }
    assert totals[("aws_cur/focus_converters/sample-anonymous-aws-export-dataset.csv", "USD")] == (
        Decimal("1.6823086974"),
        Decimal("1.6823086974"),
    )
    assert totals[("azure_cost/focus_converters/sample-anonymous-ea-export-dataset.csv", "CAD")] == (
        Decimal("1.2613692651"),
        Decimal("1.2613692651"),
    )
    assert totals[("azure_cost/finops-toolkit/EA_ActualCost_Small.csv", "USD")] == (
        Decimal("8.5450077867"),
        Decimal("8.5450077867"),
    )


@pytest.mark.parametrize(
    ("source_file", "row", "region_id", "region_name"),
    [
        # Azure locations in three spellings map to one region through Microsoft's Regions.csv: `US East`,
        # `eastus` (meterRegion `US East`), `EastUS2` (MeterRegion `Virginia`, which is not a region name)
        ("azure_cost/opencost/azure-billingexports/headersets/PayAsYouGo.csv", 1, "eastus", "East US"),
        ("azure_cost/koku/azure/camel_azure_version_2.csv", 1, "eastus", "East US"),
        ("azure_cost/finops-toolkit/EA_ActualCost_Small.csv", 2, "eastus2", "East US 2"),
        # CUR v1 codes delivered only as product/region (`us-east-1` without any product/location, `us-west-1`
        # with an empty product/regionCode): the code is the id, the name comes from the seed
        ("aws_cur/koku/aws/2022-07-01-alt-columns.csv", 1, "us-east-1", "US East (N. Virginia)"),
        ("aws_cur/koku/aws/2023-06-01.csv", 1, "us-west-1", "US West (N. California)"),
    ],
)
def test_regions_map_to_focus_region_id_and_name(
    samples_warehouse: Warehouse, source_file: str, row: int, region_id: str, region_name: str
) -> None:
    located = samples_warehouse.query(
        "select RegionId, RegionName from marts.focus_cost_and_usage where x_SourceFile = ? and x_SourceRow = ?",
        [source_file, row],
    )
    assert located == [(region_id, region_name)]


def test_a_row_without_a_location_keeps_no_region(samples_warehouse: Warehouse) -> None:
    # EA_ActualCost_Small.csv row 7 (Advanced Threat Protection) has neither ResourceLocation nor MeterRegion
    assert samples_warehouse.query(
        "select RegionId, RegionName from marts.focus_cost_and_usage where x_SourceFile = ? and x_SourceRow = 7",
        ["azure_cost/finops-toolkit/EA_ActualCost_Small.csv"],
    ) == [(None, None)]


def test_not_final_cur_keeps_an_empty_invoice_id_and_says_so(samples_warehouse: Warehouse) -> None:
    finality = dict(
        samples_warehouse.query(
            """
            select source_file, bool_and(is_final)
            from staging.stg_aws_cur__line_items group by source_file
            """
        )
    )
    assert finality["aws_cur/koku/aws/2023-06-01.csv"] is True
    assert finality["aws_cur/koku/aws/2023-06-01-not-final.csv"] is False
    invoice_ids = samples_warehouse.query(
        "select distinct InvoiceId from marts.focus_cost_and_usage where x_SourceFile like '%2023-06-01%' order by 1"
    )
    assert invoice_ids == [("987654321",), (None,)]


def test_cur_v1_tags_and_cost_categories_become_maps(samples_warehouse: Warehouse) -> None:
    [(cost_category,)] = samples_warehouse.query(
        """
        select distinct cost_category from raw.aws_cur
        where _source_file = 'aws_cur/koku/aws/2023-06-01.csv'
        """
    )
    assert cost_category == '{"cost_env":"prod","name":"compute","qe_source":"aws-single"}'


def test_refused_samples_are_quarantined_with_their_reason(samples_warehouse: Warehouse) -> None:
    quarantined = {
        path: error
        for path, error in samples_warehouse.query(
            "select path, error from audit.ingested_files where status = 'quarantined'"
        )
    }
    assert set(quarantined) == {f"{source}/{name}" for source, name in REFUSED}
    for (source, name), message in REFUSED.items():
        assert message in quarantined[f"{source}/{name}"]
