-- Business rule (DESIGN.md §4, money; contracts priced at cost plus markup): a draft invoice's lines are
-- rounded once, with the remainder distributed, so that Σ amount = round(Σ cost_basis × (1 + markup)) to the
-- currency's minor units, and no line moves by a whole minor unit or more from cost_basis × unit_price.
-- Finalized invoices are frozen and not recomputed here. Returns the offending invoices and lines.

with

lines as (

    select
        lines.*,
        currencies.minor_units,
        {{ billing.money_multiply('lines.cost_basis', 'lines.unit_price') }} as marked_up_cost
    from {{ ref('int_invoice_lines_drafted') }} as lines
    left join {{ ref('stg_reference__currencies') }} as currencies
        on lines.currency = currencies.currency_code

),

invoice_totals as (

    select
        invoice_id,
        minor_units,
        cast(sum(amount) as {{ billing.money_type() }}) as amount_total,
        cast(sum(marked_up_cost) as {{ billing.money_type() }}) as marked_up_cost_total
    from lines
    group by invoice_id, minor_units

),

unbalanced_invoices as (

    select
        invoice_id,
        cast(null as integer) as line_number,
        amount_total as amount,
        marked_up_cost_total as expected
    from invoice_totals
    where minor_units is null
        or amount_total <> {{ billing.round_to_minor_units('marked_up_cost_total', 'minor_units') }}

),

lines_off_by_a_unit as (

    select
        invoice_id,
        line_number,
        amount,
        marked_up_cost as expected
    from lines
    where abs({{ billing.money_add(['amount', '-marked_up_cost']) }}) >= {{ billing.minor_unit('minor_units') }}

)

select * from unbalanced_invoices
union all
select * from lines_off_by_a_unit
