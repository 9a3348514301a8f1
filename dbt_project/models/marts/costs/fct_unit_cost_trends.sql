{#-
    Unit cost of each driver-priced IT service month over month: one row per billing period x IT service x unit
    x currency, read from fct_unit_rates (nothing is recomputed: quantity, cost and unit cost are that mart's
    used_quantity, pool_cost and rate_per_used_unit, the full-recovery rate) and named by the IT service whose
    pool the rule spreads (seeds/it_services.csv pool_cost_center_id).
      * previous_unit_cost: the same service's, unit's and currency's unit cost in the previous calendar month;
        null when it had none (no row then, or a volume below one unit);
      * change_percent = (unit_cost - previous_unit_cost) / |previous_unit_cost| x 100, exact, truncated toward
        zero to 4 decimals; null when either is null or the previous is 0.
-#}

with

unit_rates as (

    select * from {{ ref('fct_unit_rates') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

serviced as (

    select
        unit_rates.billing_period_start,
        coalesce(it_services.it_service_id, unit_rates.pool_cost_center_id) as it_service_id,
        it_services.it_service_name,
        unit_rates.pool_cost_center_id,
        unit_rates.rule_id,
        unit_rates.driver_type,
        unit_rates.driver_unit as unit,
        unit_rates.billing_currency,
        unit_rates.used_quantity as quantity,
        unit_rates.pool_cost as cost,
        unit_rates.rate_per_used_unit as unit_cost,
        unit_rates.rate_per_capacity_unit as capacity_unit_cost
    from unit_rates
    left join it_services
        on unit_rates.pool_cost_center_id = it_services.pool_cost_center_id

),

final as (

    select
        current_month.billing_period_start,
        current_month.it_service_id,
        current_month.it_service_name,
        current_month.pool_cost_center_id,
        current_month.rule_id,
        current_month.driver_type,
        current_month.unit,
        current_month.billing_currency,
        current_month.quantity,
        current_month.cost,
        current_month.unit_cost,
        current_month.capacity_unit_cost,
        previous_month.unit_cost as previous_unit_cost,
        case
            when current_month.unit_cost is not null and previous_month.unit_cost is not null then
                {{ billing.percent_truncated(
                    billing.money_add(['current_month.unit_cost', '-previous_month.unit_cost']),
                    'abs(previous_month.unit_cost)'
                ) }}
        end as change_percent
    from serviced as current_month
    left join serviced as previous_month
        on previous_month.billing_period_start = {{ billing.shift_months('current_month.billing_period_start', -1) }}
        and current_month.it_service_id = previous_month.it_service_id
        and current_month.unit is not distinct from previous_month.unit
        and current_month.billing_currency = previous_month.billing_currency

)

select * from final
