"""A real OCI cost report in, FOCUS out: the report's own total equals the FOCUS totals, and reconciliation balances.

The sample (tests/fixtures/third_party/focus_converters, provenance beside it) is landed, ingested with the
production ingest step and built with dbt (`+fct_reconciliation`, which includes marts.focus_cost_and_usage)
into a temporary warehouse. The expected total is computed here, independently of the parser and of dbt,
from the CSV itself with Python's Decimal: Σ `cost/myCost` (inclusive of overage, so `cost/myCostOverage` is
never added) is both FOCUS BilledCost and EffectiveCost.

The warehouse holds money as DECIMAL(38,10), so each delivered amount counts rounded half away from zero to
10 decimal places (what the cast from text does, as in test_provider_samples_aws_azure.py); the rest is exact.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.landing import ingest_source
from tests.integration.dbt_build import dbt_build

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "third_party"
SAMPLE = "focus_converters/reports_cost-csv_0000000030000269.csv"
SOURCE_FILE = f"oci_cost/{SAMPLE}"
TENANCY = "ocid1.tenancy.oc1..aaaaaaaadsyhydp66mjpsohqocfcgzaabtrit47ex2igzu2j6lhuadrrglca"
MONEY_STEP = Decimal("0.0000000001")


def money(text: str | None) -> Decimal:
    """A delivered amount as the warehouse holds it (DECIMAL(38,10)); empty is 0."""
    if text is None or text.strip() == "":
        return Decimal(0)
    return Decimal(text.strip()).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def sample_rows() -> list[dict[str, str]]:
    with (FIXTURES / SAMPLE).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_total() -> Decimal:
    return sum((money(row["cost/myCost"]) for row in sample_rows()), Decimal(0))


@dataclass
class Warehouse:
    path: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def oci_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    root = tmp_path_factory.mktemp("oci")
    landing = root / "landing"
    target = landing / "oci_cost" / SAMPLE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / SAMPLE, target)
    path = root / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ingest_source(con, "oci_cost", landing, root / "quarantine")
    dbt_build(path, "+fct_reconciliation", root)
    yield Warehouse(path)


def test_sample_is_loaded_whole(oci_warehouse: Warehouse) -> None:
    [(status, period, account, rows)] = oci_warehouse.query(
        "select status, billing_period_start, billing_account_id, row_count from audit.ingested_files"
    )
    assert (status, period, account, rows) == ("loaded", date(2023, 11, 1), TENANCY, 506)


def test_focus_totals_equal_the_reports_own_total(oci_warehouse: Warehouse) -> None:
    [(rows, billed, effective)] = oci_warehouse.query(
        """
        select count(*), sum(BilledCost), sum(EffectiveCost)
        from marts.focus_cost_and_usage where x_SourceFile = ?
        """,
        [SOURCE_FILE],
    )
    assert rows == len(sample_rows()) == 506
    assert billed == effective == expected_total()
    # the figure quoted in docs and the report: Σ cost/myCost = 2.523589325400648027 delivered, 10 places kept
    assert billed == Decimal("2.5235893250")


def test_focus_columns_of_an_oci_line(oci_warehouse: Warehouse) -> None:
    [row] = oci_warehouse.query(
        """
        select ProviderName, InvoiceIssuerName, ServiceProviderName, BillingAccountId, BillingPeriodStart,
               BillingPeriodEnd, ChargePeriodStart, ChargePeriodEnd, ChargeCategory, ServiceName, ServiceCategory,
               ServiceSubcategory, RegionId, RegionName, AvailabilityZone, SkuId, BillingCurrency, BilledCost,
               json_extract_string(Tags, '$."Oracle-Tags.CreatedBy"')
        from marts.focus_cost_and_usage where x_SourceFile = ? and x_SourceRow = 1
        """,
        [SOURCE_FILE],
    )
    assert row == (
        "Oracle",
        "Oracle",
        "Oracle",
        TENANCY,
        datetime(2023, 11, 1),
        datetime(2023, 12, 1),
        datetime(2023, 11, 13, 10),  # delivered 2023-11-13T10:00Z
        datetime(2023, 11, 13, 11),
        "Usage",
        "Oracle Database",
        "Databases",
        "Relational Databases",
        "us-sanjose-1",
        "US West (San Jose)",  # seeds/region_mappings.csv
        "sj-1",
        "B92911",
        "USD",
        money("0.012264277499950943"),
        "default/phil.newman@oracle.com",
    )
    unmapped = oci_warehouse.query(
        "select distinct ServiceName from marts.focus_cost_and_usage where x_Source = 'oci_cost' "
        "and ServiceCategory = 'Other'"
    )
    assert unmapped == []


def test_reconciliation_balances_for_the_sample(oci_warehouse: Warehouse) -> None:
    [row] = oci_warehouse.query(
        """
        select billing_period_start, billing_account_id, currency, source_row_count, source_billed_total,
               normalized_billed_total, normalized_effective_total, status
        from marts.fct_reconciliation where source = 'oci_cost'
        """
    )
    total = expected_total()
    assert row == (date(2023, 11, 1), TENANCY, "USD", 506, total, total, total, "balanced")
