"""AWS CUR 2.0 (Data Exports) Parquet deliveries for the demo payer, including the 2026-09 re-delivery.

Rows are dicts keyed by CUR 2.0 snake_case column names with Decimal amounts; `CUR_COLUMNS` fixes the
Parquet column order and types (costs as doubles, rates as text, timestamps UTC, map columns
MAP<string,string>).
"""

from __future__ import annotations

import functools
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.demo.allocation import ChargeDimensions, strip_aws_user_prefix
from orchestration.demo.aws_catalog import (
    LATE_RESOURCE,
    LOCATION,
    REGION,
    SAVINGS_PLAN_RATES,
    Meter,
    Resource,
    aws_resources,
)
from orchestration.demo.delivery import Delivery, stamp
from orchestration.demo.determinism import (
    Draw,
    rng_for,
    stable_base32,
    stable_digits,
    stable_hex,
    stable_sku,
    stable_uuid,
)
from orchestration.demo.ground_truth import Charge
from orchestration.demo.money import cents, decimal_text, round_places, scaled, to_double
from orchestration.demo.organisation import AWS_LINKED_ACCOUNTS, AWS_PAYER, Account
from orchestration.demo.periods import BillingPeriod, at_midnight, iso_millis_z, iso_z, period_of
from orchestration.sql_text import identifier, literal

SOURCE = "aws_cur"
EXPORT_NAME = "cur2-billing"
CURRENCY = "USD"
LEGAL_ENTITY = "Amazon Web Services, Inc."
RESTATED_PERIOD = period_of("2026-09")
SAVINGS_PLAN_UPFRONT = Decimal("12000.00")
SAVINGS_PLAN_MONTHLY_COMMITMENT = Decimal("1000.00")
SAVINGS_PLAN_START = datetime(2026, 8, 1, tzinfo=UTC)
TAX_RATE = Decimal("0.06625")  # New Jersey sales tax on usage

_STR = pa.string()
_TS = pa.timestamp("ms", tz="UTC")
_DBL = pa.float64()
_MAP = pa.map_(pa.string(), pa.string())

