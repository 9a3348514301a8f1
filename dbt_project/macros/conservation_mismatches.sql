{#-
    The body of the conservation tests (DESIGN.md §4): compares two money totals per billing period, source and
    currency, and also requires marts.fct_reconciliation to show no difference in `reconciliation_column`.
    Returns one row per key where either check fails (a side missing entirely counts as 0).

    expected / actual: dicts with
      relation  a ref()
      period, source, currency, amount  column expressions in that relation
    In a close, when either side is a period-incremental model, both sides and the reconciliation are compared for
    the period being closed only (macros/incremental_by_period.sql): the other periods were checked by their closes.
-#}
{% macro conservation_mismatches(expected, actual, reconciliation_column) -%}
{%- set one_period = billing.period_column_of(expected.relation) or billing.period_column_of(actual.relation) -%}
with

expected_totals as (

    select
        {{ expected.period }} as billing_period_start,
        {{ expected.source }} as source,
        {{ expected.currency }} as currency,
        cast(sum({{ expected.amount }}) as {{ billing.money_type() }}) as expected_total
    from {{ expected.relation }}
    {%- if one_period %}
    where {{ billing.period_equals(expected.period) }}
    {%- endif %}
    group by {{ expected.period }}, {{ expected.source }}, {{ expected.currency }}

),

actual_totals as (

    select
        {{ actual.period }} as billing_period_start,
        {{ actual.source }} as source,
        {{ actual.currency }} as currency,
        cast(sum({{ actual.amount }}) as {{ billing.money_type() }}) as actual_total
    from {{ actual.relation }}
    {%- if one_period %}
    where {{ billing.period_equals(actual.period) }}
    {%- endif %}
    group by {{ actual.period }}, {{ actual.source }}, {{ actual.currency }}

),

compared as (

    select
        coalesce(expected_totals.billing_period_start, actual_totals.billing_period_start) as billing_period_start,
        coalesce(expected_totals.source, actual_totals.source) as source,
        coalesce(expected_totals.currency, actual_totals.currency) as currency,
        coalesce(expected_totals.expected_total, 0) as expected_total,
        coalesce(actual_totals.actual_total, 0) as actual_total
    from expected_totals
    full outer join actual_totals
        on expected_totals.billing_period_start = actual_totals.billing_period_start
        and expected_totals.source = actual_totals.source
        and expected_totals.currency is not distinct from actual_totals.currency

),

conservation_mismatches as (

    select
        billing_period_start,
        source,
        currency,
        'conservation' as failure,
        {{ billing.money_add(['actual_total', '-expected_total']) }} as difference,
        abs({{ billing.money_add(['actual_total', '-expected_total']) }}) as absolute_difference
    from compared
    where expected_total <> actual_total

),

reconciliation_mismatches as (

    select
        billing_period_start,
        source,
        currency,
        'fct_reconciliation.{{ reconciliation_column }}' as failure,
        cast(sum({{ reconciliation_column }}) as {{ billing.money_type() }}) as difference,
        cast(sum(abs({{ reconciliation_column }})) as {{ billing.money_type() }}) as absolute_difference
    from {{ ref('fct_reconciliation') }}
    {%- if one_period %}
    where {{ billing.period_equals('billing_period_start') }}
    {%- endif %}
    group by billing_period_start, source, currency
    having sum(abs({{ reconciliation_column }})) <> 0

),

final as (

    select * from conservation_mismatches
    union all
    select * from reconciliation_mismatches

)

select * from final
{%- endmacro %}
