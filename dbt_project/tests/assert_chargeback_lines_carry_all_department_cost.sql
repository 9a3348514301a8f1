-- Business rule (conservation into chargeback): every cent allocated to a department-owned cost center
-- reaches exactly one chargeback or showback line - per period and currency, Σ fct_chargeback_lines
-- .allocated_cost = Σ fct_cost_allocations.allocated_effective_cost of department cost centers. Returns the
-- periods and currencies where they differ.
-- In a close on DuckDB, checked for the period being closed (macros/incremental_by_period.sql).

with

allocated as (

    select
        allocations.billing_period_start,
        allocations.billing_currency,
        cast(sum(allocations.allocated_effective_cost) as {{ billing.money_type() }}) as allocated
    from {{ ref('fct_cost_allocations') }} as allocations
    inner join {{ ref('stg_reference__cost_centers') }} as cost_centers
        on allocations.cost_center_id = cost_centers.cost_center_id
    where cost_centers.owner_type = 'department'
        and {{ billing.in_tested_period('allocations.billing_period_start') }}
    group by allocations.billing_period_start, allocations.billing_currency

),

charged as (

    select
        billing_period_start,
        billing_currency,
        cast(sum(allocated_cost) as {{ billing.money_type() }}) as charged
    from {{ ref('fct_chargeback_lines') }}
    where {{ billing.in_tested_period('billing_period_start') }}
    group by billing_period_start, billing_currency

),

final as (

    select
        coalesce(allocated.billing_period_start, charged.billing_period_start) as billing_period_start,
        coalesce(allocated.billing_currency, charged.billing_currency) as billing_currency,
        allocated.allocated,
        charged.charged
    from allocated
    full outer join charged
        on allocated.billing_period_start = charged.billing_period_start
        and allocated.billing_currency = charged.billing_currency
    where allocated.allocated is null
        or charged.charged is null
        or allocated.allocated <> charged.charged

)

select * from final
