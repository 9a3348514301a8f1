-- Business rule (DESIGN.md §4, conservation): per billing period, source and currency, the sum of FOCUS
-- EffectiveCost equals the sum of fct_cost_allocations.allocated_effective_cost including the UNALLOCATED
-- cost center, exactly: allocation never loses, invents or rounds cost.
-- A side missing entirely counts as 0. Returns the keys that differ.
-- marts.fct_reconciliation must agree (allocation_difference = 0 on every row); reading it also makes this test run
-- after that mart is built, so a failure here never leaves it stale (dbt build skips the children of a
-- failing test's parents).
-- Severity warn: the blocking form of this rule is the GX gate on marts.fct_reconciliation, which runs
-- after dbt and names the rows that differ; an error here would stop dbt before the gate could say which.
{{ config(severity='warn') }}

with

focus_totals as (

    select
        x_BillingPeriodStartDate as billing_period_start,
        x_Source as source,
        BillingCurrency as currency,
        cast(sum(EffectiveCost) as {{ billing.money_type() }}) as focus_effective
    from {{ ref('focus_cost_and_usage') }}
    group by x_BillingPeriodStartDate, x_Source, BillingCurrency

),

allocated_totals as (

    select
        billing_period_start,
        source,
        billing_currency as currency,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as allocated_effective
    from {{ ref('fct_cost_allocations') }}
    group by billing_period_start, source, billing_currency

),

compared as (

    select
        coalesce(focus_totals.billing_period_start, allocated_totals.billing_period_start) as billing_period_start,
        coalesce(focus_totals.source, allocated_totals.source) as source,
        coalesce(focus_totals.currency, allocated_totals.currency) as currency,
        coalesce(focus_totals.focus_effective, 0) as focus_effective,
        coalesce(allocated_totals.allocated_effective, 0) as allocated_effective
    from focus_totals
    full outer join allocated_totals
        on focus_totals.billing_period_start = allocated_totals.billing_period_start
        and focus_totals.source = allocated_totals.source
        and focus_totals.currency is not distinct from allocated_totals.currency

),

reconciliation_mismatches as (

    select
        billing_period_start,
        source,
        currency,
        'fct_reconciliation.allocation_difference' as failure,
        cast(sum(allocation_difference) as {{ billing.money_type() }}) as difference,
        cast(sum(abs(allocation_difference)) as {{ billing.money_type() }}) as absolute_difference
    from {{ ref('fct_reconciliation') }}
    group by billing_period_start, source, currency
    having sum(abs(allocation_difference)) <> 0

),

conservation_mismatches as (

    select
        billing_period_start,
        source,
        currency,
        'conservation' as failure,
        {{ billing.money_add(['allocated_effective', '-focus_effective']) }} as difference,
        abs({{ billing.money_add(['allocated_effective', '-focus_effective']) }}) as absolute_difference
    from compared
    where focus_effective <> allocated_effective

)

select * from conservation_mismatches
union all
select * from reconciliation_mismatches