# Column order and Parquet types of the export (CUR 2.0 names; rates are strings as in CUR 2.0).
CUR_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("bill_bill_type", _STR),
    ("bill_billing_entity", _STR),
    ("bill_billing_period_end_date", _TS),
    ("bill_billing_period_start_date", _TS),
    ("bill_invoice_id", _STR),
    ("bill_invoicing_entity", _STR),
    ("bill_payer_account_id", _STR),
    ("bill_payer_account_name", _STR),
    ("cost_category", _MAP),
    ("discount", _MAP),
    ("identity_line_item_id", _STR),
    ("identity_time_interval", _STR),
    ("line_item_availability_zone", _STR),
    ("line_item_blended_cost", _DBL),
    ("line_item_blended_rate", _STR),
    ("line_item_currency_code", _STR),
    ("line_item_legal_entity", _STR),
    ("line_item_line_item_description", _STR),
    ("line_item_line_item_type", _STR),
    ("line_item_net_unblended_cost", _DBL),
    ("line_item_net_unblended_rate", _STR),
    ("line_item_normalization_factor", _DBL),
    ("line_item_normalized_usage_amount", _DBL),
    ("line_item_operation", _STR),
    ("line_item_product_code", _STR),
    ("line_item_resource_id", _STR),
    ("line_item_tax_type", _STR),
    ("line_item_unblended_cost", _DBL),
    ("line_item_unblended_rate", _STR),
    ("line_item_usage_account_id", _STR),
    ("line_item_usage_account_name", _STR),
    ("line_item_usage_amount", _DBL),
    ("line_item_usage_end_date", _TS),
    ("line_item_usage_start_date", _TS),
    ("line_item_usage_type", _STR),
    ("pricing_currency", _STR),
    ("pricing_lease_contract_length", _STR),
    ("pricing_offering_class", _STR),
    ("pricing_public_on_demand_cost", _DBL),
    ("pricing_public_on_demand_rate", _STR),
    ("pricing_purchase_option", _STR),
    ("pricing_rate_code", _STR),
    ("pricing_rate_id", _STR),
    ("pricing_term", _STR),
    ("pricing_unit", _STR),
    ("product", _MAP),
    ("product_fee_code", _STR),
    ("product_fee_description", _STR),
    ("product_from_location", _STR),
    ("product_from_location_type", _STR),
    ("product_from_region_code", _STR),
    ("product_instance_family", _STR),
    ("product_instance_type", _STR),
    ("product_location", _STR),
    ("product_location_type", _STR),
    ("product_operation", _STR),
    ("product_pricing_unit", _STR),
    ("product_product_family", _STR),
    ("product_region_code", _STR),
    ("product_servicecode", _STR),
    ("product_sku", _STR),
    ("product_to_location", _STR),
    ("product_to_location_type", _STR),
    ("product_to_region_code", _STR),
    ("product_usagetype", _STR),
    ("reservation_amortized_upfront_cost_for_usage", _DBL),
    ("reservation_amortized_upfront_fee_for_billing_period", _DBL),
    ("reservation_effective_cost", _DBL),
    ("reservation_end_time", _STR),
    ("reservation_modification_status", _STR),
    ("reservation_normalized_units_per_reservation", _STR),
    ("reservation_number_of_reservations", _STR),
    ("reservation_recurring_fee_for_usage", _DBL),
    ("reservation_reservation_arn", _STR),
    ("reservation_start_time", _STR),
    ("reservation_subscription_id", _STR),
    ("reservation_total_reserved_normalized_units", _STR),
    ("reservation_total_reserved_units", _STR),
    ("reservation_units_per_reservation", _STR),
    ("reservation_unused_amortized_upfront_fee_for_billing_period", _DBL),
    ("reservation_unused_normalized_unit_quantity", _DBL),
    ("reservation_unused_quantity", _DBL),
    ("reservation_unused_recurring_fee", _DBL),
    ("reservation_upfront_value", _DBL),
    ("resource_tags", _MAP),
    ("savings_plan_amortized_upfront_commitment_for_billing_period", _DBL),
    ("savings_plan_end_time", _STR),
    ("savings_plan_instance_type_family", _STR),
    ("savings_plan_offering_type", _STR),
    ("savings_plan_payment_option", _STR),
    ("savings_plan_purchase_term", _STR),
    ("savings_plan_recurring_commitment_for_billing_period", _DBL),
    ("savings_plan_region", _STR),
    ("savings_plan_savings_plan_arn", _STR),
    ("savings_plan_savings_plan_effective_cost", _DBL),
    ("savings_plan_savings_plan_rate", _DBL),
    ("savings_plan_start_time", _STR),
    ("savings_plan_total_commitment_to_date", _DBL),
    ("savings_plan_used_commitment", _DBL),
)

Row = dict[str, Any]


def savings_plan_arn(seed: int) -> str:
    return f"arn:aws:savingsplans::{AWS_PAYER.account_id}:savingsplan/{stable_uuid(seed, 'savings-plan')}"


@functools.cache
def _invoice_id(seed: int, period: BillingPeriod, bill_type: str) -> str:
    return stable_digits(seed, "aws-invoice", period.label, bill_type, length=10)


