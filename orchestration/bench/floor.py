"""Engine floor: the least work a close must do, as one plain DuckDB SQL script, to compare the platform against.

For one month's scaled exports (orchestration/demo/scale.py: AWS CUR 2.0 Parquet and Azure EA cost-details CSV) the
script reads each export once, writes a FOCUS-width normalized table once (`focus`, 45 columns: the FOCUS cost
columns as DECIMAL(38,10), periods as UTC timestamps, provider, accounts, service, SKU, resource, region,
commitment and Tags, plus lineage) into a DuckDB file under `work_dir`, and computes the cost-center totals of
EffectiveCost from that table.

The normalization follows the dbt models (models/intermediate/normalization/) where they decide amounts:
SavingsPlanNegation lines are not charges; savings-plan covered usage bills 0 and costs its savings-plan effective
cost; the recurring fee costs the unused commitment; an Azure actual-cost export bills and costs `Cost`. Cost
centers follow seeds/cost_center_mappings.csv as int_charges_mapped_to_cost_centers does: a rule matches on a tag
(`tag_key` = value, AWS `user:` prefix dropped), the `project` tag, the sub-account or the billing account, on the
charge's day within [valid_from, valid_to); the lowest precedence wins, then the lowest mapping_id; no match is
UNALLOCATED. It maps the few distinct (tags, accounts, day, currency) groups rather than every charge, which is the
least work that gives the same totals. No shared-cost cascade, chargeback or invoicing: this is a floor.

`cost_center_totals` is keyed `"<cost center>/<currency>"` (`"CC-2200/USD"`): AWS bills USD, Azure EUR.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.demo.scale import ScaledFile
from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT
from orchestration.sql_text import literal as _literal

FOCUS_TABLE = "focus"
DATABASE_NAME = "engine_floor.duckdb"
UNALLOCATED = "UNALLOCATED"
MONEY = "decimal(38,10)"


def totals_key(cost_center_id: str, currency: str) -> str:
    """How both baselines key a cost-center total: 'CC-2200/USD'."""
    return f"{cost_center_id}/{currency}"


@dataclass(frozen=True)
class FloorResult:
    seconds: float
    rows: int  # rows of the FOCUS table: every export line but AWS SavingsPlanNegation (not a FOCUS charge)
    cost_center_totals: dict[str, Decimal] = field(default_factory=dict)  # "<cost center>/<currency>" -> total


def _list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join(_literal(str(p)) for p in paths) + "]"


AWS_FOCUS = """
select
    'AWS' as ProviderName,
    coalesce(cur.bill_billing_entity, 'AWS') as PublisherName,
    coalesce(cur.bill_invoicing_entity, 'AWS') as InvoiceIssuerName,
    cur.bill_invoice_id as InvoiceId,
    cur.bill_payer_account_id as BillingAccountId,
    cur.bill_payer_account_name as BillingAccountName,
    cur.line_item_usage_account_id as SubAccountId,
    cur.line_item_usage_account_name as SubAccountName,
    cast(cur.bill_billing_period_start_date as timestamp) as BillingPeriodStart,
    cast(cur.bill_billing_period_end_date as timestamp) as BillingPeriodEnd,
    cast(cur.line_item_usage_start_date as timestamp) as ChargePeriodStart,
    cast(cur.line_item_usage_end_date as timestamp) as ChargePeriodEnd,
    case
        when cur.line_item_line_item_type in
            ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'RIFee') then 'Usage'
        when cur.line_item_line_item_type in ('SavingsPlanUpfrontFee', 'Fee') then 'Purchase'
        when cur.line_item_line_item_type = 'Tax' then 'Tax'
        when cur.line_item_line_item_type in ('Credit', 'Refund', 'EdpDiscount', 'PrivateRateDiscount',
            'BundledDiscount', 'SppDiscount', 'DistributorDiscount') then 'Credit'
        else 'Adjustment'
    end as ChargeCategory,
    case when cur.line_item_line_item_type = 'Refund' then 'Correction' end as ChargeClass,
    cur.line_item_line_item_description as ChargeDescription,
    case
        when cur.line_item_line_item_type in ('SavingsPlanRecurringFee', 'RIFee') then 'Recurring'
        when cur.line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
            then 'Usage-Based'
        else 'One-Time'
    end as ChargeFrequency,
    case when cur.line_item_line_item_type = 'SavingsPlanCoveredUsage' then cast(0 as {money})
        else cast(cur.line_item_unblended_cost as {money}) end as BilledCost,
    cast(case cur.line_item_line_item_type
        when 'SavingsPlanCoveredUsage' then cast(cur.savings_plan_savings_plan_effective_cost as {money})
        when 'SavingsPlanUpfrontFee' then 0
        when 'SavingsPlanRecurringFee' then cast(cur.savings_plan_total_commitment_to_date as {money})
            - coalesce(cast(cur.savings_plan_used_commitment as {money}), 0)
        when 'DiscountedUsage' then cast(cur.reservation_effective_cost as {money})
        when 'RIFee' then coalesce(cast(cur.reservation_unused_amortized_upfront_fee_for_billing_period as {money}), 0)
            + coalesce(cast(cur.reservation_unused_recurring_fee as {money}), 0)
        else cast(cur.line_item_unblended_cost as {money})
    end as {money}) as EffectiveCost,
    cast(coalesce(cur.pricing_public_on_demand_cost, cur.line_item_unblended_cost) as {money}) as ListCost,
    cast(cur.line_item_unblended_cost as {money}) as ContractedCost,
    try_cast(cur.pricing_public_on_demand_rate as {money}) as ListUnitPrice,
    try_cast(cur.line_item_unblended_rate as {money}) as ContractedUnitPrice,
    case
        when cur.line_item_line_item_type in
            ('SavingsPlanCoveredUsage', 'DiscountedUsage', 'SavingsPlanRecurringFee', 'RIFee') then 'Committed'
        when cur.line_item_line_item_type in ('Usage', 'SavingsPlanUpfrontFee', 'Fee')
            then case when cur.pricing_term = 'Spot' then 'Dynamic' else 'Standard' end
    end as PricingCategory,
    cast(cur.line_item_usage_amount as {money}) as PricingQuantity,
    cur.pricing_unit as PricingUnit,
    cur.line_item_currency_code as BillingCurrency,
    case when cur.line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
        then cast(cur.line_item_usage_amount as {money}) end as ConsumedQuantity,
    case when cur.line_item_line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
        then cur.pricing_unit end as ConsumedUnit,
    coalesce(services.service_name, cur.product['product_name'], cur.line_item_product_code) as ServiceName,
    coalesce(services.service_category, 'Other') as ServiceCategory,
    cur.product_sku as SkuId,
    cur.line_item_usage_type as SkuMeter,
    cur.pricing_rate_code as SkuPriceId,
    cur.line_item_resource_id as ResourceId,
    cast(null as varchar) as ResourceName,
    cur.product_region_code as RegionId,
    cur.product_location as RegionName,
    cur.line_item_availability_zone as AvailabilityZone,
    case when cur.line_item_line_item_type in
        ('SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')
        then cur.savings_plan_savings_plan_arn
        when cur.line_item_line_item_type in ('DiscountedUsage', 'RIFee') then cur.reservation_reservation_arn
    end as CommitmentDiscountId,
    case when cur.line_item_line_item_type in
        ('SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee') then 'Savings Plan'
        when cur.line_item_line_item_type in ('DiscountedUsage', 'RIFee') then 'Reserved Instance'
    end as CommitmentDiscountType,
    case when cur.line_item_line_item_type in ('SavingsPlanCoveredUsage', 'DiscountedUsage') then 'Used'
        when cur.line_item_line_item_type in ('SavingsPlanRecurringFee', 'RIFee') then 'Unused'
    end as CommitmentDiscountStatus,
    replace(replace(cast(to_json(cur.resource_tags) as varchar), '{{"user:', '{{"'), ',"user:', ',"') as Tags,
    'AWS' as ServiceProviderName,
    'aws_cur' as x_Source,
    cur.filename as x_SourceFile
