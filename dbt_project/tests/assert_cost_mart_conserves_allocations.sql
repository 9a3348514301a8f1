-- Business rule (DESIGN.md §4, conservation, carried into the cost transparency marts): per billing period,
-- provider (source) and currency, the effective cost of marts.fct_costs sums exactly to
-- fct_cost_allocations.allocated_effective_cost (UNALLOCATED and IDLE included), and its billed cost exactly to
-- FOCUS BilledCost of marts.focus_cost_and_usage: reporting by dimension never loses, invents or rounds cost.
-- A side missing entirely counts as 0. Returns the keys that differ.
-- In a close on DuckDB, checked for the period being closed (macros/incremental_by_period.sql).

with

cost_totals as (

    select
        billing_period_start,
        provider as source,
        billing_currency as currency,
        cast(sum(effective_cost) as {{ billing.money_type() }}) as effective_cost,
        cast(sum(billed_cost) as {{ billing.money_type() }}) as billed_cost
    from {{ ref('fct_costs') }}
    where {{ billing.in_tested_period('billing_period_start') }}
    group by billing_period_start, provider, billing_currency

),

allocation_totals as (

    select
        billing_period_start,
        source,
        billing_currency as currency,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as effective_cost,
        cast(0 as {{ billing.money_type() }}) as billed_cost
    from {{ ref('fct_cost_allocations') }}
    where {{ billing.in_tested_period('billing_period_start') }}
    group by billing_period_start, source, billing_currency

),

focus_totals as (

    select
        x_BillingPeriodStartDate as billing_period_start,
        x_Source as source,
        BillingCurrency as currency,
        cast(0 as {{ billing.money_type() }}) as effective_cost,
        cast(sum(BilledCost) as {{ billing.money_type() }}) as billed_cost
    from {{ ref('focus_cost_and_usage') }}
    where {{ billing.in_tested_period('x_BillingPeriodStartDate') }}
    group by x_BillingPeriodStartDate, x_Source, BillingCurrency

),

expected as (

    select
        billing_period_start,
        source,
        currency,
        cast(sum(effective_cost) as {{ billing.money_type() }}) as effective_cost,
        cast(sum(billed_cost) as {{ billing.money_type() }}) as billed_cost
    from (
        select * from allocation_totals
        union all
        select * from focus_totals
    ) as sides
    group by billing_period_start, source, currency

),

compared as (

    select
        coalesce(expected.billing_period_start, cost_totals.billing_period_start) as billing_period_start,
        coalesce(expected.source, cost_totals.source) as source,
        coalesce(expected.currency, cost_totals.currency) as currency,
        coalesce(expected.effective_cost, 0) as expected_effective_cost,
        coalesce(cost_totals.effective_cost, 0) as mart_effective_cost,
        coalesce(expected.billed_cost, 0) as expected_billed_cost,
        coalesce(cost_totals.billed_cost, 0) as mart_billed_cost
    from expected
    full outer join cost_totals
        on expected.billing_period_start = cost_totals.billing_period_start
        and expected.source = cost_totals.source
        and expected.currency is not distinct from cost_totals.currency

)

select *
from compared
where expected_effective_cost <> mart_effective_cost
    or expected_billed_cost <> mart_billed_cost