def _base_row(
    seed: int,
    period: BillingPeriod,
    account: Account,
    key: tuple[object, ...],
    start: datetime,
    end: datetime,
    line_item_type: str,
) -> Row:
    return {
        "bill_bill_type": "Anniversary",
        "bill_billing_entity": "AWS",
        "bill_billing_period_end_date": at_midnight(period.end),
        "bill_billing_period_start_date": at_midnight(period.start),
        "bill_invoice_id": _invoice_id(seed, period, "Anniversary"),
        "bill_invoicing_entity": LEGAL_ENTITY,
        "bill_payer_account_id": AWS_PAYER.account_id,
        "bill_payer_account_name": AWS_PAYER.name,
        "cost_category": {},
        "discount": {},
        "identity_line_item_id": stable_base32(seed, "aws-line-item", *key),
        "identity_time_interval": f"{iso_z(start)}/{iso_z(end)}",
        "line_item_currency_code": CURRENCY,
        "line_item_legal_entity": LEGAL_ENTITY,
        "line_item_line_item_type": line_item_type,
        "line_item_usage_account_id": account.account_id,
        "line_item_usage_account_name": account.name,
        "line_item_usage_start_date": start,
        "line_item_usage_end_date": end,
        "pricing_currency": CURRENCY,
        "product": {},
        "resource_tags": {},
    }


def _set_cost(row: Row, cost: Decimal, rate: Decimal | None) -> None:
    for column in ("line_item_unblended_cost", "line_item_blended_cost", "line_item_net_unblended_cost"):
        row[column] = cost
    rate_text = None if rate is None else decimal_text(rate)
    for column in ("line_item_unblended_rate", "line_item_blended_rate", "line_item_net_unblended_rate"):
        row[column] = rate_text


@functools.cache
def _meter_ids(meter: Meter) -> tuple[str, str, str, str]:
    """(product_sku, pricing_rate_code, pricing_rate_id, rate text) of a meter."""
    sku = stable_sku(meter.product_code, meter.usage_type, meter.operation)
    rate_code = f"{sku}.JRTCKXETXF.{stable_sku('rate', sku, length=10)}"
    return sku, rate_code, stable_digits("rate-id", sku, length=11), decimal_text(meter.rate)


def _meter_row(
    seed: int,
    period: BillingPeriod,
    resource: Resource,
    meter: Meter,
    day_start: datetime,
    quantity: Decimal,
    line_item_type: str,
) -> Row:
    day_end = day_start + timedelta(days=1)
    key = (period.label, resource.resource_id, meter.usage_type, day_start.date().isoformat(), line_item_type)
    row = _base_row(seed, period, resource.account, key, day_start, day_end, line_item_type)
    on_demand = round_places(quantity * meter.rate)
    sku, rate_code, rate_id, rate_text = _meter_ids(meter)
    row.update(
        {
            "line_item_availability_zone": resource.availability_zone,
            "line_item_line_item_description": meter.description,
            "line_item_operation": meter.operation,
            "line_item_product_code": meter.product_code,
            "line_item_resource_id": resource.resource_id,
            "line_item_usage_amount": quantity,
            "line_item_usage_type": meter.usage_type,
            "pricing_public_on_demand_cost": on_demand,
            "pricing_public_on_demand_rate": rate_text,
            "pricing_rate_code": rate_code,
            "pricing_rate_id": rate_id,
            "pricing_term": "OnDemand",
            "pricing_unit": meter.pricing_unit,
            "product": dict(
                (
                    ("product_name", meter.product_name),
                    ("region", REGION),
                    ("servicename", meter.product_name),
                    *meter.attributes,
                )
            ),
            "product_instance_type": meter.instance_type,
            "product_instance_family": dict(meter.attributes).get("instance_family"),
            "product_location": LOCATION,
            "product_location_type": "AWS Region",
            "product_operation": meter.operation,
            "product_pricing_unit": meter.pricing_unit,
            "product_product_family": meter.product_family,
            "product_region_code": REGION,
            "product_servicecode": meter.servicecode,
            "product_sku": sku,
            "product_usagetype": meter.usage_type,
            "resource_tags": dict(resource.tags),
        }
    )
    if meter.product_family == "Data Transfer":
        row.update(
            {
                "product_from_location": LOCATION,
                "product_from_location_type": "AWS Region",
                "product_from_region_code": REGION,
                "product_to_location": "External",
                "product_to_location_type": "Other",
            }
        )
    if meter.normalization_factor is not None:
        row["line_item_normalization_factor"] = meter.normalization_factor
        row["line_item_normalized_usage_amount"] = quantity * meter.normalization_factor
    if line_item_type == "SavingsPlanNegation":
        _set_cost(row, -on_demand, -meter.rate)
        row["pricing_public_on_demand_cost"] = Decimal(0)
        row["line_item_line_item_description"] = (
            f"SavingsPlanNegation used by AccountId : {AWS_PAYER.account_id} and UsageSku : {sku}"
        )
        row["savings_plan_savings_plan_arn"] = savings_plan_arn(seed)
    else:
        _set_cost(row, on_demand, meter.rate)
    if line_item_type == "SavingsPlanCoveredUsage":
        sp_rate = SAVINGS_PLAN_RATES[meter.instance_type or ""]
        row.update(
            {
                "line_item_line_item_description": f"Savings Plan covered usage: {meter.description}",
                "savings_plan_savings_plan_arn": savings_plan_arn(seed),
                "savings_plan_savings_plan_rate": sp_rate,
                "savings_plan_savings_plan_effective_cost": round_places(quantity * sp_rate),
            }
        )
    return row


