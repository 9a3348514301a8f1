{#-
    The allocated pieces of every charge (int_cost_allocations_serviced) summed by every reporting dimension of
    marts.fct_costs but the names, which fct_costs joins as they are now: one row per billing period x provider x
    FOCUS service category and name x IT service x cost center x project x currency. Nothing converted or rounded.
    Incremental by billing period (macros/incremental_by_period.sql): a close sums its own period's pieces, so
    re-closing a month does not read every month's pieces again.
-#}
{{ config(billing.incremental_by_period('billing_period_start')) }}

with

pieces as (

    select * from {{ ref('int_cost_allocations_serviced') }}
    where {{ billing.in_closing_period('billing_period_start') }}

),

final as (

    select
        billing_period_start,
        source as provider,
        service_category,
        service_name,
        it_service_id,
        cost_center_id,
        cost_center_owner_type,
        department_id,
        business_unit_id,
        project_id,
        client_id,
        billing_currency,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as effective_cost,
        cast(sum(allocated_billed_cost) as {{ billing.money_type() }}) as billed_cost,
        cast(count(distinct charge_id) as bigint) as charge_count
    from pieces
    group by all

)

select * from final
{{ billing.periods_in_order('billing_period_start') }}
