{#-
    Contract compliance: one row per violation that must block the client's invoice for the period.
      no_contract_in_force    the client has usage in the period and no contract version in force on its
                              first day (one row per client and period)
      unpriced_usage          usage of a service or SKU no price row of the contract version covers (and no
                              `excluded` row), or whose winning price row prices another unit (a quantity is
                              never rescaled); one row per usage row (service x SKU x unit x currency)
      cost_currency_mismatch  usage priced cost_plus whose allocated cost is in another currency than the
                              contract's price currency (cost is never converted here)
      usage_limit_exceeded    a price's quantity in the period (usage in the price's unit) above its usage_limit
      invalid_tiers           a tiered price with usage in the period whose tiers do not start at 0, leave a
                              gap, overlap, are empty or end bounded (the first such tier is reported)
    Excluded usage is not a violation: int_contract_usage_excluded lists it as information.
-#}

{%- set string = dbt.type_string() -%}
{%- set txt = "regexp_replace(cast(cast(%s as decimal(38,6)) as " ~ string ~ "), '[.]?0+$', '')" -%}
{%- set month = "substr(cast(%s as " ~ string ~ "), 1, 7)" -%}

with

resolved as (

    select * from {{ ref('int_contract_usage_resolved') }}

),

prices as (

    select * from {{ ref('stg_reference__contract_prices') }}

),

tiers as (

    select * from {{ ref('stg_reference__contract_price_tiers') }}

),

no_contract as (

    select
        client_id,
        billing_period_start,
        cast(null as {{ string }}) as contract_id,
        cast(null as integer) as contract_version,
        'no_contract_in_force' as rule,
        cast(null as {{ string }}) as service_id,
        cast(null as {{ string }}) as sku_id,
        cast(cast(sum(source_row_count) as bigint) as {{ string }}) || ' allocated charges' as observed,
        'a contract version with valid_from <= ' || cast(billing_period_start as {{ string }})
            || ' < valid_to' as allowed,
        'Client ' || client_id || ' has ' || cast(cast(sum(source_row_count) as bigint) as {{ string }})
            || ' allocated charges in ' || {{ month | format('billing_period_start') }}
            || ' but no contract version in force on ' || cast(billing_period_start as {{ string }})
            || ': add or extend a version in seeds/contracts.csv.' as detail
    from resolved
    where resolution = 'no_contract'
    group by client_id, billing_period_start

),

unpriced as (

    select
        client_id,
        billing_period_start,
        contract_id,
        contract_version,
        'unpriced_usage' as rule,
        service_id,
        sku_id,
        {{ txt | format('quantity') }} || ' ' || coalesce(unit, '(no unit)') || ', cost '
            || {{ txt | format('allocated_effective_cost') }} || ' ' || currency as observed,
        case
            when resolution = 'unit_mismatch'
                then 'price ' || price_id || ' in ' || price_unit
            else 'a price row for ' || service_id || ' or its SKU'
        end as allowed,
        case
            when resolution = 'unit_mismatch'
                then 'Usage of ' || service_id || coalesce(' SKU ' || sku_id, '') || ' in '
                    || coalesce(unit, '(no unit)') || ' (' || coalesce(unit_code, 'no UN/ECE code') || ') in '
                    || {{ month | format('billing_period_start') }} || ' cannot be priced by ' || price_id
                    || ', which prices ' || price_unit || ': add a price in that unit (or a SKU row) to '
                    || contract_id || ' version ' || cast(contract_version as {{ string }}) || '.'
            else 'Usage of ' || service_id || coalesce(' SKU ' || sku_id, '') || ' in '
                || {{ month | format('billing_period_start') }} || ' has no price in ' || contract_id || ' version '
                || cast(contract_version as {{ string }})
                || ': add a price row (or an excluded row) to seeds/contract_prices.csv.'
        end as detail
    from resolved
    where resolution in ('unpriced', 'unit_mismatch')

),

currency_mismatch as (

    select
        client_id,
        billing_period_start,
        contract_id,
        contract_version,
        'cost_currency_mismatch' as rule,
        service_id,
        sku_id,
        {{ txt | format('allocated_effective_cost') }} || ' ' || currency as observed,
        'cost in ' || price_currency as allowed,
        'Cost-plus price ' || price_id || ' needs cost in ' || price_currency || ' but ' || service_id
            || coalesce(' SKU ' || sku_id, '') || ' cost ' || {{ txt | format('allocated_effective_cost') }} || ' '
            || currency || ' in ' || {{ month | format('billing_period_start') }}
            || ': price it by quantity or agree a cost currency; cost is never converted.' as detail
    from resolved
    where resolution = 'currency_mismatch'

),

limited_usage as (

    select
        resolved.client_id,
        resolved.billing_period_start,
        resolved.contract_id,
        resolved.contract_version,
        prices.price_id,
        prices.service_id,
        prices.sku_id,
        prices.unit,
        prices.usage_limit,
        cast(sum(resolved.quantity) as {{ billing.money_type() }}) as quantity
    from resolved
    inner join prices
        on resolved.contract_id = prices.contract_id
        and resolved.contract_version = prices.contract_version
        and resolved.price_id = prices.price_id
    where resolved.resolution = 'priced'
        and resolved.unit_code = prices.unit
        and prices.usage_limit is not null
    group by
        resolved.client_id, resolved.billing_period_start, resolved.contract_id, resolved.contract_version,
        prices.price_id, prices.service_id, prices.sku_id, prices.unit, prices.usage_limit

),