def _quantity(draw: Draw, rng: random.Random, period: BillingPeriod) -> Decimal:
    return draw.daily(rng, period.day_count, 8)


def _usage_rows(
    seed: int,
    period: BillingPeriod,
    rng: random.Random,
    resources: tuple[Resource, ...],
) -> list[Row]:
    rows: list[Row] = []
    for day in period.days:
        day_start = at_midnight(day)
        for resource in resources:
            for index, (meter, draw) in enumerate(resource.meters):
                quantity = _quantity(draw, rng, period)
                covered = resource.savings_plan_covered and index == 0
                for kind in ("SavingsPlanCoveredUsage", "SavingsPlanNegation") if covered else ("Usage",):
                    rows.append(_meter_row(seed, period, resource, meter, day_start, quantity, kind))
    return rows


def _savings_plan_fields(seed: int) -> Row:
    return {
        "savings_plan_savings_plan_arn": savings_plan_arn(seed),
        "savings_plan_offering_type": "ComputeSavingsPlans",
        "savings_plan_payment_option": "All Upfront",
        "savings_plan_purchase_term": "1yr",
        "savings_plan_start_time": iso_millis_z(SAVINGS_PLAN_START),
        "savings_plan_end_time": iso_millis_z(SAVINGS_PLAN_START.replace(year=2027) - timedelta(seconds=1)),
        "line_item_product_code": "ComputeSavingsPlans",
        "line_item_usage_type": "ComputeSP:1yrAllUpfront",
        "line_item_operation": "None",
        "line_item_usage_amount": Decimal(1),
        "line_item_resource_id": savings_plan_arn(seed),
        "product": {"product_name": "Savings Plans for AWS Compute usage"},
        "product_product_family": "Savings Plans",
        "product_servicecode": "ComputeSavingsPlans",
        "product_usagetype": "ComputeSP:1yrAllUpfront",
        "pricing_public_on_demand_cost": Decimal(0),
    }


