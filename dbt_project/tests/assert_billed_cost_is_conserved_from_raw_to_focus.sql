-- Business rule (DESIGN.md §4, conservation): per billing period, source and currency, the provider's billed
-- cost as delivered (AWS unblended cost, Azure cost in billing currency, GCP cost + credits, FOCUS BilledCost,
-- on-premises cost) equals the sum of FOCUS BilledCost in marts.focus_cost_and_usage, exactly (DECIMAL).
-- A side missing entirely counts as 0. Returns the keys that differ.
-- marts.fct_reconciliation must agree (billed_difference = 0 on every row); reading it also makes this test run
-- after that mart is built, so a failure here never leaves it stale (dbt build skips the children of a
-- failing test's parents).
-- Severity warn: the blocking form of this rule is the GX gate on marts.fct_reconciliation, which runs
-- after dbt and names the rows that differ; an error here would stop dbt before the gate could say which.
{{ config(severity='warn') }}

with

raw_totals as (

    select
        billing_period_start,
        source,
        currency,
        cast(sum(source_billed_total) as {{ billing.money_type() }}) as raw_billed
    from {{ ref('int_source_costs_summarized') }}
    group by billing_period_start, source, currency

),

focus_totals as (

    select
        x_BillingPeriodStartDate as billing_period_start,
        x_Source as source,
        BillingCurrency as currency,
        cast(sum(BilledCost) as {{ billing.money_type() }}) as focus_billed
    from {{ ref('focus_cost_and_usage') }}
    group by x_BillingPeriodStartDate, x_Source, BillingCurrency

),

compared as (

    select
        coalesce(raw_totals.billing_period_start, focus_totals.billing_period_start) as billing_period_start,
        coalesce(raw_totals.source, focus_totals.source) as source,
        coalesce(raw_totals.currency, focus_totals.currency) as currency,
        coalesce(raw_totals.raw_billed, 0) as raw_billed,
        coalesce(focus_totals.focus_billed, 0) as focus_billed
    from raw_totals
    full outer join focus_totals
        on raw_totals.billing_period_start = focus_totals.billing_period_start
        and raw_totals.source = focus_totals.source
        and raw_totals.currency is not distinct from focus_totals.currency

),

reconciliation_mismatches as (

    select
        billing_period_start,
        source,
        currency,
        'fct_reconciliation.billed_difference' as failure,
        cast(sum(billed_difference) as {{ billing.money_type() }}) as difference,
        cast(sum(abs(billed_difference)) as {{ billing.money_type() }}) as absolute_difference
    from {{ ref('fct_reconciliation') }}
    group by billing_period_start, source, currency
    having sum(abs(billed_difference)) <> 0

),

conservation_mismatches as (

    select
        billing_period_start,
        source,
        currency,
        'conservation' as failure,
        {{ billing.money_add(['focus_billed', '-raw_billed']) }} as difference,
        abs({{ billing.money_add(['focus_billed', '-raw_billed']) }}) as absolute_difference
    from compared
    where raw_billed <> focus_billed

)

select * from conservation_mismatches
union all
select * from reconciliation_mismatches