limit_exceeded as (

    select
        client_id,
        billing_period_start,
        contract_id,
        contract_version,
        'usage_limit_exceeded' as rule,
        service_id,
        sku_id,
        {{ txt | format('quantity') }} || ' ' || unit as observed,
        {{ txt | format('usage_limit') }} || ' ' || unit as allowed,
        'Usage priced by ' || price_id || ' in ' || {{ month | format('billing_period_start') }} || ' is '
            || {{ txt | format('quantity') }} || ' ' || unit || ', above the contractual limit of '
            || {{ txt | format('usage_limit') }} || ': agree the excess with the client or amend the limit.'
            as detail
    from limited_usage
    where quantity > usage_limit

),

tier_sequence as (

    select
        prices.contract_id,
        prices.contract_version,
        prices.price_id,
        tiers.tier_number,
        tiers.from_quantity,
        tiers.to_quantity,
        lag(tiers.tier_number) over (
            partition by prices.contract_id, prices.contract_version, prices.price_id
            order by tiers.tier_number
        ) as previous_tier_number,
        lag(tiers.to_quantity) over (
            partition by prices.contract_id, prices.contract_version, prices.price_id
            order by tiers.tier_number
        ) as previous_to_quantity,
        lead(tiers.tier_number) over (
            partition by prices.contract_id, prices.contract_version, prices.price_id
            order by tiers.tier_number
        ) as next_tier_number
    from prices
    left join tiers
        on prices.contract_id = tiers.contract_id
        and prices.contract_version = tiers.contract_version
        and prices.price_id = tiers.price_id
    where prices.pricing_model in ('tiered_graduated', 'tiered_volume')

),

tier_problems as (

    select
        contract_id,
        contract_version,
        price_id,
        tier_number,
        case
            when tier_number is null then 'no tiers'
            when previous_tier_number is null and from_quantity <> 0
                then 'tier ' || cast(tier_number as {{ string }}) || ' starts at ' || {{ txt | format('from_quantity') }}
                    || ', not 0 (gap)'
            when previous_tier_number is not null and previous_to_quantity is null
                then 'tier ' || cast(previous_tier_number as {{ string }}) || ' is unbounded but tier '
                    || cast(tier_number as {{ string }}) || ' follows (overlap)'
            when previous_tier_number is not null and from_quantity > previous_to_quantity
                then 'tier ' || cast(tier_number as {{ string }}) || ' starts at ' || {{ txt | format('from_quantity') }}
                    || ', tier ' || cast(previous_tier_number as {{ string }}) || ' ends at '
                    || {{ txt | format('previous_to_quantity') }} || ' (gap)'
            when previous_tier_number is not null and from_quantity < previous_to_quantity
                then 'tier ' || cast(tier_number as {{ string }}) || ' starts at ' || {{ txt | format('from_quantity') }}
                    || ', tier ' || cast(previous_tier_number as {{ string }}) || ' ends at '
                    || {{ txt | format('previous_to_quantity') }} || ' (overlap)'
            when to_quantity is not null and to_quantity <= from_quantity
                then 'tier ' || cast(tier_number as {{ string }}) || ' ends at ' || {{ txt | format('to_quantity') }}
                    || ', not above its start ' || {{ txt | format('from_quantity') }}
            when next_tier_number is null and to_quantity is not null
                then 'the last tier ' || cast(tier_number as {{ string }}) || ' ends at '
                    || {{ txt | format('to_quantity') }} || ' (quantities above it have no price)'
        end as problem
    from tier_sequence

),

first_tier_problems as (

    select *
    from tier_problems
    where problem is not null
    qualify row_number() over (
        partition by contract_id, contract_version, price_id
        order by tier_number asc nulls first
    ) = 1

),

tiered_usage as (

    select distinct
        client_id,
        billing_period_start,
        contract_id,
        contract_version,
        price_id,
        service_id,
        price_sku_id
    from resolved
    where resolution = 'priced'

),

invalid_tiers as (

    select
        tiered_usage.client_id,
        tiered_usage.billing_period_start,
        tiered_usage.contract_id,
        tiered_usage.contract_version,
        'invalid_tiers' as rule,
        tiered_usage.service_id,
        tiered_usage.price_sku_id as sku_id,
        first_tier_problems.problem as observed,
        'tiers from 0, each starting where the previous ends, only the last unbounded' as allowed,
        'Tiers of price ' || first_tier_problems.price_id || ' in ' || tiered_usage.contract_id || ' version '
            || cast(tiered_usage.contract_version as {{ string }}) || ': ' || first_tier_problems.problem
            || '; fix seeds/contract_price_tiers.csv before invoicing '
            || {{ month | format('tiered_usage.billing_period_start') }} || '.' as detail
    from tiered_usage
    inner join first_tier_problems
        on tiered_usage.contract_id = first_tier_problems.contract_id
        and tiered_usage.contract_version = first_tier_problems.contract_version
        and tiered_usage.price_id = first_tier_problems.price_id

),

final as (

    select * from no_contract
    union all
    select * from unpriced
    union all
    select * from currency_mismatch
    union all
    select * from limit_exceeded
    union all
    select * from invalid_tiers

)

select * from final