def _savings_plan_rows(seed: int, period: BillingPeriod, usage_rows: list[Row]) -> list[Row]:
    rows: list[Row] = []
    start, end = at_midnight(period.start), at_midnight(period.end)
    if period.start == SAVINGS_PLAN_START.date():
        purchase_end = SAVINGS_PLAN_START + timedelta(hours=1)
        upfront = _base_row(
            seed,
            period,
            AWS_PAYER,
            (period.label, "sp-upfront"),
            SAVINGS_PLAN_START,
            purchase_end,
            "SavingsPlanUpfrontFee",
        )
        upfront.update(_savings_plan_fields(seed))
        upfront["bill_bill_type"] = "Purchase"
        upfront["bill_invoice_id"] = _invoice_id(seed, period, "Purchase")
        upfront["line_item_line_item_description"] = "1 year All Upfront Compute Savings Plan"
        _set_cost(upfront, SAVINGS_PLAN_UPFRONT, SAVINGS_PLAN_UPFRONT)
        rows.append(upfront)
    used = sum(
        (
            row["savings_plan_savings_plan_effective_cost"]
            for row in usage_rows
            if row["line_item_line_item_type"] == "SavingsPlanCoveredUsage"
        ),
        Decimal(0),
    )
    if used >= SAVINGS_PLAN_MONTHLY_COMMITMENT:
        raise AssertionError(f"savings plan over-used in {period.label}: {used}")
    recurring = _base_row(
        seed, period, AWS_PAYER, (period.label, "sp-recurring"), start, end, "SavingsPlanRecurringFee"
    )
    recurring.update(_savings_plan_fields(seed))
    recurring.update(
        {
            "line_item_line_item_description": "1 year All Upfront Compute Savings Plan: monthly commitment",
            "savings_plan_amortized_upfront_commitment_for_billing_period": SAVINGS_PLAN_MONTHLY_COMMITMENT,
            "savings_plan_recurring_commitment_for_billing_period": Decimal(0),
            "savings_plan_total_commitment_to_date": SAVINGS_PLAN_MONTHLY_COMMITMENT,
            "savings_plan_used_commitment": used,
        }
    )
    _set_cost(recurring, Decimal(0), Decimal(0))
    rows.append(recurring)
    return rows


def _credit_row(seed: int, period: BillingPeriod, account: Account, amount: Decimal) -> Row:
    row = _base_row(
        seed,
        period,
        account,
        (period.label, "credit", account.account_id),
        at_midnight(period.start),
        at_midnight(period.end),
        "Credit",
    )
    row.update(
        {
            "line_item_line_item_description": "AWS Migration Acceleration Program credit",
            "line_item_product_code": "AmazonEC2",
            "line_item_usage_amount": Decimal(0),
            "product": {"product_name": "Amazon Elastic Compute Cloud"},
            "pricing_public_on_demand_cost": Decimal(0),
        }
    )
    _set_cost(row, amount, None)
    return row


def _tax_rows(seed: int, period: BillingPeriod, rows: list[Row]) -> list[Row]:
    """One Tax line per (usage account, product code), as CUR itemises tax."""
    taxable: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        if row["line_item_line_item_type"] in {"Usage", "SavingsPlanCoveredUsage", "SavingsPlanNegation"}:
            key = (
                row["line_item_usage_account_id"],
                row["line_item_usage_account_name"],
                row["line_item_product_code"],
            )
            taxable[key] += row["line_item_unblended_cost"]
    tax_rows = []
    for (account_id, account_name, product_code), base in sorted(taxable.items()):
        account = Account(account_id, account_name, None)
        row = _base_row(
            seed,
            period,
            account,
            (period.label, "tax", account_id, product_code),
            at_midnight(period.start),
            at_midnight(period.end),
            "Tax",
        )
        row.update(
            {
                "line_item_line_item_description": f"Tax for product code {product_code}",
                "line_item_product_code": product_code,
                "line_item_tax_type": "Sales Tax",
                "line_item_usage_amount": Decimal(1),
                "pricing_public_on_demand_cost": Decimal(0),
            }
        )
        _set_cost(row, cents(base * TAX_RATE), None)
        tax_rows.append(row)
    return tax_rows