from read_parquet({files}, filename = true, hive_partitioning = false) as cur
left join services
    on services.source = 'aws_cur' and services.service_key = cur.line_item_product_code
where cur.line_item_line_item_type <> 'SavingsPlanNegation'
"""

AZURE_FOCUS = """
select
    'Microsoft' as ProviderName,
    coalesce(ea.PublisherName, 'Microsoft') as PublisherName,
    'Microsoft' as InvoiceIssuerName,
    cast(null as varchar) as InvoiceId,
    ea.BillingAccountId as BillingAccountId,
    ea.BillingAccountName as BillingAccountName,
    ea.SubscriptionId as SubAccountId,
    ea.SubscriptionName as SubAccountName,
    cast(strptime(ea.BillingPeriodStartDate, '%m/%d/%Y') as timestamp) as BillingPeriodStart,
    cast(strptime(ea.BillingPeriodEndDate, '%m/%d/%Y') as timestamp) + interval 1 day as BillingPeriodEnd,
    cast(strptime(ea.Date, '%m/%d/%Y') as timestamp) as ChargePeriodStart,
    cast(strptime(ea.Date, '%m/%d/%Y') as timestamp) + interval 1 day as ChargePeriodEnd,
    case
        when ea.ChargeType is null or ea.ChargeType in ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') then 'Usage'
        when ea.ChargeType = 'Purchase' then 'Purchase'
        when ea.ChargeType = 'Tax' then 'Tax'
        when ea.ChargeType in ('Refund', 'Credit') then 'Credit'
        else 'Adjustment'
    end as ChargeCategory,
    case when ea.ChargeType = 'Refund' then 'Correction' end as ChargeClass,
    coalesce(ea.Product, ea.MeterName) as ChargeDescription,
    case
        when ea.Frequency = 'Recurring' then 'Recurring'
        when ea.Frequency = 'OneTime' or ea.ChargeType = 'Purchase' then 'One-Time'
        else 'Usage-Based'
    end as ChargeFrequency,
    cast(ea.Cost as {money}) as BilledCost,
    cast(ea.Cost as {money}) as EffectiveCost,
    case when cast(ea.PayGPrice as {money}) > 0 and ea.Quantity is not null
        then cast(cast(ea.PayGPrice as decimal(18,10)) * cast(ea.Quantity as decimal(18,10)) as {money})
        else cast(ea.Cost as {money}) end as ListCost,
    case when cast(ea.UnitPrice as {money}) > 0 and ea.Quantity is not null
        then cast(cast(ea.UnitPrice as decimal(18,10)) * cast(ea.Quantity as decimal(18,10)) as {money})
        else cast(ea.Cost as {money}) end as ContractedCost,
    cast(ea.PayGPrice as {money}) as ListUnitPrice,
    cast(ea.UnitPrice as {money}) as ContractedUnitPrice,
    case
        when ea.ChargeType in ('Tax', 'Refund', 'Credit', 'RoundingAdjustment', 'Adjustment') then null
        when ea.PricingModel = 'Spot' then 'Dynamic'
        when ea.PricingModel in ('Reservation', 'SavingsPlan') then 'Committed'
        else 'Standard'
    end as PricingCategory,
    cast(ea.Quantity as {money}) as PricingQuantity,
    ea.UnitOfMeasure as PricingUnit,
    ea.BillingCurrency as BillingCurrency,
    case when coalesce(ea.ChargeType, 'Usage') = 'Usage' then cast(ea.Quantity as {money}) end as ConsumedQuantity,
    case when coalesce(ea.ChargeType, 'Usage') = 'Usage' then ea.UnitOfMeasure end as ConsumedUnit,
    coalesce(services.service_name, ea.MeterCategory, ea.ConsumedService, 'Other') as ServiceName,
    coalesce(services.service_category, 'Other') as ServiceCategory,
    ea.PartNumber as SkuId,
    ea.MeterName as SkuMeter,
    cast(null as varchar) as SkuPriceId,
    ea.ResourceId as ResourceId,
    ea.ResourceName as ResourceName,
    lower(ea.ResourceLocation) as RegionId,
    coalesce(ea.ResourceLocation, ea.MeterRegion) as RegionName,
    ea.AvailabilityZone as AvailabilityZone,
    case when ea.PricingModel in ('Reservation', 'SavingsPlan') then ea.benefitId end as CommitmentDiscountId,
    case when ea.PricingModel = 'Reservation' then 'Reservation'
        when ea.PricingModel = 'SavingsPlan' then 'Savings Plan' end as CommitmentDiscountType,
    case when ea.ChargeType in ('UnusedReservation', 'UnusedSavingsPlan') then 'Unused'
        when coalesce(ea.ChargeType, 'Usage') = 'Usage' and ea.PricingModel in ('Reservation', 'SavingsPlan')
            then 'Used'
    end as CommitmentDiscountStatus,
    case when nullif(trim(ea.Tags), '') is null then null
        when trim(ea.Tags) like '{{%' then cast(json(ea.Tags) as varchar)
        else cast(json('{{' || ea.Tags || '}}') as varchar) end as Tags,
    coalesce(ea.PublisherName, 'Microsoft') as ServiceProviderName,
    'azure_cost' as x_Source,
    ea.filename as x_SourceFile
