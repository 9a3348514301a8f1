"""GCP Cloud Billing export to BigQuery, as newline-delimited JSON (one file per invoice month).

Each line is one export row with BigQuery's nested records (`service`, `sku`, `project`, `location`, `usage`,
`invoice`, ...) and repeated records (`labels`, `credits`). Costs and credit amounts are JSON numbers.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from orchestration.demo.allocation import ChargeDimensions
from orchestration.demo.delivery import Delivery, jsonl_text, stamp, write_text
from orchestration.demo.determinism import Draw, gcp_style_id, rng_for, stable_digits
from orchestration.demo.ground_truth import Charge
from orchestration.demo.money import cents, quantity_double, round_places, to_double
from orchestration.demo.organisation import GCP_BILLING_ACCOUNT, GCP_SANDBOX_PROJECT
from orchestration.demo.periods import BillingPeriod, at_midnight, iso_z

SOURCE = "gcp_billing"
CURRENCY = "USD"
TAX_RATE = Decimal("0.06625")
SUD_RATE = Decimal("0.2")
PROMOTION_RATE = Decimal("0.5")
SUD_FROM_DAY = 8
ORGANIZATION_NUMBER = "248931605713"
GIB = Decimal(2**30)
TIB = Decimal(2**40)


@dataclass(frozen=True)
class Sku:
    service: str
    description: str
    usage_unit: str
    pricing_unit: str
    usage_factor: Decimal  # usage units per drawn unit (e.g. seconds per hour)
    price: Decimal  # per pricing unit
    sustained_use: bool = False
    location: str = "us-central1"


@dataclass(frozen=True)
class GcpProject:
    project_id: str
    name: str
    team: str
    folder: str


@dataclass(frozen=True)
class GcpUsage:
    project: GcpProject
    resource: str | None
    sku: Sku
    draw: Draw
    labels: tuple[tuple[str, str], ...] = ()
    machine_spec: str | None = None


SERVICES = {
    "Compute Engine": "6F81-5844-456A",
    "Cloud Storage": "95FF-2EF5-5EA1",
    "BigQuery": "24E6-581D-38E5",
    "Vertex AI": "C7E2-9256-1C43",
    "Cloud SQL": "9662-B51E-5089",
    "Cloud Run": "152E-C115-5142",
    "Networking": "E505-1604-58F8",
    "Invoice": "2062-016F-44A2",
}

N2_CORE = Sku(
    "Compute Engine",
    "N2 Instance Core running in Americas",
    "seconds",
    "hour",
    Decimal(3600),
    Decimal("0.031611"),
    sustained_use=True,
)
N2_RAM = Sku(
    "Compute Engine",
    "N2 Instance Ram running in Americas",
    "byte-seconds",
    "gibibyte hour",
    GIB * 3600,
    Decimal("0.004237"),
    sustained_use=True,
)
PD_CAPACITY = Sku(
    "Compute Engine", "Storage PD Capacity", "byte-seconds", "gibibyte month", GIB * 86400, Decimal("0.04")
)
GCS_STANDARD = Sku(
    "Cloud Storage",
    "Standard Storage US Multi-region",
    "byte-seconds",
    "gibibyte month",
    GIB * 86400,
    Decimal("0.026"),
    location="us",
)
GCS_CLASS_A = Sku(
    "Cloud Storage",
    "Multi-Region Standard Class A Operations",
    "requests",
    "count",
    Decimal(1),
    Decimal("0.000005"),
    location="us",
)
BQ_ANALYSIS = Sku("BigQuery", "Analysis (US)", "bytes", "tebibyte", TIB, Decimal("6.25"), location="US")
BQ_STORAGE = Sku(
    "BigQuery",
    "Active Logical Storage (US)",
    "byte-seconds",
    "gibibyte month",
    GIB * 86400,
    Decimal("0.02"),
    location="US",
)
VERTEX_T4 = Sku(
    "Vertex AI",
    "Custom model training Nvidia Tesla T4 GPU running in Americas",
    "seconds",
    "hour",
    Decimal(3600),
    Decimal("0.4025"),
)
SQL_VCPU = Sku(
    "Cloud SQL",
    "Cloud SQL for PostgreSQL: Zonal - vCPU in Americas",
    "seconds",
    "hour",
    Decimal(3600),
    Decimal("0.0413"),
)
SQL_RAM = Sku(
    "Cloud SQL",
    "Cloud SQL for PostgreSQL: Zonal - RAM in Americas",
    "byte-seconds",
    "gibibyte hour",
    GIB * 3600,
    Decimal("0.007"),
)
RUN_CPU = Sku("Cloud Run", "CPU Allocation Time", "seconds", "second", Decimal(1), Decimal("0.000024"))
RUN_MEMORY = Sku(
    "Cloud Run",
    "Memory Allocation Time",
    "byte-seconds",
    "gibibyte second",
    GIB,
    Decimal("0.0000025"),
)
EGRESS = Sku(
    "Networking",
    "Network Internet Data Transfer Out from Americas to Americas",
    "bytes",
    "gibibyte",
    GIB,
    Decimal("0.12"),
)

FEATURE_STORE = GcpProject("ml-feature-store", "ML Feature Store", "machine-learning", "data-and-analytics")
ML_TRAINING = GcpProject("ml-training", "ML Training", "machine-learning", "data-and-analytics")
BI_REPORTING = GcpProject("bi-reporting", "BI Reporting", "data-platform", "data-and-analytics")
AML = GcpProject("aml-screening", "AML Screening", "fraud", "cards-and-payments")
DECISIONING = GcpProject("credit-decisioning", "Credit Decisioning", "lending", "lending")
GLOBEX = GcpProject("globex-analytics", "Globex Analytics", "managed-services", "clients")
MOBILE_PUSH = GcpProject("mobile-push", "Mobile Push", "mobile", "web-and-mobile")
SANDBOX = GcpProject(GCP_SANDBOX_PROJECT, "Data Science Sandbox", "data-science", "sandboxes")

_PROD = (("app", "feature-store"), ("env", "prod"))
_NO_ADJUSTMENT: dict[str, None] = {"id": None, "description": None, "mode": None, "type": None}


def gcp_usages() -> tuple[GcpUsage, ...]:
    u = GcpUsage
    return (
        u(FEATURE_STORE, "feature-store-1", N2_CORE, Draw(192, 192), _PROD, "n2-standard-8"),
        u(FEATURE_STORE, "feature-store-1", N2_RAM, Draw(768, 768), _PROD, "n2-standard-8"),
        u(FEATURE_STORE, "feature-store-1", PD_CAPACITY, Draw(500, 500, 0, True), _PROD),
        u(FEATURE_STORE, None, BQ_STORAGE, Draw(2_000_000, 2_100_000, 3, True)),
        u(ML_TRAINING, "training-job", VERTEX_T4, Draw(20, 180, 1), (("env", "dev"), ("team", "ml"))),
        u(ML_TRAINING, "examplebank-ml-artifacts", GCS_STANDARD, Draw(8_000_000, 8_400_000, 3, True)),
        u(BI_REPORTING, None, BQ_ANALYSIS, Draw(3_000, 25_000, 4), (("env", "prod"), ("team", "bi"))),
        u(BI_REPORTING, None, BQ_STORAGE, Draw(5_000_000, 5_300_000, 3, True)),
        u(
            AML,
            "aml-worker-1",
            N2_CORE,
            Draw(96, 96),
            (("app", "aml-screening"), ("env", "prod")),
            "n2-standard-4",
        ),
        u(
            AML,
            "aml-worker-1",
            N2_RAM,
            Draw(384, 384),
            (("app", "aml-screening"), ("env", "prod")),
            "n2-standard-4",
        ),
        u(AML, "aml-db", SQL_VCPU, Draw(48, 48), (("env", "prod"),)),
        u(AML, "aml-db", SQL_RAM, Draw(192, 192), (("env", "prod"),)),
        u(DECISIONING, "decision-api", RUN_CPU, Draw(200_000, 900_000), (("env", "prod"),)),
        u(DECISIONING, "decision-api", RUN_MEMORY, Draw(400_000, 1_800_000), (("env", "prod"),)),
        u(DECISIONING, "decisioning-db", SQL_VCPU, Draw(48, 48)),
        u(GLOBEX, "globex-etl-1", N2_CORE, Draw(96, 96), (("client", "globex"),), "n2-standard-4"),
        u(GLOBEX, "globex-etl-1", N2_RAM, Draw(384, 384), (("client", "globex"),), "n2-standard-4"),
        u(GLOBEX, None, BQ_ANALYSIS, Draw(1_000, 9_000, 4), (("client", "globex"),)),
        u(GLOBEX, "globex-analytics-exports", GCS_STANDARD, Draw(900_000, 950_000, 3, True)),
        u(GLOBEX, None, EGRESS, Draw(20_000, 80_000, 3)),
        u(MOBILE_PUSH, "push-dispatcher", RUN_CPU, Draw(300_000, 1_200_000), (("env", "prod"),)),
        u(MOBILE_PUSH, "push-dispatcher", RUN_MEMORY, Draw(600_000, 2_400_000), (("env", "prod"),)),
        u(MOBILE_PUSH, "examplebank-push-payloads", GCS_CLASS_A, Draw(200_000, 800_000)),
        u(MOBILE_PUSH, None, EGRESS, Draw(5_000, 30_000, 3)),
        u(SANDBOX, "scratch-vm-1", N2_CORE, Draw(16, 96), (), "n2-standard-4"),
        u(SANDBOX, "scratch-vm-1", N2_RAM, Draw(64, 384), (), "n2-standard-4"),
        u(SANDBOX, None, BQ_ANALYSIS, Draw(100, 4_000, 4)),
    )


def _pairs(items: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in items]


@functools.cache
def _project_record(project: GcpProject) -> dict[str, Any]:
    folder_number = stable_digits("gcp-folder", project.folder, length=12)
    return {
        "id": project.project_id,
        "number": stable_digits("gcp-project", project.project_id, length=12),
        "name": project.name,
        "labels": _pairs((("env", "dev" if project is SANDBOX else "prod"), ("team", project.team))),
        "ancestry_numbers": f"/{ORGANIZATION_NUMBER}/{folder_number}/",
    }


def _location(sku: Sku) -> dict[str, str | None]:
    if sku.location == "us-central1":
        return {"location": "us-central1", "country": "US", "region": "us-central1", "zone": "us-central1-a"}
    return {"location": sku.location, "country": "US", "region": None, "zone": None}


def _resource(usage: GcpUsage) -> dict[str, str | None]:
    if usage.resource is None:
        return {"name": None, "global_name": None}
    if usage.sku.service == "Cloud Storage":
        global_name = f"//storage.googleapis.com/projects/_/buckets/{usage.resource}"
    elif usage.sku.service == "Compute Engine":
        number = stable_digits("gce-instance", usage.project.project_id, usage.resource, length=19)
        project_path = f"//compute.googleapis.com/projects/{usage.project.project_id}"
        global_name = f"{project_path}/zones/us-central1-a/instances/{number}"
    else:
        global_name = (
            f"//{usage.sku.service.lower().replace(' ', '')}.googleapis.com/projects/"
            f"{usage.project.project_id}/{usage.resource}"
        )
    return {"name": usage.resource, "global_name": global_name}


def _system_labels(usage: GcpUsage) -> list[dict[str, str]]:
    if usage.machine_spec is None:
        return []
    cores = usage.machine_spec.rsplit("-", 1)[1]
    return _pairs(
        (
            ("compute.googleapis.com/cores", cores),
            ("compute.googleapis.com/machine_spec", usage.machine_spec),
            ("compute.googleapis.com/memory", str(int(cores) * 4096)),
        )
    )


def _credit(name: str, credit_type: str, amount: Decimal, full_name: str | None) -> dict[str, Any]:
    return {
        "name": name,
        "amount": to_double(amount),
        "full_name": full_name,
        "id": name,
        "type": credit_type,
    }


@dataclass
class GcpRow:
    record: dict[str, Any]
    cost: Decimal
    credits: list[Decimal]


def _quantity(sku: Sku, draw: Draw, rng: random.Random, period: BillingPeriod) -> tuple[Decimal, Decimal]:
    """(usage.amount in whole usage units, usage.amount_in_pricing_units)."""
    drawn = draw.sample(rng)
    usage = round_places(drawn * sku.usage_factor, 0)
    if draw.per_month:
        return usage, round_places(drawn / period.day_count)
    return usage, round_places(usage / sku.usage_factor)


def _usage_row(usage: GcpUsage, period: BillingPeriod, day_index: int, rng: random.Random) -> GcpRow:
    start = at_midnight(period.start + timedelta(days=day_index))
    end = start + timedelta(days=1)
    usage_amount, pricing_amount = _quantity(usage.sku, usage.draw, rng, period)
    cost = round_places(pricing_amount * usage.sku.price, 6)
    credits: list[tuple[str, str, Decimal, str | None]] = []
    if usage.sku.sustained_use and day_index + 1 >= SUD_FROM_DAY:
        credits.append(
            ("Sustained Usage Discount", "SUSTAINED_USAGE_DISCOUNT", -round_places(cost * SUD_RATE, 6), None)
        )
    if usage.project is SANDBOX:
        name = f"FreeTrial:Credit-{GCP_BILLING_ACCOUNT.account_id}"
        credits.append((name, "PROMOTION", -round_places(cost * PROMOTION_RATE, 6), "Free trial credit"))
    delay = timedelta(hours=rng.randint(2, 9), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    export_time = end + delay
    record = {
        "billing_account_id": GCP_BILLING_ACCOUNT.account_id,
        "service": {"id": SERVICES[usage.sku.service], "description": usage.sku.service},
        "sku": {"id": gcp_style_id("gcp-sku", usage.sku.description), "description": usage.sku.description},
        "usage_start_time": iso_z(start),
        "usage_end_time": iso_z(end),
        "project": _project_record(usage.project),
        "labels": _pairs(usage.labels),
        "system_labels": _system_labels(usage),
        "location": _location(usage.sku),
        "resource": _resource(usage),
        "tags": [],
        "transaction_type": "GOOGLE",
        "seller_name": None,
        "export_time": iso_z(export_time),
        "cost": to_double(cost),
        "cost_at_list": to_double(cost),
        "currency": CURRENCY,
        "currency_conversion_rate": 1.0,
        "usage": {
            "amount": quantity_double(usage_amount),
            "unit": usage.sku.usage_unit,
            "amount_in_pricing_units": to_double(pricing_amount),
            "pricing_unit": usage.sku.pricing_unit,
        },
        "credits": [_credit(*credit) for credit in credits],
        "invoice": {"month": period.compact},
        "cost_type": "regular",
        "adjustment_info": _NO_ADJUSTMENT,
    }
    return GcpRow(record, cost, [credit[2] for credit in credits])


def _tax_row(period: BillingPeriod, rows: list[GcpRow]) -> GcpRow:
    net = sum((row.cost + sum(row.credits, Decimal(0)) for row in rows), Decimal(0))
    tax = cents(net * TAX_RATE)
    record = {
        "billing_account_id": GCP_BILLING_ACCOUNT.account_id,
        "service": {"id": SERVICES["Invoice"], "description": "Invoice"},
        "sku": {"id": gcp_style_id("gcp-sku", "Tax"), "description": "Tax"},
        "usage_start_time": iso_z(at_midnight(period.start)),
        "usage_end_time": iso_z(at_midnight(period.end)),
        "project": {"id": None, "number": None, "name": None, "labels": [], "ancestry_numbers": None},
        "labels": [],
        "system_labels": [],
        "location": {"location": None, "country": None, "region": None, "zone": None},
        "resource": {"name": None, "global_name": None},
        "tags": [],
        "transaction_type": "GOOGLE",
        "seller_name": None,
        "export_time": iso_z(at_midnight(period.end) + timedelta(days=1, hours=7)),
        "cost": to_double(tax),
        "cost_at_list": to_double(tax),
        "currency": CURRENCY,
        "currency_conversion_rate": 1.0,
        "usage": {"amount": 0.0, "unit": None, "amount_in_pricing_units": 0.0, "pricing_unit": None},
        "credits": [],
        "invoice": {"month": period.compact},
        "cost_type": "tax",
        "adjustment_info": _NO_ADJUSTMENT,
    }
    return GcpRow(record, tax, [])


def build_month(seed: int, period: BillingPeriod) -> list[GcpRow]:
    rng = rng_for(seed, SOURCE, period.label)
    usages = gcp_usages()
    rows = [_usage_row(usage, period, day, rng) for day in range(period.day_count) for usage in usages]
    rows.append(_tax_row(period, rows))
    return rows


def charges(rows: list[GcpRow], period: BillingPeriod) -> list[Charge]:
    """Billed = cost + Σ credits (same amortized); GCP has no sub-account, labels carry no cost center."""
    result = []
    for row in rows:
        project = row.record["project"]
        amount = row.cost + sum(row.credits, Decimal(0))
        result.append(
            Charge(
                source=SOURCE,
                billing_period_start=period.iso,
                billing_account_id=row.record["billing_account_id"],
                currency=row.record["currency"],
                billed=amount,
                amortized=amount,
                dimensions=ChargeDimensions(
                    tags={pair["key"]: pair["value"] for pair in row.record["labels"]},
                    project=project["id"],
                    sub_account=None,
                    billing_account=row.record["billing_account_id"],
                ),
            )
        )
    return result


def delivery_time(period: BillingPeriod) -> datetime:
    return at_midnight(period.end) + timedelta(days=1, hours=7, minutes=30)


def write_month(landing_dir: Path, seed: int, period: BillingPeriod) -> Delivery:
    rows = build_month(seed, period)
    table = "billing_export_v1_" + GCP_BILLING_ACCOUNT.account_id.replace("-", "_")
    path = landing_dir / SOURCE / table / period.label / "export-000000000000.jsonl"
    write_text(path, jsonl_text(row.record for row in rows))
    delivered = delivery_time(period)
    stamp(path, delivered)
    return Delivery(path, SOURCE, period.iso, delivered, len(rows), charges(rows, period))