def _restate(seed: int, period: BillingPeriod, rows: list[Row]) -> list[Row]:
    """The re-delivery: transfer quantities corrected, duplicate request rows dropped, late usage added."""
    rng = rng_for(seed, SOURCE, period.label, "restatement")
    restated = [dict(row) for row in rows]
    transfer = [i for i, row in enumerate(restated) if row["product_product_family"] == "Data Transfer"]
    for index in sorted(rng.sample(transfer, 4)):
        row = restated[index]
        corrected = round_places(row["line_item_usage_amount"] * scaled(rng.randint(1050, 1300), 3), 3)
        row["line_item_usage_amount"] = corrected
        rate = Decimal(row["line_item_unblended_rate"])
        _set_cost(row, round_places(corrected * rate), rate)
        row["pricing_public_on_demand_cost"] = row["line_item_unblended_cost"]
    duplicates = {
        i
        for i, row in enumerate(restated)
        if row["line_item_line_item_type"] == "Usage" and row["line_item_usage_type"] == "Request"
    }
    dropped = set(rng.sample(sorted(duplicates), 3))
    restated = [row for i, row in enumerate(restated) if i not in dropped]
    for day in period.days[-2:]:
        meter, draw = LATE_RESOURCE.meters[0]
        quantity = _quantity(draw, rng, period)
        restated.append(_meter_row(seed, period, LATE_RESOURCE, meter, at_midnight(day), quantity, "Usage"))
    return restated


CREDIT_ACCOUNTS = {"2026-08": 0, "2026-09": 2, "2026-10": 1}  # index into the linked accounts list


def build_month(seed: int, period: BillingPeriod, *, restated: bool = False) -> list[Row]:
    """All rows of one delivery: daily usage, savings-plan fees, a credit and the tax lines."""
    rng = rng_for(seed, SOURCE, period.label)
    rows = _usage_rows(seed, period, rng, aws_resources())
    credit = -scaled(rng.randint(15_000, 30_000), 2)
    if restated:
        rows = _restate(seed, period, rows)
        credit -= Decimal("25.00")
    rows += _savings_plan_rows(seed, period, rows)
    rows.append(_credit_row(seed, period, AWS_LINKED_ACCOUNTS[CREDIT_ACCOUNTS[period.label]], credit))
    rows += _tax_rows(seed, period, rows)
    if period == RESTATED_PERIOD and not restated:
        for row in rows:  # the preliminary month-end delivery carries no invoice yet
            row["bill_invoice_id"] = None
    return rows


def amortized_cost(row: Row) -> Decimal:
    """docs/raw-layer.md: AWS amortized cost per line_item_line_item_type."""
    kind = row["line_item_line_item_type"]
    if kind == "SavingsPlanCoveredUsage":
        return row["savings_plan_savings_plan_effective_cost"]
    if kind in {"SavingsPlanNegation", "SavingsPlanUpfrontFee"}:
        return Decimal(0)
    if kind == "SavingsPlanRecurringFee":
        return row["savings_plan_total_commitment_to_date"] - row["savings_plan_used_commitment"]
    if kind == "DiscountedUsage":
        return row["reservation_effective_cost"]
    if kind == "RIFee":
        unused_upfront = row["reservation_unused_amortized_upfront_fee_for_billing_period"]
        return unused_upfront + row["reservation_unused_recurring_fee"]
    return row["line_item_unblended_cost"]


def charges(rows: list[Row], period: BillingPeriod) -> list[Charge]:
    result = []
    for row in rows:
        tags = strip_aws_user_prefix(row["resource_tags"])
        result.append(
            Charge(
                source=SOURCE,
                billing_period_start=period.iso,
                billing_account_id=row["bill_payer_account_id"],
                currency=row["line_item_currency_code"],
                billed=row["line_item_unblended_cost"],
                amortized=amortized_cost(row),
                dimensions=ChargeDimensions(
                    tags=tags,
                    project=tags.get("project"),
                    sub_account=row["line_item_usage_account_id"],
                    billing_account=row["bill_payer_account_id"],
                ),
            )
        )
    return result


def _column(name: str, data_type: pa.DataType, rows: list[Row]) -> pa.Array:
    values = [row.get(name) for row in rows]
    if data_type == _DBL:
        return pa.array([None if v is None else to_double(v) for v in values], type=_DBL)
    if data_type == _MAP:
        return pa.array([sorted((v or {}).items()) for v in values], type=_MAP)
    return pa.array(values, type=data_type)


