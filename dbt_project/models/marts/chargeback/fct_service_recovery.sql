{#-
    Per-service profitability of internal IT: per period, IT service and currency, the cost departments were
    allocated against what they were charged (chargeback) or shown (showback), and the capacity cost nobody
    used.

      recovery_variance = amount_charged - allocated_cost_charged: positive is over-recovery, negative under-
                          recovery, on the chargeback lines only (showback is never posted);
      bundle_discount   = what bundle subscribers did not pay on the service's lines (list price x discount,
                          unrounded): each member keeps its share of the bundle price in proportion to its
                          standalone price, so a bundle never shifts profit from one service to another;
      idle_cost         = cost the service's pool sent to IDLE (capacity nobody used); it is not in any
                          department's allocated cost and is recovered only as far as the rate covers it.
-#}

with

lines as (

    select * from {{ ref('fct_chargeback_lines') }}

),

idle as (

    select
        allocations.billing_period_start,
        allocations.billing_currency,
        it_services.it_service_id,
        cast(sum(allocations.allocated_effective_cost) as {{ billing.money_type() }}) as idle_cost
    from {{ ref('int_charges_allocated') }} as allocations
    inner join {{ ref('stg_reference__it_services') }} as it_services
        on allocations.provider_pool_cost_center_id = it_services.pool_cost_center_id
    where allocations.cost_center_owner_type = 'idle'
    group by allocations.billing_period_start, allocations.billing_currency, it_services.it_service_id

),

by_service as (

    select
        billing_period_start,
        fiscal_year,
        service_id,
        service_name,
        service_family,
        billing_currency,
        cast(sum(case when mode = 'chargeback' then allocated_cost else 0 end) as {{ billing.money_type() }})
            as allocated_cost_charged,
        cast(sum(case when mode = 'chargeback' then amount else 0 end) as {{ billing.money_type() }})
            as amount_charged,
        cast(sum(case when mode = 'showback' then allocated_cost else 0 end) as {{ billing.money_type() }})
            as allocated_cost_shown,
        cast(sum(case when mode = 'showback' then amount else 0 end) as {{ billing.money_type() }})
            as amount_shown,
        cast(sum(
            case
                when bundle_discount_percent is not null then
                    {{ billing.money_multiply(
                        'list_amount', 'cast(bundle_discount_percent as decimal(18,10)) * cast(0.01 as decimal(3,2))'
                    ) }}
                else 0
            end
        ) as {{ billing.money_type() }}) as bundle_discount,
        cast(sum(case when pricing_status = 'priced' then 0 else 1 end) as bigint) as unpriced_lines,
        cast(count(*) as bigint) as line_count
    from lines
    group by billing_period_start, fiscal_year, service_id, service_name, service_family, billing_currency

),

final as (

    select
        by_service.billing_period_start,
        by_service.fiscal_year,
        by_service.service_id,
        by_service.service_name,
        by_service.service_family,
        by_service.billing_currency,
        by_service.allocated_cost_charged,
        by_service.amount_charged,
        {{ billing.money_add(['by_service.amount_charged', '-by_service.allocated_cost_charged']) }}
            as recovery_variance,
        by_service.allocated_cost_shown,
        by_service.amount_shown,
        by_service.bundle_discount,
        cast(coalesce(idle.idle_cost, 0) as {{ billing.money_type() }}) as idle_cost,
        by_service.unpriced_lines,
        by_service.line_count
    from by_service
    left join idle
        on by_service.billing_period_start = idle.billing_period_start
        and by_service.billing_currency = idle.billing_currency
        and by_service.service_id = idle.it_service_id

)

select * from final
