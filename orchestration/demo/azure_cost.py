"""Azure EA cost details (actual cost) CSV, one file per month, billed in EUR.

Header and column order are those of the EA export (finops-toolkit EA_ActualCost_Small.csv): PascalCase, UTF-8
BOM, MM/DD/YYYY dates, amount column `Cost`, tags as EA writes them (JSON members without braces).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from orchestration.demo.allocation import ChargeDimensions
from orchestration.demo.delivery import Delivery, csv_text, stamp, write_text
from orchestration.demo.determinism import Draw, rng_for, stable_digits, stable_uuid
from orchestration.demo.ground_truth import Charge
from orchestration.demo.money import decimal_text, round_places, scaled
from orchestration.demo.organisation import (
    AZURE_BILLING_ACCOUNT,
    AZURE_BRANCH,
    AZURE_HR,
    AZURE_LENDING,
    AZURE_SANDBOX,
    AZURE_TREASURY,
    PROJECT_TAG_KEY,
    Account,
    TagPairs,
    tag_pairs,
)
from orchestration.demo.periods import BillingPeriod, at_midnight, period_of, us_date

SOURCE = "azure_cost"
CURRENCY = "EUR"
LOCATION = "westeurope"
REFUND_PERIOD = period_of("2026-09")

EA_COLUMNS: tuple[str, ...] = (
    "BillingAccountId",
    "BillingAccountName",
    "BillingPeriodStartDate",
    "BillingPeriodEndDate",
    "BillingProfileId",
    "BillingProfileName",
    "AccountOwnerId",
    "AccountName",
    "SubscriptionId",
    "SubscriptionName",
    "Date",
    "Product",
    "PartNumber",
    "MeterId",
    "ServiceFamily",
    "MeterCategory",
    "MeterSubCategory",
    "MeterRegion",
    "MeterName",
    "Quantity",
    "EffectivePrice",
    "Cost",
    "UnitPrice",
    "BillingCurrency",
    "ResourceLocation",
    "AvailabilityZone",
    "ConsumedService",
    "ResourceId",
    "ResourceName",
    "ServiceInfo1",
    "ServiceInfo2",
    "AdditionalInfo",
    "Tags",
    "InvoiceSectionId",
    "InvoiceSection",
    "CostCenter",
    "UnitOfMeasure",
    "ResourceGroup",
    "ReservationId",
    "ReservationName",
    "ProductOrderId",
    "ProductOrderName",
    "OfferId",
    "IsAzureCreditEligible",
    "Term",
    "PublisherName",
    "PlanName",
    "ChargeType",
    "Frequency",
    "PublisherType",
    "PayGPrice",
    "PricingModel",
    "CostAllocationRuleName",
    "benefitId",
    "benefitName",
)


@dataclass(frozen=True)
class AzureMeter:
    product: str
    part_number: str
    service_family: str
    meter_category: str
    meter_sub_category: str
    meter_name: str
    unit_of_measure: str
    consumed_service: str
    provider_path: str
    payg_price: Decimal
    effective_price: Decimal
    meter_region: str = "EU West"
    additional_info: str = ""


@dataclass(frozen=True)
class EnrollmentAccount:
    name: str
    owner: str
    invoice_section: str


@dataclass(frozen=True)
class AzureResource:
    subscription: Account
    resource_group: str
    name: str
    meters: tuple[tuple[AzureMeter, Draw], ...]
    tags: TagPairs = ()


def _meter(
    product: str,
    part: str,
    family: str,
    category: str,
    sub: str,
    name: str,
    unit: str,
    service: str,
    path: str,
    payg: str,
    effective: str,
    info: str = "",
    region: str = "EU West",
) -> AzureMeter:
    return AzureMeter(
        product,
        part,
        family,
        category,
        sub,
        name,
        unit,
        service,
        path,
        Decimal(payg),
        Decimal(effective),
        region,
        info,
    )


def _vm(size: str, series: str, payg: str, effective: str, vcpus: int) -> AzureMeter:
    return _meter(
        f"Virtual Machines {series} Series - {size} - EU West",
        f"AAH-{stable_digits('part', size, length=5)}",
        "Compute",
        "Virtual Machines",
        f"{series} Series",
        size,
        "1 Hour",
        "Microsoft.Compute",
        "Microsoft.Compute/virtualMachines",
        payg,
        effective,
        f'{{"ServiceType":"Standard_{size.replace(" ", "_")}","UsageType":"ComputeHR","VCPUs":{vcpus}}}',
    )


VM_D2S_V5 = _vm("D2s v5", "Dsv5", "0.1068", "0.0961", 2)
VM_D4S_V5 = _vm("D4s v5", "Dsv5", "0.2136", "0.1922", 4)
VM_E8S_V5 = _vm("E8s v5", "Esv5", "0.5616", "0.5054", 8)
DISK_P10 = _meter(
    "Premium SSD Managed Disks - P10 LRS - EU West",
    "AAD-18168",
    "Storage",
    "Storage",
    "Premium SSD Managed Disks",
    "P10 LRS Disk",
    "1/Month",
    "Microsoft.Compute",
    "Microsoft.Compute/disks",
    "18.54",
    "16.69",
)
BLOB_HOT = _meter(
    "General Block Blob v2 - Hot LRS - EU West",
    "AAD-37067",
    "Storage",
    "Storage",
    "General Block Blob v2",
    "Hot LRS Data Stored",
    "1 GB/Month",
    "Microsoft.Storage",
    "Microsoft.Storage/storageAccounts",
    "0.0196",
    "0.0176",
)
SQL_GP_VCORE = _meter(
    "SQL Database Single/Elastic Pool General Purpose - Compute Gen5 - EU West",
    "AAF-53451",
    "Databases",
    "SQL Database",
    "Single/Elastic Pool General Purpose - Compute Gen5",
    "vCore",
    "1 Hour",
    "Microsoft.Sql",
    "Microsoft.Sql/servers",
    "0.2287",
    "0.2058",
)
APP_P1V3 = _meter(
    "Azure App Service Premium v3 Plan - P1 v3 - EU West",
    "AAF-26712",
    "Compute",
    "Azure App Service",
    "Premium v3 Plan",
    "P1 v3 App",
    "1 Hour",
    "Microsoft.Web",
    "Microsoft.Web/serverfarms",
    "0.1969",
    "0.1772",
)
BANDWIDTH_OUT = _meter(
    "Bandwidth Routing Preference: Microsoft Global Network - Standard Data Transfer Out",
    "AAA-76104",
    "Networking",
    "Bandwidth",
    "Rtn Preference: MGN",
    "Standard Data Transfer Out",
    "1 GB",
    "Microsoft.Network",
    "Microsoft.Network/publicIPAddresses",
    "0.0804",
    "0.0804",
    region="Zone 1",
)
LOG_INGESTION = _meter(
    "Log Analytics - Pay-as-you-go Data Ingestion - EU West",
    "AAH-08447",
    "Management and Governance",
    "Log Analytics",
    "",
    "Pay-as-you-go Data Ingestion",
    "1 GB",
    "Microsoft.OperationalInsights",
    "Microsoft.OperationalInsights/workspaces",
    "2.657",
    "2.3913",
)

ALWAYS_ON = Draw(24, 24)

CORPORATE_IT = EnrollmentAccount("Corporate IT", "cloud-corporate@examplebank.example", "Corporate")
RETAIL_IT = EnrollmentAccount("Retail IT", "cloud-retail@examplebank.example", "Retail")
INNOVATION_LAB = EnrollmentAccount("Innovation Lab", "innovation-lab@examplebank.example", "Innovation")
ENROLLMENT_ACCOUNTS = {
    AZURE_HR.account_id: CORPORATE_IT,
    AZURE_TREASURY.account_id: CORPORATE_IT,
    AZURE_BRANCH.account_id: RETAIL_IT,
    AZURE_LENDING.account_id: RETAIL_IT,
    AZURE_SANDBOX.account_id: INNOVATION_LAB,
}


def azure_resources() -> tuple[AzureResource, ...]:
    r = AzureResource
    return (
        r(
            AZURE_HR,
            "rg-payroll-prod",
            "payroll-app-01",
            ((VM_D4S_V5, ALWAYS_ON),),
            tag_pairs("payroll-engine", "CC-1200"),
        ),
        r(
            AZURE_HR,
            "rg-payroll-prod",
            "payroll-app-01_OsDisk_1",
            ((DISK_P10, Draw(1, 1, 0, True)),),
            tag_pairs("payroll-engine", "CC-1200"),
        ),
        r(
            AZURE_HR,
            "rg-payroll-prod",
            "payroll-batch-01",
            ((VM_E8S_V5, Draw(6, 12)),),
            tag_pairs("payroll-engine"),
        ),
        r(AZURE_HR, "rg-hr-portal-prod", "asp-hr-portal", ((APP_P1V3, ALWAYS_ON),), tag_pairs("hr-portal")),
        r(
            AZURE_HR,
            "rg-talent-prod",
            "sql-talent-analytics",
            ((SQL_GP_VCORE, Draw(48, 48)),),
            tag_pairs("talent-analytics"),
        ),
        r(AZURE_HR, "rg-hr-legacy", "hr-legacy-disk-01", ((DISK_P10, Draw(1, 1, 0, True)),)),
        r(AZURE_HR, "rg-hr-portal-prod", "pip-hr-portal", ((BANDWIDTH_OUT, Draw(5_000, 25_000, 3)),)),
        r(
            AZURE_BRANCH,
            "rg-teller-prod",
            "teller-app-01",
            ((VM_D4S_V5, ALWAYS_ON),),
            tag_pairs("teller-desktop"),
        ),
        r(
            AZURE_BRANCH,
            "rg-teller-prod",
            "teller-app-02",
            ((VM_D4S_V5, ALWAYS_ON),),
            tag_pairs("teller-desktop"),
        ),
        r(
            AZURE_BRANCH,
            "rg-branch-queue-prod",
            "asp-branch-queue",
            ((APP_P1V3, ALWAYS_ON),),
            tag_pairs("branch-queue"),
        ),
        r(
            AZURE_BRANCH,
            "rg-atm-prod",
            "law-atm-telemetry",
            ((LOG_INGESTION, Draw(20_000, 60_000, 3)),),
            tag_pairs("atm-monitoring"),
        ),
        r(
            AZURE_BRANCH,
            "rg-branch-shared",
            "stbranchdocuments",
            ((BLOB_HOT, Draw(1_800_000, 1_900_000, 3, True)),),
        ),
        r(
            AZURE_LENDING,
            "rg-loan-orig-prod",
            "loan-orig-app-01",
            ((VM_D4S_V5, ALWAYS_ON),),
            tag_pairs("loan-origination"),
        ),
        r(
            AZURE_LENDING,
            "rg-loan-orig-prod",
            "sql-loan-origination",
            ((SQL_GP_VCORE, Draw(48, 48)),),
            tag_pairs("loan-origination"),
        ),
        r(
            AZURE_LENDING,
            "rg-mortgage-prod",
            "asp-mortgage-portal",
            ((APP_P1V3, ALWAYS_ON),),
            tag_pairs("mortgage-portal"),
        ),
        r(
            AZURE_LENDING,
            "rg-decisioning-prod",
            "decision-engine-01",
            ((VM_D2S_V5, ALWAYS_ON),),
            tag_pairs("credit-decisioning"),
        ),
        r(
            AZURE_LENDING,
            "rg-lending-reporting",
            "sql-lending-reporting",
            ((SQL_GP_VCORE, Draw(24, 48)),),
            tag_pairs(None, "CC-2300"),
        ),
        r(
            AZURE_LENDING,
            "rg-mortgage-prod",
            "pip-mortgage-portal",
            ((BANDWIDTH_OUT, Draw(10_000, 40_000, 3)),),
        ),
        r(
            AZURE_TREASURY,
            "rg-treasury-prod",
            "sql-treasury-risk",
            ((SQL_GP_VCORE, Draw(48, 48)),),
            tag_pairs("treasury-risk"),
        ),
        r(
            AZURE_TREASURY,
            "rg-treasury-prod",
            "treasury-calc-01",
            ((VM_E8S_V5, Draw(8, 20)),),
            tag_pairs("treasury-risk", "CC-1100"),
        ),
        r(
            AZURE_TREASURY,
            "rg-treasury-archive",
            "sttreasuryarchive",
            ((BLOB_HOT, Draw(4_200_000, 4_300_000, 3, True)),),
        ),
        r(AZURE_SANDBOX, "rg-sandbox", "sbx-jumpbox-01", ((VM_D2S_V5, Draw(4, 14)),)),
        r(
            AZURE_SANDBOX,
            "rg-sandbox-mobile",
            "sbx-mobile-poc-01",
            ((VM_D2S_V5, Draw(6, 24)),),
            tag_pairs("mobile-api", environment="dev"),
        ),
        r(AZURE_SANDBOX, "rg-sandbox", "stsandboxscratch", ((BLOB_HOT, Draw(600_000, 700_000, 3, True)),)),
    )


def ea_tags(tags: TagPairs) -> str:
    """EA writes tags as JSON members without the enclosing braces: '"env": "prod","project": "x"'."""
    return ",".join(f'"{key}": "{value}"' for key, value in tags)


def _resource_id(resource: AzureResource, meter: AzureMeter) -> str:
    return (
        f"/subscriptions/{resource.subscription.account_id}/resourceGroups/{resource.resource_group}"
        f"/providers/{meter.provider_path}/{resource.name}"
    )


def _row(period: BillingPeriod, subscription: Account, day: date, seed: int) -> dict[str, str]:
    account = ENROLLMENT_ACCOUNTS[subscription.account_id]
    row = dict.fromkeys(EA_COLUMNS, "")
    row.update(
        {
            "BillingAccountId": AZURE_BILLING_ACCOUNT.account_id,
            "BillingAccountName": AZURE_BILLING_ACCOUNT.name,
            "BillingPeriodStartDate": us_date(period.start),
            "BillingPeriodEndDate": us_date(period.last_day),
            "BillingProfileId": AZURE_BILLING_ACCOUNT.account_id,
            "BillingProfileName": AZURE_BILLING_ACCOUNT.name,
            "AccountOwnerId": account.owner,
            "AccountName": account.name,
            "SubscriptionId": subscription.account_id,
            "SubscriptionName": subscription.name,
            "Date": us_date(day),
            "BillingCurrency": CURRENCY,
            "InvoiceSectionId": stable_digits(seed, "invoice-section", account.invoice_section, length=6),
            "InvoiceSection": account.invoice_section,
            "OfferId": "MS-AZR-0017P",
            "IsAzureCreditEligible": "True",
            "PublisherName": "Microsoft",
            "PublisherType": "Azure",
        }
    )
    return row


def _quantity(draw: Draw, rng: random.Random, period: BillingPeriod) -> Decimal:
    return draw.daily(rng, period.day_count, 6)


def _refund_row(seed: int, period: BillingPeriod, rng: random.Random) -> tuple[dict[str, str], Decimal]:
    order_id = stable_uuid(seed, "azure-reservation-order")
    reservation_id = stable_uuid(seed, "azure-reservation")
    benefit = f"/providers/Microsoft.Capacity/reservationOrders/{order_id}/reservations/{reservation_id}"
    price = scaled(rng.randint(30_000, 50_000), 2)
    cost = -price
    row = _row(period, AZURE_LENDING, period.start + timedelta(days=13), seed)
    row.update(
        {
            "Product": "Reserved VM Instance, Standard_D4s_v5, EU West, 1 Year",
            "PartNumber": "AAH-39431",
            "MeterId": stable_uuid("azure-meter", "reservation-d4s-v5"),
            "ServiceFamily": "Compute",
            "MeterCategory": "Virtual Machines",
            "MeterSubCategory": "Dsv5 Series",
            "MeterRegion": "EU West",
            "MeterName": "D4s v5",
            "Quantity": "-1",
            "EffectivePrice": decimal_text(price),
            "Cost": decimal_text(cost),
            "UnitPrice": decimal_text(price),
            "ResourceLocation": LOCATION,
            "ConsumedService": "Microsoft.Capacity",
            "ResourceId": benefit,
            "UnitOfMeasure": "1 Hour",
            "ReservationId": reservation_id,
            "ReservationName": "RI_D4sv5_lending_2025",
            "ProductOrderId": order_id,
            "ProductOrderName": "Reserved VM Instance, Standard_D4s_v5, EU West, 1 Year",
            "Term": "12",
            "ChargeType": "Refund",
            "Frequency": "OneTime",
            "PayGPrice": "0",
            "PricingModel": "Reservation",
            "benefitId": benefit,
            "benefitName": "RI_D4sv5_lending_2025",
        }
    )
    return row, cost


def build_month(seed: int, period: BillingPeriod) -> list[tuple[dict[str, str], Decimal, tuple]]:
    """(CSV row, exact cost, tags) for every row of the month's file."""
    rng = rng_for(seed, SOURCE, period.label)
    result: list[tuple[dict[str, str], Decimal, tuple]] = []
    for day in period.days:
        for resource in azure_resources():
            for meter, draw in resource.meters:
                quantity = _quantity(draw, rng, period)
                cost = round_places(quantity * meter.effective_price)
                row = _row(period, resource.subscription, day, seed)
                row.update(
                    {
                        "Product": meter.product,
                        "PartNumber": meter.part_number,
                        "MeterId": stable_uuid("azure-meter", meter.product, meter.meter_name),
                        "ServiceFamily": meter.service_family,
                        "MeterCategory": meter.meter_category,
                        "MeterSubCategory": meter.meter_sub_category,
                        "MeterRegion": meter.meter_region,
                        "MeterName": meter.meter_name,
                        "Quantity": decimal_text(quantity),
                        "EffectivePrice": decimal_text(meter.effective_price),
                        "Cost": decimal_text(cost),
                        "UnitPrice": decimal_text(meter.effective_price),
                        "ResourceLocation": LOCATION,
                        "ConsumedService": meter.consumed_service,
                        "ResourceId": _resource_id(resource, meter),
                        "ResourceName": resource.name,
                        "AdditionalInfo": meter.additional_info,
                        "Tags": ea_tags(resource.tags),
                        "UnitOfMeasure": meter.unit_of_measure,
                        "ResourceGroup": resource.resource_group,
                        "PlanName": meter.meter_name,
                        "ChargeType": "Usage",
                        "Frequency": "UsageBased",
                        "PayGPrice": decimal_text(meter.payg_price),
                        "PricingModel": "OnDemand",
                    }
                )
                result.append((row, cost, resource.tags))
    if period == REFUND_PERIOD:
        refund, cost = _refund_row(seed, period, rng)
        result.append((refund, cost, ()))
    return result