def to_table(rows: list[Row]) -> pa.Table:
    return pa.Table.from_arrays(
        [_column(name, data_type, rows) for name, data_type in CUR_COLUMNS],
        schema=pa.schema([pa.field(name, data_type) for name, data_type in CUR_COLUMNS]),
    )


def write_parquet(table: pa.Table, path: Path) -> None:
    """Fixed writer settings so the bytes depend only on the rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table,
        path,
        compression="snappy",
        version="2.6",
        data_page_version="1.0",
        use_dictionary=True,
        write_statistics=True,
        row_group_size=1_000_000,
    )


def delivery_time(period: BillingPeriod, *, restated: bool = False) -> datetime:
    """Month-end delivery on the 1st at 06:15 UTC; the re-delivery two days later."""
    delivered = at_midnight(period.end) + timedelta(hours=6, minutes=15)
    return delivered + timedelta(days=2, hours=3) if restated else delivered


def delivery_path(landing_dir: Path, seed: int, period: BillingPeriod, *, restated: bool = False) -> Path:
    delivered = delivery_time(period, restated=restated)
    suffix = stable_hex(seed, "aws-delivery", period.label, restated)
    folder = f"{delivered.strftime('%Y%m%dT%H%M%SZ')}-{suffix}"
    return (
        landing_dir
        / SOURCE
        / EXPORT_NAME
        / "data"
        / f"BILLING_PERIOD={period.label}"
        / folder
        / f"{EXPORT_NAME}-00001.snappy.parquet"
    )


def write_month(landing_dir: Path, seed: int, period: BillingPeriod, *, restated: bool = False) -> Delivery:
    rows = build_month(seed, period, restated=restated)
    path = delivery_path(landing_dir, seed, period, restated=restated)
    write_parquet(to_table(rows), path)
    delivered = delivery_time(period, restated=restated)
    stamp(path, delivered)
    return Delivery(path, SOURCE, period.iso, delivered, len(rows), charges(rows, period))


# Legacy CUR (v1) header categories of the CUR 2.0 column prefixes the demo writes.
_LEGACY_CATEGORIES = {"line_item": "lineItem", "bill": "bill", "identity": "identity", "pricing": "pricing"}


def write_legacy_csv_gz(cur: Path, target: Path) -> Path:
    """A CUR 2.0 Parquet file as AWS delivers a legacy CUR (v1): `lineItem/UnblendedCost` headers, each resource tag
    its own `resourceTags/<key>` column, the map columns otherwise left out, timestamps as
    `2026-10-01T00:00:00.000Z`, gzip-compressed CSV. Written by DuckDB a row group at a time (a bench file of
    millions of lines is never held whole)."""
    con = duckdb.connect()
    try:
        rows = f"read_parquet({literal(str(cur))})"
        columns = []
        for name, kind, *_ in con.execute(f"describe select * from {rows}").fetchall():
            if kind.startswith("MAP"):
                continue
            header = name
            prefix = next((p for p in _LEGACY_CATEGORIES if name.startswith(f"{p}_")), None)
            if prefix is not None:
                attribute = "".join(word.capitalize() for word in name[len(prefix) + 1 :].split("_"))
                header = f"{_LEGACY_CATEGORIES[prefix]}/{attribute}"
            value = identifier(name)
            if kind.startswith("TIMESTAMP"):
                value = f"strftime({value}, '%Y-%m-%dT%H:%M:%S.000Z')"
            columns.append(f"{value} as {identifier(header)}")
        keys = con.execute(f"select distinct unnest(map_keys(resource_tags)) as k from {rows} order by k").fetchall()
        columns += [f"resource_tags[{literal(key)}] as {identifier('resourceTags/' + key)}" for (key,) in keys]
        target.parent.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy (select {', '.join(columns)} from {rows}) to {literal(str(target))} (header, compression gzip)"
        )
    finally:
        con.close()
    return target
