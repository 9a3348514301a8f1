{#-
    What each budgetable scope spent per billing period and currency: effective cost, unrounded.
      * cost center: allocated effective cost received (marts.fct_cost_allocations, the published allocation,
        including overhead and shared-cost shares a cost center receives, and UNALLOCATED);
      * project: EffectiveCost of the charges that carry the project (x_ProjectId), whichever cost center
        they are allocated to; a project's own consumption, not its cost center's overhead.
    Every period with any charge appears (through the allocation rows, which cover every charge), so a
    budget's period with no spend is a period with zero spend, not a missing one.
    Written as a table: it is the one scan of the allocation mart and the charges, and every budget model
    reads it several times (a few hundred rows).
-#}

{{ config(materialized='table') }}

with

allocations as (

    select * from {{ ref('fct_cost_allocations') }}

),

-- the charges as their periods' closes wrote them (a table: not every month's raw rows expanded again)
charges as (

    select * from {{ ref('focus_cost_and_usage') }}

),

cost_center_spend as (

    select
        billing_period_start,
        'cost_center' as budget_scope,
        cost_center_id as scope_id,
        billing_currency as currency,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as spend
    from allocations
    group by billing_period_start, cost_center_id, billing_currency

),

project_spend as (

    select
        x_BillingPeriodStartDate as billing_period_start,
        'project' as budget_scope,
        x_ProjectId as scope_id,
        BillingCurrency as currency,
        cast(sum(cast(EffectiveCost as {{ billing.money_type() }})) as {{ billing.money_type() }}) as spend
    from charges
    where x_ProjectId is not null
    group by x_BillingPeriodStartDate, x_ProjectId, BillingCurrency

),

final as (

    select * from cost_center_spend
    union all
    select * from project_spend

)

select * from final
