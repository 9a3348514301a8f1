"""FOCUS 1.2 cost-and-usage CSV from a SaaS provider (Acme Observability, invented), one file per month.

All 57 FOCUS 1.2 columns in the order of the focus-data-toolkit sample, then ServiceProviderName and
HostProviderName; ISO 8601 UTC timestamps; Tags as a compact JSON object.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from orchestration.demo.allocation import ChargeDimensions
from orchestration.demo.delivery import Delivery, compact_json, csv_text, stamp, write_text
from orchestration.demo.determinism import Draw, rng_for, stable_digits, stable_hex
from orchestration.demo.ground_truth import Charge
from orchestration.demo.money import cents, decimal_text, round_places, scaled
from orchestration.demo.organisation import (
    FOCUS_BILLING_ACCOUNT,
    FOCUS_DIGITAL,
    FOCUS_PAYMENTS,
    FOCUS_PLATFORM,
    FOCUS_PROVIDER,
    FOCUS_SANDBOX,
    FOCUS_SECURITY,
    PROJECT_TAG_KEY,
    Account,
    TagPairs,
    tag_pairs,
)
from orchestration.demo.periods import BillingPeriod, at_midnight, iso_z, period_of

SOURCE = "focus"
CURRENCY = "USD"
TAX_RATE = Decimal("0.06625")
CREDIT_PERIOD = period_of("2026-09")

FOCUS_COLUMNS: tuple[str, ...] = (
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "InvoiceId",
    "BillingAccountId",
    "BillingAccountName",
    "BillingAccountType",
    "SubAccountId",
    "SubAccountName",
    "SubAccountType",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "ListUnitPrice",
    "ContractedUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "PricingCurrency",
    "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost",
    "PricingCurrencyListUnitPrice",
    "BillingCurrency",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ServiceName",
    "ServiceCategory",
    "ServiceSubcategory",
    "SkuId",
    "SkuMeter",
    "SkuPriceId",
    "SkuPriceDetails",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "RegionId",
    "RegionName",
    "AvailabilityZone",
    "CommitmentDiscountId",
    "CommitmentDiscountName",
    "CommitmentDiscountCategory",
    "CommitmentDiscountType",
    "CommitmentDiscountStatus",
    "CommitmentDiscountQuantity",
    "CommitmentDiscountUnit",
    "CapacityReservationId",
    "CapacityReservationStatus",
    "Tags",
    "ServiceProviderName",
    "HostProviderName",
)


@dataclass(frozen=True)
class SaasSku:
    service_name: str
    sku_meter: str
    pricing_unit: str
    consumed_unit: str
    consumed_per_pricing_unit: Decimal
    list_unit_price: Decimal
    contracted_unit_price: Decimal
    resource_type: str


@dataclass(frozen=True)
class SaasUsage:
    sub_account: Account
    sku: SaasSku
    draw: Draw
    resource_name: str
    tags: TagPairs = ()


INFRA_HOSTS = SaasSku(
    "Infrastructure Monitoring",
    "Host Hours",
    "Host-Hours",
    "Host-Hours",
    Decimal(1),
    Decimal("0.0288"),
    Decimal("0.023"),
    "Monitored Host Group",
)
APM_HOSTS = SaasSku(
    "APM",
    "APM Host Hours",
    "Host-Hours",
    "Host-Hours",
    Decimal(1),
    Decimal("0.0431"),
    Decimal("0.0345"),
    "APM Service",
)
LOGS = SaasSku(
    "Log Management",
    "Indexed Logs",
    "GB",
    "GB",
    Decimal(1),
    Decimal("0.1"),
    Decimal("0.085"),
    "Log Index",
)
SYNTHETICS = SaasSku(
    "Synthetic Monitoring",
    "API Test Runs",
    "10K Test Runs",
    "Test Runs",
    Decimal(10000),
    Decimal("5"),
    Decimal("4"),
    "Synthetic Test Suite",
)


def saas_usages() -> tuple[SaasUsage, ...]:
    u = SaasUsage
    return (
        u(
            FOCUS_PLATFORM,
            INFRA_HOSTS,
            Draw(960, 1152),
            "k8s-prod-nodes",
            tag_pairs("k8s-platform", "CC-1300"),
        ),
        u(FOCUS_PLATFORM, LOGS, Draw(200_000, 600_000, 3), "k8s-platform-logs", tag_pairs("k8s-platform")),
        u(FOCUS_PLATFORM, INFRA_HOSTS, Draw(144, 336), "ci-runners", tag_pairs("ci-pipelines")),
        u(FOCUS_PLATFORM, LOGS, Draw(30_000, 90_000, 3), "default-index"),
        u(FOCUS_PAYMENTS, APM_HOSTS, Draw(192, 192), "card-auth-apm", tag_pairs("card-auth")),
        u(FOCUS_PAYMENTS, INFRA_HOSTS, Draw(144, 144), "card-issuing-hosts", tag_pairs("card-issuing")),
        u(FOCUS_PAYMENTS, LOGS, Draw(80_000, 160_000, 3), "fraud-scoring-logs", tag_pairs("fraud-scoring")),
        u(FOCUS_PAYMENTS, SYNTHETICS, Draw(10, 30, 1), "chargeback-api-checks", tag_pairs("chargeback-hub")),
        u(FOCUS_DIGITAL, APM_HOSTS, Draw(240, 240), "mobile-api-apm", tag_pairs("mobile-api")),
        u(FOCUS_DIGITAL, SYNTHETICS, Draw(20, 60, 1), "www-journeys", tag_pairs("public-website")),
        u(FOCUS_DIGITAL, LOGS, Draw(20_000, 50_000, 3), "cms-logs", tag_pairs("cms-headless")),
        u(FOCUS_SECURITY, LOGS, Draw(900_000, 1_400_000, 3), "siem-forwarder", tag_pairs("siem-pipeline")),
        u(FOCUS_SECURITY, INFRA_HOSTS, Draw(96, 96), "idp-hosts", tag_pairs("iam-gateway")),
        u(FOCUS_SANDBOX, INFRA_HOSTS, Draw(24, 120), "trial-hosts"),
        u(
            FOCUS_SANDBOX,
            LOGS,
            Draw(5_000, 40_000, 3),
            "lakehouse-poc-logs",
            tag_pairs("data-lakehouse", environment="dev"),
        ),
        u(FOCUS_SANDBOX, APM_HOSTS, Draw(24, 72), "ml-serving-poc", tag_pairs(None, "CC-3210", "dev")),
    )


@functools.cache
def _invoice_number(seed: int, period: BillingPeriod) -> str:
    return stable_digits(seed, "acme-invoice", period.label, length=5)


def _base(seed: int, period: BillingPeriod, sub_account: Account | None) -> dict[str, str]:
    row = dict.fromkeys(FOCUS_COLUMNS, "")
    row.update(
        {
            "ProviderName": FOCUS_PROVIDER,
            "PublisherName": FOCUS_PROVIDER,
            "InvoiceIssuerName": FOCUS_PROVIDER,
            "InvoiceId": f"ACME-INV-{period.compact}-{_invoice_number(seed, period)}",
            "BillingAccountId": FOCUS_BILLING_ACCOUNT.account_id,
            "BillingAccountName": FOCUS_BILLING_ACCOUNT.name,
            "BillingAccountType": "Customer",
            "BillingPeriodStart": iso_z(period.start),
            "BillingPeriodEnd": iso_z(period.end),
            "PricingCurrency": CURRENCY,
            "BillingCurrency": CURRENCY,
            "ServiceCategory": "Management and Governance",
            "ServiceSubcategory": "Observability",
            "RegionId": "us1",
            "RegionName": "US1 (Virginia)",
            "ServiceProviderName": FOCUS_PROVIDER,
            "HostProviderName": FOCUS_PROVIDER,
        }
    )
    if sub_account is not None:
        row.update(
            {
                "SubAccountId": sub_account.account_id,
                "SubAccountName": sub_account.name,
                "SubAccountType": "Organization",
            }
        )
    return row


def _set_costs(row: dict[str, str], billed: Decimal, effective: Decimal, listed: Decimal) -> None:
    row["BilledCost"] = decimal_text(billed)
    row["EffectiveCost"] = decimal_text(effective)
    row["ListCost"] = decimal_text(listed)
    row["ContractedCost"] = decimal_text(billed)
    row["PricingCurrencyEffectiveCost"] = decimal_text(effective)


@dataclass
class FocusRow:
    values: dict[str, str]
    billed: Decimal
    effective: Decimal
    tags: dict[str, str]


def _usage_row(
    seed: int,
    period: BillingPeriod,
    day_index: int,
    usage: SaasUsage,
    rng: random.Random,
) -> FocusRow:
    sku = usage.sku
    quantity = usage.draw.sample(rng)
    billed = round_places(quantity * sku.contracted_unit_price)
    listed = round_places(quantity * sku.list_unit_price)
    start = at_midnight(period.start + timedelta(days=day_index))
    sku_id = f"ACME-{stable_hex('acme-sku', sku.service_name, sku.sku_meter, length=8).upper()}"
    row = _base(seed, period, usage.sub_account)
    row.update(
        {
            "ChargePeriodStart": iso_z(start),
            "ChargePeriodEnd": iso_z(start + timedelta(days=1)),
            "ChargeCategory": "Usage",
            "ChargeDescription": f"{sku.service_name} - {sku.sku_meter}",
            "ChargeFrequency": "Usage-Based",
            "ListUnitPrice": decimal_text(sku.list_unit_price),
            "ContractedUnitPrice": decimal_text(sku.contracted_unit_price),
            "PricingCategory": "Standard",
            "PricingQuantity": decimal_text(quantity),
            "PricingUnit": sku.pricing_unit,
            "PricingCurrencyContractedUnitPrice": decimal_text(sku.contracted_unit_price),
            "PricingCurrencyListUnitPrice": decimal_text(sku.list_unit_price),
            "ConsumedQuantity": decimal_text(quantity * sku.consumed_per_pricing_unit),
            "ConsumedUnit": sku.consumed_unit,
            "ServiceName": sku.service_name,
            "SkuId": sku_id,
            "SkuMeter": sku.sku_meter,
            "SkuPriceId": f"{sku_id}-ENT-2026",
            "SkuPriceDetails": compact_json({"x_Plan": "Enterprise"}),
            "ResourceId": f"acme://{usage.sub_account.account_id}/{usage.resource_name}",
            "ResourceName": usage.resource_name,
            "ResourceType": sku.resource_type,
            "Tags": compact_json(dict(usage.tags)) if usage.tags else "",
        }
    )
    _set_costs(row, billed, billed, listed)
    return FocusRow(row, billed, billed, dict(usage.tags))


def _monthly_row(
    seed: int,
    period: BillingPeriod,
    sub_account: Account | None,
    category: str,
    description: str,
    amount: Decimal,
) -> FocusRow:
    row = _base(seed, period, sub_account)
    row.update(
        {
            "ChargePeriodStart": iso_z(period.start),
            "ChargePeriodEnd": iso_z(period.end),
            "ChargeCategory": category,
            "ChargeDescription": description,
            "ChargeFrequency": "One-Time" if category == "Credit" else "Recurring",
            "ServiceName": "Log Management" if category == "Credit" else "Acme Observability Platform",
        }
    )
    _set_costs(row, amount, amount, Decimal(0) if category == "Credit" else amount)
    return FocusRow(row, amount, amount, {})


def build_month(seed: int, period: BillingPeriod) -> list[FocusRow]:
    rng = rng_for(seed, SOURCE, period.label)
    rows = [
        _usage_row(seed, period, day_index, usage, rng)
        for day_index in range(period.day_count)
        for usage in saas_usages()
    ]
    if period == CREDIT_PERIOD:
        credit = -scaled(rng.randint(10_000, 20_000), 2)
        rows.append(
            _monthly_row(
                seed,
                period,
                FOCUS_PAYMENTS,
                "Credit",
                "Service credit: SLA breach, incident ACME-INC-2291",
                credit,
            )
        )
    usage_total = sum((row.billed for row in rows if row.values["ChargeCategory"] == "Usage"), Decimal(0))
    rows.append(_monthly_row(seed, period, None, "Tax", "Sales tax (NJ)", cents(usage_total * TAX_RATE)))
    return rows


def charges(rows: list[FocusRow], period: BillingPeriod) -> list[Charge]:
    """Billed = BilledCost, amortized = EffectiveCost."""
    result = []
    for row in rows:
        tags = json.loads(row.values["Tags"]) if row.values["Tags"] else {}
        result.append(
            Charge(
                source=SOURCE,
                billing_period_start=period.iso,
                billing_account_id=row.values["BillingAccountId"],
                currency=row.values["BillingCurrency"],
                billed=row.billed,
                amortized=row.effective,
                dimensions=ChargeDimensions(
                    tags=tags,
                    project=tags.get(PROJECT_TAG_KEY),
                    sub_account=row.values["SubAccountId"] or None,
                    billing_account=row.values["BillingAccountId"],
                ),
            )
        )
    return result


def delivery_time(period: BillingPeriod) -> datetime:
    return at_midnight(period.end) + timedelta(days=2, hours=1)


def write_month(landing_dir: Path, seed: int, period: BillingPeriod) -> Delivery:
    rows = build_month(seed, period)
    path = landing_dir / SOURCE / "acme-observability" / period.label / "focus-cost-and-usage-0001.csv"
    write_text(path, csv_text(FOCUS_COLUMNS, ([row.values[c] for c in FOCUS_COLUMNS] for row in rows)))
    delivered = delivery_time(period)
    stamp(path, delivered)
    return Delivery(path, SOURCE, period.iso, delivered, len(rows), charges(rows, period))