from read_csv({files}, header = true, all_varchar = true, filename = true) as ea
left join services
    on services.source = 'azure_cost' and services.service_key = ea.MeterCategory
"""

SCRIPT = """
set memory_limit = {memory_limit};
set threads = {threads};
set timezone = 'UTC';
set temp_directory = {temp_dir};

create temp table services as
select * from read_csv({services}, header = true, all_varchar = true);

create or replace table {focus} as
{union};

create or replace table cost_center_totals as
with

groups as (
    select
        row_number() over () as group_id,
        Tags as tags,
        Tags ->> '$.project' as project_id,
        SubAccountId as sub_account_id,
        BillingAccountId as billing_account_id,
        charge_date,
        BillingCurrency as currency,
        effective_cost
    from (
        select Tags, SubAccountId, BillingAccountId, cast(ChargePeriodStart as date) as charge_date,
            BillingCurrency, sum(EffectiveCost) as effective_cost
        from {focus}
        group by all
    )
),

mappings as (
    select mapping_id, match_dimension, tag_key, match_value, cost_center_id, cast(precedence as integer) as precedence,
        cast(nullif(valid_from, '') as date) as valid_from, cast(nullif(valid_to, '') as date) as valid_to
    from read_csv({mappings}, header = true, all_varchar = true)
),

