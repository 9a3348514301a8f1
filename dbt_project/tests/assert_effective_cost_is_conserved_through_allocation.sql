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

{{ billing.conservation_mismatches(
    expected={'relation': ref('focus_cost_and_usage'), 'period': 'x_BillingPeriodStartDate', 'source': 'x_Source',
              'currency': 'BillingCurrency', 'amount': 'EffectiveCost'},
    actual={'relation': ref('fct_cost_allocations'), 'period': 'billing_period_start', 'source': 'source',
            'currency': 'billing_currency', 'amount': 'allocated_effective_cost'},
    reconciliation_column='allocation_difference'
) }}
