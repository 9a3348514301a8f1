-- Business rule (issue 7, cost transparency): the drill-down of a usage-priced invoice line reaches exactly
-- the quantity the line is priced on. Σ piece_quantity of the line's pieces in fct_invoice_line_lineage:
--   usage, tiered_volume, cost_plus  = the line quantity (usage in the price's unit; cost_plus: cost in the
--                                      price currency)
--   tiered_graduated                 = Σ quantity of the price's tier lines on the invoice (every tier line
--                                      of a price rests on the same pieces)
--   discount                         = the line quantity (the spend it discounts: Σ of the discounted lines'
--                                      unrounded amounts in the price currency)
-- (package and hybrid overage lines rest on the same pieces; their quantity is derived from the sum with the
-- price's package size or included quantity.) A finalized line is frozen while its pieces are read as the
-- warehouse is now: a line whose period was restated after issue (line_is_current false; the difference is on
-- a note) is left out. Reads only models built after finalization, so it runs in that dbt invocation.
-- Returns the offending lines.

{% set money = billing.money_type() %}

with

lineage as (

    select * from {{ ref('fct_invoice_line_lineage') }}

),

lines as (

    select * from {{ ref('fct_invoice_lines') }}
    where document_type = 'invoice'

),

current_lines as (

    select distinct invoice_id, line_number
    from lineage
    where line_is_current

),

piece_totals as (

    select
        invoice_id,
        line_number,
        cast(sum(piece_quantity) as {{ money }}) as piece_quantity
    from lineage
    where piece_type in ('usage', 'line')
    group by invoice_id, line_number

),

graduated_totals as (

    select
        invoice_id,
        contract_id,
        contract_version,
        regexp_replace(price_id, '-T[0-9]+$', '') as base_price_id,
        cast(sum(quantity) as {{ money }}) as quantity
    from lines
    where pricing_model = 'tiered_graduated'
    group by invoice_id, contract_id, contract_version, regexp_replace(price_id, '-T[0-9]+$', '')

),

checked as (

    select
        lines.invoice_id,
        lines.line_number,
        lines.pricing_model,
        lines.line_type,
        lines.quantity,
        coalesce(piece_totals.piece_quantity, 0) as piece_quantity,
        case
            when lines.pricing_model = 'tiered_graduated'
                then coalesce(piece_totals.piece_quantity, 0) = graduated_totals.quantity
            else coalesce(piece_totals.piece_quantity, 0) = lines.quantity
        end as reaches_the_line
    from lines
    inner join current_lines
        on lines.invoice_id = current_lines.invoice_id
        and lines.line_number = current_lines.line_number
    left join piece_totals
        on lines.invoice_id = piece_totals.invoice_id
        and lines.line_number = piece_totals.line_number
    left join graduated_totals
        on lines.invoice_id = graduated_totals.invoice_id
        and lines.contract_id = graduated_totals.contract_id
        and lines.contract_version = graduated_totals.contract_version
        and regexp_replace(lines.price_id, '-T[0-9]+$', '') = graduated_totals.base_price_id
    where lines.pricing_model in ('usage', 'tiered_volume', 'cost_plus', 'tiered_graduated')
        or lines.line_type = 'discount'

)

select * from checked
where not coalesce(reaches_the_line, false)
