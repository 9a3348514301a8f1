-- Business rule (DESIGN.md §4, money): chargeback is rounded once, at the line, with the remainder
-- distributed so that per billing period and currency Σ amount = round(Σ quantity × unit_rate × (100 - bundle
-- discount %) / 100) to the currency's minor units, and no line moves by a whole minor unit or more from its
-- unrounded value. Unpriced lines (no published rate) carry no amount and are left out.
-- Returns the offending periods/currencies and lines.

with

lines as (

    select
        lines.*,
        currencies.minor_units,
        {{ billing.money_multiply(
            billing.money_multiply('lines.quantity', 'lines.unit_rate'),
            'cast(100 - coalesce(lines.bundle_discount_percent, 0) as decimal(18,10)) * cast(0.01 as decimal(3,2))'
        ) }} as recovered_cost
    from {{ ref('fct_chargeback_lines') }} as lines
    left join {{ ref('stg_reference__currencies') }} as currencies
        on lines.billing_currency = currencies.currency_code
    where lines.pricing_status = 'priced'

),

group_totals as (

    select
        billing_period_start,
        billing_currency,
        minor_units,
        cast(sum(amount) as {{ billing.money_type() }}) as amount_total,
        cast(sum(recovered_cost) as {{ billing.money_type() }}) as recovered_cost_total
    from lines
    group by billing_period_start, billing_currency, minor_units

),

unbalanced_groups as (

    select
        billing_period_start,
        billing_currency,
        'group total' as failure,
        amount_total as amount,
        recovered_cost_total as expected
    from group_totals
    where minor_units is null
        or amount_total <> {{ billing.round_to_minor_units('recovered_cost_total', 'minor_units') }}

),

lines_off_by_a_unit as (

    select
        billing_period_start,
        billing_currency,
        'line off by a minor unit or more' as failure,
        amount,
        recovered_cost as expected
    from lines
    where abs({{ billing.money_add(['amount', '-recovered_cost']) }}) >= {{ billing.minor_unit('minor_units') }}

)

select * from unbalanced_groups
union all
select * from lines_off_by_a_unit