def charges(rows: list[tuple[dict[str, str], Decimal, tuple]], period: BillingPeriod) -> list[Charge]:
    """Actual-cost export: billed and amortized are both `Cost`."""
    result = []
    for row, cost, tags in rows:
        tag_map = dict(tags)
        result.append(
            Charge(
                source=SOURCE,
                billing_period_start=period.iso,
                billing_account_id=row["BillingAccountId"],
                currency=row["BillingCurrency"],
                billed=cost,
                amortized=cost,
                dimensions=ChargeDimensions(
                    tags=tag_map,
                    project=tag_map.get(PROJECT_TAG_KEY),
                    sub_account=row["SubscriptionId"],
                    billing_account=row["BillingAccountId"],
                ),
            )
        )
    return result


def delivery_time(period: BillingPeriod) -> datetime:
    return at_midnight(period.end) + timedelta(days=1, hours=4)


def write_month(landing_dir: Path, seed: int, period: BillingPeriod) -> Delivery:
    rows = build_month(seed, period)
    path = landing_dir / SOURCE / f"ea-{AZURE_BILLING_ACCOUNT.account_id}" / period.label / "part_0_0001.csv"
    write_text(path, csv_text(EA_COLUMNS, ([row[c] for c in EA_COLUMNS] for row, _, _ in rows)), bom=True)
    delivered = delivery_time(period)
    stamp(path, delivered)
    return Delivery(path, SOURCE, period.iso, delivered, len(rows), charges(rows, period))


