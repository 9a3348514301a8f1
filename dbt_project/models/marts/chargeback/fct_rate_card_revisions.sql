{#-
    The quarterly rate-card revision: per fiscal quarter with at least one closed month, every line of the
    published rate card in force on the quarter's latest month, with the rate the quarter's unit costs
    support. `billing rates revise` turns a quarter's rows into a draft rate card version.

      unit_price services: quarter_cost = the pool's cost over the quarter's months (fct_unit_rates.pool_cost,
        in the line's currency), quarter_quantity = the pool's capacity over those months where the rule
        declares one (idle capacity is not charged to users: rate at full utilisation), else the quantity
        used; derived_unit_cost = quarter_cost / quarter_quantity truncated at 10 decimals;
        proposed_unit_rate = derived_unit_cost rounded half away from zero to 6 decimals. A quarter in which
        the pool had no driver rate keeps the current rate (basis says so).
      cost_recovery services: the multiplier stays (proposed = current); cost recovery tracks cost by itself.
    change_percent = (proposed - current) / current x 100, truncated to 4 decimals.
-#}

with

unit_rates as (

    select * from {{ ref('fct_unit_rates') }}

),

rate_cards as (

    select * from {{ ref('stg_ops__published_rate_cards') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

closed_months as (

    select distinct billing_period_start
    from {{ ref('fct_cost_allocations') }}

),

quarters as (

    select
        {{ billing.fiscal_quarter_start('billing_period_start') }} as quarter_start,
        max(billing_period_start) as latest_month,
        cast(count(*) as integer) as months_closed
    from closed_months
    group by {{ billing.fiscal_quarter_start('billing_period_start') }}

),

current_versions as (

    select
        quarters.quarter_start,
        quarters.months_closed,
        versions.rate_card_version
    from quarters
    inner join (
        select distinct rate_card_version, valid_from, valid_to, published_event_id from rate_cards
    ) as versions
        on versions.valid_from <= quarters.latest_month
        and (versions.valid_to is null or quarters.latest_month < versions.valid_to)
    qualify row_number() over (
        partition by quarters.quarter_start
        order by versions.valid_from desc, versions.published_event_id desc
    ) = 1

),

quarter_costs as (

    select
        {{ billing.fiscal_quarter_start('billing_period_start') }} as quarter_start,
        billing_currency,
        pool_cost_center_id,
        cast(sum(pool_cost) as {{ billing.money_type() }}) as quarter_cost,
        cast(sum(coalesce(capacity_quantity, used_quantity)) as {{ billing.money_type() }}) as quarter_quantity,
        max(case when capacity_quantity is not null then 1 else 0 end) as has_capacity
    from unit_rates
    group by
        {{ billing.fiscal_quarter_start('billing_period_start') }},
        billing_currency,
        pool_cost_center_id

),

derived as (

    select
        current_versions.quarter_start,
        current_versions.months_closed,
        current_versions.rate_card_version as current_rate_card_version,
        rate_cards.it_service_id,
        it_services.it_service_name,
        rate_cards.billing_currency,
        rate_cards.rate_type,
        rate_cards.unit,
        rate_cards.unit_rate as current_unit_rate,
        quarter_costs.quarter_cost,
        quarter_costs.quarter_quantity,
        quarter_costs.has_capacity,
        case
            when rate_cards.rate_type = 'unit_price'
                then {{ billing.unit_rate('quarter_costs.quarter_cost', 'quarter_costs.quarter_quantity') }}
        end as derived_unit_cost
    from current_versions
    inner join rate_cards
        on current_versions.rate_card_version = rate_cards.rate_card_version
    left join it_services
        on rate_cards.it_service_id = it_services.it_service_id
    left join quarter_costs
        on current_versions.quarter_start = quarter_costs.quarter_start
        and rate_cards.billing_currency = quarter_costs.billing_currency
        and it_services.pool_cost_center_id = quarter_costs.pool_cost_center_id

),

proposed as (

    select
        derived.*,
        case
            when derived.derived_unit_cost is not null
                then cast(round(cast(derived.derived_unit_cost as {{ billing.money_type() }}), 6)
                    as {{ billing.money_type() }})
            else derived.current_unit_rate
        end as proposed_unit_rate
    from derived

),

final as (

    select
        quarter_start,
        {{ billing.fiscal_year('quarter_start') }} as fiscal_year,
        it_service_id,
        it_service_name,
        billing_currency,
        rate_type,
        unit,
        current_rate_card_version,
        current_unit_rate,
        quarter_cost,
        quarter_quantity,
        derived_unit_cost,
        proposed_unit_rate,
        {{ billing.percent_truncated(
            billing.money_add(['proposed_unit_rate', '-current_unit_rate']), 'current_unit_rate'
        ) }} as change_percent,
        months_closed,
        case
            when rate_type = 'cost_recovery' then 'cost recovery multiplier kept'
            when derived_unit_cost is null then 'no driver rate in the quarter: current rate kept'
            when has_capacity = 1 then 'quarter pool cost per unit of capacity (idle capacity not charged)'
            else 'quarter pool cost per unit used'
        end as basis
    from proposed

)

select * from final
