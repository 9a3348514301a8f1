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

{{ billing.conservation_mismatches(
    expected={'relation': ref('int_source_costs_summarized'), 'period': 'billing_period_start', 'source': 'source',
              'currency': 'currency', 'amount': 'source_billed_total'},
    actual={'relation': ref('focus_cost_and_usage'), 'period': 'x_BillingPeriodStartDate', 'source': 'x_Source',
            'currency': 'BillingCurrency', 'amount': 'BilledCost'},
    reconciliation_column='billed_difference'
) }}
