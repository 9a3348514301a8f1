"""On-premises VM meter CSV: one row per VM per day, priced from the internal rate card in USD.

cost = vcpu_hours * rate_vcpu_hour + memory_gb_hours * rate_memory_gb_hour + storage_gb_months *
rate_storage_gb_month, exact, rounded to 10 decimal places and written as plain decimal text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from orchestration.demo.allocation import ChargeDimensions
from orchestration.demo.delivery import Delivery, csv_text, stamp, write_text
from orchestration.demo.determinism import rng_for, stable_uuid
from orchestration.demo.ground_truth import Charge
from orchestration.demo.money import decimal_text, round_places
from orchestration.demo.organisation import (
    ONPREM_BRANCH,
    ONPREM_DATACENTER,
    ONPREM_PROD_A,
    ONPREM_PROD_B,
    ONPREM_SECURITY,
    Account,
)
from orchestration.demo.periods import BillingPeriod, at_midnight, iso_z

SOURCE = "onprem"
CURRENCY = "USD"
RATE_VCPU_HOUR = Decimal("0.021")
RATE_MEMORY_GB_HOUR = Decimal("0.0031")
RATE_STORAGE_GB_MONTH = Decimal("0.045")

ONPREM_COLUMNS: tuple[str, ...] = (
    "datacenter_id",
    "billing_period_start",
    "usage_start",
    "usage_end",
    "vm_name",
    "vm_uuid",
    "host_cluster",
    "project",
    "os",
    "vcpu_hours",
    "memory_gb_hours",
    "storage_gb_months",
    "rate_vcpu_hour",
    "rate_memory_gb_hour",
    "rate_storage_gb_month",
    "cost",
    "currency",
)


@dataclass(frozen=True)
class VirtualMachine:
    name: str
    cluster: Account
    project: str  # '' = nobody registered the VM to a project
    vcpus: int
    memory_gb: int
    storage_gb: int
    os: str = "RHEL 9"
    min_hours: int = 24  # powered-on hours per day are drawn from [min_hours, 24]


def virtual_machines() -> tuple[VirtualMachine, ...]:
    vm = VirtualMachine
    return (
        vm("gl-ledger-db01", ONPREM_PROD_A, "gl-ledger", 16, 128, 2000),
        vm("gl-ledger-app01", ONPREM_PROD_A, "gl-ledger", 8, 32, 200),
        vm("payroll-batch01", ONPREM_PROD_B, "payroll-engine", 8, 64, 500, min_hours=10),
        vm("nms-01", ONPREM_PROD_A, "network-core", 4, 16, 300),
        vm("nms-02", ONPREM_PROD_B, "network-core", 4, 16, 300),
        vm("bkp-media-01", ONPREM_PROD_B, "backup-vault", 8, 32, 40000),
        vm("bkp-media-02", ONPREM_PROD_B, "backup-vault", 8, 32, 40000),
        vm("idp-01", ONPREM_SECURITY, "iam-gateway", 4, 16, 100),
        vm("idp-02", ONPREM_SECURITY, "iam-gateway", 4, 16, 100),
        vm("siem-collector-01", ONPREM_SECURITY, "siem-pipeline", 8, 32, 6000),
        vm("teller-srv-01", ONPREM_BRANCH, "teller-desktop", 8, 32, 400, "Windows Server 2022"),
        vm("teller-srv-02", ONPREM_BRANCH, "teller-desktop", 8, 32, 400, "Windows Server 2022"),
        vm("atm-mon-01", ONPREM_BRANCH, "atm-monitoring", 4, 16, 250),
        vm("branch-queue-01", ONPREM_BRANCH, "branch-queue", 4, 8, 100, "Windows Server 2022"),
        vm("ci-runner-01", ONPREM_PROD_B, "ci-pipelines", 16, 32, 500, min_hours=6),
        vm("ci-runner-02", ONPREM_PROD_B, "ci-pipelines", 16, 32, 500, min_hours=6),
        vm("ci-runner-03", ONPREM_PROD_B, "ci-pipelines", 16, 32, 500, min_hours=6),
        vm("k8s-worker-01", ONPREM_PROD_A, "k8s-platform", 32, 128, 1000),
        vm("k8s-worker-02", ONPREM_PROD_A, "k8s-platform", 32, 128, 1000),
        vm("loan-legacy-01", ONPREM_PROD_A, "loan-origination", 8, 32, 800, "Windows Server 2019"),
        vm("legacy-fileserver-01", ONPREM_PROD_A, "", 4, 16, 12000, "Windows Server 2016"),
        vm("unknown-vm-113", ONPREM_PROD_B, "", 2, 8, 80, min_hours=0),
        vm("tmp-migration-07", ONPREM_SECURITY, "", 4, 16, 500),
        vm("print-srv-02", ONPREM_BRANCH, "", 2, 4, 60, "Windows Server 2019"),
    )


@dataclass
class MeterRow:
    values: dict[str, str]
    cost: Decimal


def _row(period: BillingPeriod, day_index: int, machine: VirtualMachine, rng: random.Random) -> MeterRow:
    start = at_midnight(period.start + timedelta(days=day_index))
    hours = Decimal(rng.randint(machine.min_hours, 24))
    vcpu_hours = machine.vcpus * hours
    memory_gb_hours = machine.memory_gb * hours
    storage_gb_months = round_places(Decimal(machine.storage_gb) / period.day_count, 6)
    compute = vcpu_hours * RATE_VCPU_HOUR + memory_gb_hours * RATE_MEMORY_GB_HOUR
    cost = round_places(compute + storage_gb_months * RATE_STORAGE_GB_MONTH)
    values = {
        "datacenter_id": ONPREM_DATACENTER.account_id,
        "billing_period_start": period.iso,
        "usage_start": iso_z(start),
        "usage_end": iso_z(start + timedelta(days=1)),
        "vm_name": machine.name,
        "vm_uuid": stable_uuid("onprem-vm", machine.name),
        "host_cluster": machine.cluster.account_id,
        "project": machine.project,
        "os": machine.os,
        "vcpu_hours": decimal_text(vcpu_hours),
        "memory_gb_hours": decimal_text(memory_gb_hours),
        "storage_gb_months": decimal_text(storage_gb_months),
        "rate_vcpu_hour": decimal_text(RATE_VCPU_HOUR),
        "rate_memory_gb_hour": decimal_text(RATE_MEMORY_GB_HOUR),
        "rate_storage_gb_month": decimal_text(RATE_STORAGE_GB_MONTH),
        "cost": decimal_text(cost),
        "currency": CURRENCY,
    }
    return MeterRow(values, cost)


def build_month(seed: int, period: BillingPeriod) -> list[MeterRow]:
    rng = rng_for(seed, SOURCE, period.label)
    machines = virtual_machines()
    return [_row(period, day, machine, rng) for day in range(period.day_count) for machine in machines]


def charges(rows: list[MeterRow], period: BillingPeriod) -> list[Charge]:
    """Billed = amortized = cost; project column, host cluster = sub-account, datacenter = billing account."""
    return [
        Charge(
            source=SOURCE,
            billing_period_start=row.values["billing_period_start"],
            billing_account_id=row.values["datacenter_id"],
            currency=row.values["currency"],
            billed=row.cost,
            amortized=row.cost,
            dimensions=ChargeDimensions(
                project=row.values["project"] or None,
                sub_account=row.values["host_cluster"],
                billing_account=row.values["datacenter_id"],
            ),
        )
        for row in rows
    ]


def delivery_time(period: BillingPeriod) -> datetime:
    return at_midnight(period.end) + timedelta(hours=2)


def write_month(landing_dir: Path, seed: int, period: BillingPeriod) -> Delivery:
    rows = build_month(seed, period)
    folder = landing_dir / SOURCE / ONPREM_DATACENTER.account_id.lower() / period.label
    path = folder / f"vm_meter_{period.label}.csv"
    write_text(path, csv_text(ONPREM_COLUMNS, ([row.values[c] for c in ONPREM_COLUMNS] for row in rows)))
    delivered = delivery_time(period)
    stamp(path, delivered)
    return Delivery(path, SOURCE, period.iso, delivered, len(rows), charges(rows, period))