def run_manifest(
    *,
    export: str,
    resource_id: str,
    run_id: str,
    kind: str,
    start: str,
    end: str,
    submitted: datetime,
    blobs: list[dict[str, object]],
    root: str = "",
) -> dict[str, object]:
    """The `manifest.json` Azure writes beside an export run's parts (`blobs`: `blobName`, `byteCount`,
    `dataRowCount`), in the form Microsoft documents:
    https://learn.microsoft.com/azure/cost-management-billing/costs/tutorial-improved-exports#manifest-file."""
    return {
        "manifestVersion": "2024-04-01",
        "byteCount": sum(int(str(blob["byteCount"])) for blob in blobs),
        "blobCount": len(blobs),
        "dataRowCount": sum(int(str(blob["dataRowCount"])) for blob in blobs),
        "exportConfig": {
            "exportName": export,
            "resourceId": resource_id,
            "dataVersion": "2021-10-01",
            "apiVersion": "2023-07-01-preview",
            "type": kind,
            "timeFrame": "MonthToDate",
            "granularity": "Daily",
        },
        "deliveryConfig": {
            "partitionData": True,
            "dataOverwriteBehavior": "CreateNewReport",
            "fileFormat": "Csv",
            "compressionMode": "None",
            "rootFolderPath": root,
        },
        "runInfo": {
            "executionType": "Scheduled",
            "submittedTime": submitted.strftime("%Y-%m-%dT%H:%M:%S.0000000Z"),
            "runId": run_id,
            "startDate": start,
            "endDate": end,
        },
        "blobs": blobs,
    }


def write_run_manifest(folder: Path, period: BillingPeriod, parts: list[tuple[Path, int]], delivered: datetime) -> Path:
    """The demo export run's manifest.json beside its parts (run_manifest). Azure cuts every run into parts under
    1 GB; the manifest makes them one delivery (orchestration/ingest)."""
    export = folder.parent.name
    account = AZURE_BILLING_ACCOUNT.account_id
    document = run_manifest(
        export=export,
        resource_id=f"/providers/Microsoft.Billing/billingAccounts/{account}/providers/"
        f"Microsoft.CostManagement/exports/{export}",
        run_id=stable_uuid("azure-run", period.label),
        kind="ActualCost",
        start=f"{period.start:%Y-%m-%d}T00:00:00",
        end=f"{period.last_day:%Y-%m-%d}T00:00:00",
        submitted=delivered,
        blobs=[
            {"blobName": f"{export}/{folder.name}/{path.name}", "byteCount": path.stat().st_size, "dataRowCount": rows}
            for path, rows in parts
        ],
    )
    path = folder / "manifest.json"
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    # After its parts: a manifest lists what has landed before it.
    stamp(path, delivered + timedelta(seconds=1))
    return path