winners as (
    select groups.group_id, mappings.cost_center_id
    from groups
    join mappings
        on (mappings.match_dimension = 'tag'
                and groups.tags ->> ('$."' || mappings.tag_key || '"') = mappings.match_value)
            or (mappings.match_dimension = 'project' and groups.project_id = mappings.match_value)
            or (mappings.match_dimension = 'sub_account' and groups.sub_account_id = mappings.match_value)
            or (mappings.match_dimension = 'billing_account' and groups.billing_account_id = mappings.match_value)
    where (mappings.valid_from is null or mappings.valid_from <= groups.charge_date)
        and (mappings.valid_to is null or groups.charge_date < mappings.valid_to)
    qualify row_number() over (partition by groups.group_id order by mappings.precedence, mappings.mapping_id) = 1
)

select coalesce(winners.cost_center_id, '{unallocated}') as cost_center_id, groups.currency,
    cast(sum(groups.effective_cost) as {money}) as effective_cost
from groups
left join winners on groups.group_id = winners.group_id
group by all
order by all;
"""


def floor_script(
    files: Sequence[ScaledFile],
    seeds_dir: Path,
    work_dir: Path,
    *,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
    threads: int = 2,
) -> str:
    """The whole floor as one DuckDB SQL script (run against a fresh database file)."""
    aws = [f.path for f in files if f.source == "aws_cur"]
    azure = [f.path for f in files if f.source == "azure_cost"]
    unknown = sorted({f.source for f in files} - {"aws_cur", "azure_cost"})
    if unknown or not (aws or azure):
        raise ValueError(f"the floor reads AWS CUR Parquet and Azure CSV files, not {unknown or 'nothing'}")
    selects = []
    if aws:
        selects.append(AWS_FOCUS.format(money=MONEY, files=_list(aws)))
    if azure:
        selects.append(AZURE_FOCUS.format(money=MONEY, files=_list(azure)))
    union = "\nunion all by name\n".join(f"({select})" for select in selects)
    return SCRIPT.format(
        memory_limit=_literal(memory_limit),
        threads=int(threads),
        temp_dir=_literal(str(work_dir / "engine_floor.tmp")),
        services=_literal(str(seeds_dir / "service_categories.csv")),
        mappings=_literal(str(seeds_dir / "cost_center_mappings.csv")),
        focus=FOCUS_TABLE,
        union=union,
        unallocated=UNALLOCATED,
        money=MONEY,
    )


def run_engine_floor(
    files: Sequence[ScaledFile],
    seeds_dir: Path,
    work_dir: Path,
    *,
    memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT,
    threads: int = 2,
) -> FloorResult:
    """Run the floor script on one month's scaled files into `work_dir`/engine_floor.duckdb (replaced)."""
    work_dir = Path(work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    database = work_dir / DATABASE_NAME
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    script = floor_script(files, Path(seeds_dir).resolve(), work_dir, memory_limit=memory_limit, threads=threads)
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    try:
        con.execute(script)
        (rows,) = con.execute(f"select count(*) from {FOCUS_TABLE}").fetchone() or (0,)
        totals = con.execute("select cost_center_id, currency, effective_cost from cost_center_totals").fetchall()
    finally:
        con.close()
    seconds = time.perf_counter() - started
    return FloorResult(
        seconds=seconds,
        rows=int(rows),
        cost_center_totals={totals_key(cc, currency): Decimal(amount) for cc, currency, amount in totals},
    )
