{#-
    Drill-down of every chargeback and showback line (marts.fct_chargeback_lines) to the pieces behind it, one
    row per line x piece, with the line's rate card version, rate and quantity rule repeated on each row, so the
    chain can be read from the marts alone.

    A line is period x policy x department x cost center x IT service x currency x mode (x SKU, x resource when
    the scope's granularity asks for it). Its pieces:
      'usage'   every charge piece allocated to the line's department and cost center for the line's service
                (int_chargeback_pieces_scoped), with the allocation rule that brought it, its cumulative
                share of the origin charge and the provider export file and row (FOCUS x_SourceFile,
                x_SourceRow). Their cost sums to the line's allocated_cost.
      'driver'  on unit_price lines only: what measured the quantity charged, i.e. the driver of the rule that
                spreads the service's pool (int_allocation_shares, method driver) for the line's cost center:
                each FOCUS charge directly mapped to the cost center and counted as that driver (as
                int_allocation_drivers classifies it), or the headcount seed row in force.
    quantity_rule says how the line quantity is made: 'allocated_cost' (cost_recovery and unpriced lines:
    quantity = the sum of the usage pieces' cost) or 'driver_quantity' (unit_price lines: quantity = the sum of
    the driver pieces' quantity). piece_quantity is what the piece adds to the line quantity (null for the
    usage pieces of a unit_price line, whose quantity is measured by the drivers).

    Incremental by billing period (macros/incremental_by_period.sql): a close traces its own period's lines.
-#}

{{ config(billing.incremental_by_period('billing_period_start')) }}

{%- set money = billing.money_type() -%}
{%- set string = dbt.type_string() -%}

with

lines as (

    select * from {{ ref('fct_chargeback_lines') }}
    where {{ billing.in_closing_period('billing_period_start') }}

),

focus as (

    select x_ChargeId as charge_id, x_SourceFile as source_file, x_SourceRow as source_row
    from {{ ref('focus_cost_and_usage') }}
    where {{ billing.in_closing_period('x_BillingPeriodStartDate') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

shares as (

    select * from {{ ref('int_allocation_shares') }}
    where applied_method = 'driver'
        and {{ billing.in_closing_period('billing_period_start') }}

),

charges as (

    select
        x_ChargeId as charge_id,
        x_BillingPeriodStartDate as billing_period_start,
        ServiceCategory as service_category,
        ConsumedUnit as consumed_unit,
        ConsumedQuantity as consumed_quantity,
        lower(ChargeDescription) as charge_description
    from {{ ref('int_charges_unioned') }}
    where {{ billing.in_closing_period('x_BillingPeriodStartDate') }}

),

mapped as (

    select * from {{ ref('int_charges_mapped_to_cost_centers') }}
    where {{ billing.in_closing_period('billing_period_start') }}

),

units as (

    select * from {{ ref('stg_reference__unit_of_measure_mappings') }}

),

headcount as (

    select * from {{ ref('stg_reference__headcount') }}

),

-- line_key numbers the lines (a line here: period, policy, department, cost center, service, SKU, resource,
-- currency, mode): a piece carries its line's key alone, is numbered within it and meets the line's columns
-- only at the end. Numbering pieces that carried every line column took most of this model's time (72 of 170 s of
-- CPU at ten million lines: 21.6 million pieces sorted with twice the columns).
keyed_lines as (

    select
        lines.*,
        it_services.pool_cost_center_id,
        case when lines.rate_item = 'unit_price' then 'driver_quantity' else 'allocated_cost' end as quantity_rule,
        dense_rank() over (
            order by
                lines.billing_period_start, lines.policy_version, lines.department_id, lines.cost_center_id,
                lines.service_id, lines.sku_id, lines.resource_id, lines.billing_currency, lines.mode
        ) as line_key
    from lines
    left join it_services
        on lines.service_id = it_services.it_service_id

),

-- the line's SKU and resource as fct_chargeback_lines sets them: only when the scope's granularity asks for
-- them, never on unit_price lines (a driver has no SKU). Keyed on the piece's side so that pieces meet lines
-- by equality alone: a condition mixing both sides' columns left the join a scan of every line of the
-- department, cost center and service for each piece (quadratic in the resources of resource-grain lines).
-- A subquery written into each of the two joins below, not a CTE: a CTE read twice is materialized, and at ten
-- million lines its 20.8 million pieces spilled to disk and were read back twice (41 of 91 s); reading the
-- table twice costs two scans.
{%- set piece_keys -%}
    (
        select
            scoped_pieces.*,
            coalesce(
                case when scoped_pieces.granularity in ('service_sku', 'resource') then scoped_pieces.sku_id end, ''
            ) as priced_sku_key,
            coalesce(case when scoped_pieces.granularity = 'resource' then scoped_pieces.resource_id end, '')
                as priced_resource_key
        from {{ ref('int_chargeback_pieces_scoped') }} as scoped_pieces
        where {{ billing.in_closing_period('scoped_pieces.billing_period_start') }}
    )
{%- endset %}

{%- set line_meets_piece -%}
    select
        keyed_lines.line_key,
        keyed_lines.rate_item,
        keyed_lines.quantity_rule,
        keyed_lines.unit,
        piece_keys.allocation_id,
        piece_keys.charge_id as piece_charge_id,
        piece_keys.allocated_effective_cost,
        piece_keys.allocation_rule_id as piece_allocation_rule_id,
        piece_keys.share_ratio as piece_share_ratio
    from keyed_lines
    inner join {{ piece_keys }} as piece_keys
        on keyed_lines.billing_period_start = piece_keys.billing_period_start
        and keyed_lines.policy_version = piece_keys.policy_version
        and keyed_lines.department_id = piece_keys.department_id
        and keyed_lines.cost_center_id = piece_keys.cost_center_id
        and keyed_lines.service_id = piece_keys.it_service_id
        and keyed_lines.billing_currency = piece_keys.billing_currency
        and keyed_lines.mode = piece_keys.mode
{%- endset %}

line_pieces as (

    {{ line_meets_piece }}
        and coalesce(keyed_lines.sku_id, '') = piece_keys.priced_sku_key
        and coalesce(keyed_lines.resource_id, '') = piece_keys.priced_resource_key
    where keyed_lines.rate_item <> 'unit_price'

    union all

    {{ line_meets_piece }}
    where keyed_lines.rate_item = 'unit_price'
        and coalesce(keyed_lines.sku_id, '') = ''
        and coalesce(keyed_lines.resource_id, '') = ''

),

usage_pieces as (

    select
        line_pieces.line_key,
        'usage' as piece_type,
        line_pieces.allocation_id as piece_key,
        line_pieces.piece_charge_id as charge_id,
        line_pieces.piece_allocation_rule_id as allocation_rule_id,
        line_pieces.piece_share_ratio as share_ratio,
        case
            when line_pieces.quantity_rule = 'allocated_cost' then line_pieces.allocated_effective_cost
        end as piece_quantity,
        cast(null as {{ string }}) as piece_unit,
        line_pieces.allocated_effective_cost as piece_cost,
        cast(null as {{ string }}) as source_file,
        cast(null as bigint) as source_row,
        cast(null as {{ string }}) as source_key
    from line_pieces

),

-- the driver each unit_price line's quantity is measured by: the rules spreading the service's pool
line_drivers as (

    select distinct
        keyed_lines.line_key,
        keyed_lines.billing_period_start,
        keyed_lines.cost_center_id,
        shares.rule_id,
        shares.driver_type
    from keyed_lines
    inner join shares
        on keyed_lines.billing_period_start = shares.billing_period_start
        and keyed_lines.billing_currency = shares.billing_currency
        and keyed_lines.pool_cost_center_id = shares.pool_cost_center_id
        and keyed_lines.cost_center_id = shares.target_cost_center_id
    where keyed_lines.quantity_rule = 'driver_quantity'

),

-- each charge counted as a usage driver, classified as int_allocation_drivers does
driver_charges as (

    select
        charges.charge_id,
        charges.billing_period_start,
        mapped.cost_center_id,
        case
            when charges.service_category = 'Compute' and coalesce(units.focus_unit, charges.consumed_unit) = 'Hours'
                then 'compute_hours'
            when coalesce(units.focus_unit, charges.consumed_unit) = 'vCPU-Hours' then 'vcpu_hours'
            when
                charges.service_category = 'Storage'
                and coalesce(units.focus_unit, charges.consumed_unit) = 'GB-Months'
                then 'storage_gb_months'
            when
                coalesce(units.focus_unit, charges.consumed_unit) = 'GB'
                and (charges.service_category = 'Networking' or charges.charge_description like '%data transfer out%')
                then 'egress_gb'
        end as driver_type,
        cast(charges.consumed_quantity as decimal(38,10)) as driver_quantity,
        coalesce(units.focus_unit, charges.consumed_unit) as driver_unit
    from charges
    inner join mapped
        on charges.charge_id = mapped.charge_id
    left join units
        on charges.consumed_unit = units.provider_unit
    where charges.consumed_quantity is not null

),

usage_driver_pieces as (

    select
        line_drivers.line_key,
        'driver' as piece_type,
        driver_charges.charge_id as piece_key,
        driver_charges.charge_id,
        line_drivers.rule_id as allocation_rule_id,
        cast(null as {{ money }}) as share_ratio,
        driver_charges.driver_quantity as piece_quantity,
        driver_charges.driver_unit as piece_unit,
        cast(null as {{ money }}) as piece_cost,
        cast(null as {{ string }}) as source_file,
        cast(null as bigint) as source_row,
        cast(null as {{ string }}) as source_key
    from line_drivers
    inner join driver_charges
        on line_drivers.billing_period_start = driver_charges.billing_period_start
        and line_drivers.driver_type = driver_charges.driver_type
        and line_drivers.cost_center_id = driver_charges.cost_center_id

),

headcount_pieces as (

    select
        line_drivers.line_key,
        'driver' as piece_type,
        headcount.cost_center_id || '@' || cast(headcount.valid_from as {{ string }}) as piece_key,
        cast(null as {{ string }}) as charge_id,
        line_drivers.rule_id as allocation_rule_id,
        cast(null as {{ money }}) as share_ratio,
        cast(headcount.headcount as {{ money }}) as piece_quantity,
        'people' as piece_unit,
        cast(null as {{ money }}) as piece_cost,
        'seeds/headcount.csv' as source_file,
        cast(null as bigint) as source_row,
        headcount.cost_center_id || '@' || cast(headcount.valid_from as {{ string }}) as source_key
    from line_drivers
    inner join headcount
        on line_drivers.cost_center_id = headcount.cost_center_id
        and headcount.valid_from <= line_drivers.billing_period_start
        and (headcount.valid_to is null or line_drivers.billing_period_start < headcount.valid_to)
    where line_drivers.driver_type = 'headcount'

),

pieces as (

    select * from usage_pieces
    union all
    select * from usage_driver_pieces
    union all
    select * from headcount_pieces

),

-- Numbered carrying only what a piece does not share with its line or its charge: the line's unit and the charge's
-- export file and row meet the pieces after the numbering (in final). At ten million lines the 21.6 million pieces'
-- sort spilled 28 GB with them (~100 bytes of file name a row), 22 GB without: the select 72 -> 60 s, though inserted
-- into the stored table only 80.9 -> 76.4 s (writing the rows, compressed, is most of the rest).
numbered_pieces as (

    select
        pieces.*,
        row_number() over (
            partition by pieces.line_key
            order by
                case when pieces.piece_type = 'driver' then 0 else 1 end,
                pieces.piece_quantity desc nulls last, pieces.piece_cost desc nulls last, pieces.piece_key asc
        ) as piece_number
    from pieces

),

final as (

    select
        cast(keyed_lines.billing_period_start as date) as billing_period_start,
        cast(keyed_lines.department_id as {{ string }}) as department_id,
        cast(keyed_lines.cost_center_id as {{ string }}) as cost_center_id,
        cast(keyed_lines.service_id as {{ string }}) as service_id,
        cast(keyed_lines.sku_id as {{ string }}) as sku_id,
        cast(keyed_lines.resource_id as {{ string }}) as resource_id,
        cast(keyed_lines.billing_currency as {{ string }}) as billing_currency,
        cast(keyed_lines.mode as {{ string }}) as mode,
        cast(keyed_lines.rate_item as {{ string }}) as rate_item,
        cast(keyed_lines.rate_card_version as {{ string }}) as rate_card_version,
        cast(keyed_lines.unit_rate as {{ money }}) as unit_rate,
        cast(keyed_lines.quantity_rule as {{ string }}) as quantity_rule,
        cast(pieces.piece_number as integer) as piece_number,
        cast(pieces.piece_type as {{ string }}) as piece_type,
        cast(pieces.piece_key as {{ string }}) as piece_key,
        cast(pieces.charge_id as {{ string }}) as charge_id,
        cast(pieces.allocation_rule_id as {{ string }}) as allocation_rule_id,
        cast(pieces.share_ratio as {{ money }}) as share_ratio,
        cast(pieces.piece_quantity as {{ money }}) as piece_quantity,
        cast(
            case
                when pieces.piece_type = 'usage' and keyed_lines.quantity_rule = 'allocated_cost' then keyed_lines.unit
                else pieces.piece_unit
            end as {{ string }}
        ) as piece_unit,
        cast(pieces.piece_cost as {{ money }}) as piece_cost,
        cast(coalesce(focus.source_file, pieces.source_file) as {{ string }}) as source_file,
        cast(coalesce(focus.source_row, pieces.source_row) as bigint) as source_row,
        cast(pieces.source_key as {{ string }}) as source_key
    from keyed_lines
    inner join numbered_pieces as pieces
        on keyed_lines.line_key = pieces.line_key
    -- the export file and row of a usage or driver piece's charge (a headcount piece has no charge: its own)
    left join focus
        on pieces.charge_id = focus.charge_id

)

select * from final
{{ billing.periods_in_order('billing_period_start') }}
