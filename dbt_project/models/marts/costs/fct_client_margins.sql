{#-
    Contract margin, finance only: one row per billing period x client x contract x currency of what a client
    was invoiced against what serving it cost.

      * revenue: the client's finalized invoices and notes of the period (fct_invoice_lines of documents with
        status finalized in fct_invoices), net of discounts, caps and credits, excluding tax, converted back to
        the currency the contract prices in (the lines' price_currency) at the very rate the invoice used:
        revenue = invoice amount / fx_rate, exact, rounded half away from zero to 10 decimals by integer
        division (no float, no decimal quotient); a line invoiced in its price currency (fx_rate 1) counts as
        invoiced. invoiced_amount keeps the sum in the invoice currency and invoice_fx_rate the rate;
      * cost: effective cost allocated to the client's cost centers (fct_costs, client_id), in its billing
        currency, never converted. A row's currency is both: revenue priced in USD meets cost billed in USD.
        Cost in a currency the contract does not price in is a row of its own (revenue 0): it is not converted
        at a guessed rate;
      * contract_id: the contract of the invoiced documents; for cost, the client's contract in force on the
        period's first day (seeds/contracts.csv), null without one;
      * margin = revenue - cost; margin_percent = margin / revenue x 100, exact, truncated toward zero to 4
        decimals, null unless revenue > 0.
-#}

with

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

invoices as (

    select * from {{ ref('fct_invoices') }}
    where status = 'finalized'

),

costs as (

    select * from {{ ref('fct_costs') }}
    where client_id is not null

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

invoice_rates as (

    -- an invoice prices in one currency at one rate; a credit or debit note's lines carry neither
    select
        invoices.invoice_number,
        max(invoice_lines.price_currency) as price_currency,
        max(invoice_lines.fx_rate) as fx_rate
    from invoice_lines
    inner join invoices
        on invoice_lines.invoice_id = invoices.invoice_id
    where invoice_lines.price_currency is not null
    group by invoices.invoice_number

),

priced_lines as (

    select
        invoice_lines.billing_period_start,
        invoice_lines.client_id,
        invoices.contract_id,
        -- a note converts back at the currency and rate of the invoice it corrects; failing that, it is
        -- counted in its own currency
        coalesce(invoice_lines.price_currency, invoice_rates.price_currency, invoice_lines.currency) as currency,
        invoice_lines.currency as invoice_currency,
        invoice_lines.amount,
        case
            when invoice_lines.price_currency is not null then invoice_lines.fx_rate
            when invoice_rates.price_currency is not null then invoice_rates.fx_rate
            else cast(1 as {{ billing.money_type() }})
        end as fx_rate,
        invoice_lines.invoice_id
    from invoice_lines
    inner join invoices
        on invoice_lines.invoice_id = invoices.invoice_id
    left join invoice_rates
        on invoices.original_invoice_number = invoice_rates.invoice_number

),

converted_lines as (

    select
        priced_lines.*,
        {{ billing.to_units('priced_lines.amount') }} as amount_units,
        {{ billing.to_units('priced_lines.fx_rate') }} as rate_units
    from priced_lines

),

line_revenue as (

    select
        converted_lines.*,
        case
            when converted_lines.fx_rate = 1 then converted_lines.amount
            when converted_lines.fx_rate > 0 then
                -- amount / rate in units of 10^-10: (|a| x 10^10 x 2 + r) div (2 r), signed like the amount
                {{ billing.from_units(
                    '(case when converted_lines.amount_units < 0 then -1 else 1 end) * '
                    ~ billing.integer_divide(
                        'cast(abs(converted_lines.amount_units) as decimal(21,0)) * cast(20000000000 as decimal(11,0))'
                        ~ ' + converted_lines.rate_units',
                        'converted_lines.rate_units * cast(2 as decimal(1,0))'
                    )
                ) }}
        end as revenue
    from converted_lines

),

revenue as (

    select
        billing_period_start,
        client_id,
        contract_id,
        currency,
        cast(sum(revenue) as {{ billing.money_type() }}) as revenue,
        max(invoice_currency) as invoice_currency,
        cast(sum(amount) as {{ billing.money_type() }}) as invoiced_amount,
        max(fx_rate) as invoice_fx_rate,
        cast(count(distinct invoice_id) as bigint) as document_count
    from line_revenue
    group by billing_period_start, client_id, contract_id, currency

),

cost_contracts as (

    select
        periods.billing_period_start,
        periods.client_id,
        contracts.contract_id
    from (select distinct billing_period_start, client_id from costs) as periods
    inner join contracts
        on periods.client_id = contracts.client_id
        and contracts.valid_from <= periods.billing_period_start
        and (contracts.valid_to is null or periods.billing_period_start < contracts.valid_to)
    qualify row_number() over (
        partition by periods.billing_period_start, periods.client_id
        order by contracts.valid_from desc, contracts.contract_id asc
    ) = 1

),

cost as (

    select
        costs.billing_period_start,
        costs.client_id,
        cost_contracts.contract_id,
        costs.billing_currency as currency,
        cast(sum(costs.effective_cost) as {{ billing.money_type() }}) as cost
    from costs
    left join cost_contracts
        on costs.billing_period_start = cost_contracts.billing_period_start
        and costs.client_id = cost_contracts.client_id
    group by costs.billing_period_start, costs.client_id, cost_contracts.contract_id, costs.billing_currency

),

joined as (

    select
        coalesce(revenue.billing_period_start, cost.billing_period_start) as billing_period_start,
        coalesce(revenue.client_id, cost.client_id) as client_id,
        coalesce(revenue.contract_id, cost.contract_id) as contract_id,
        coalesce(revenue.currency, cost.currency) as currency,
        coalesce(revenue.revenue, 0) as revenue,
        coalesce(cost.cost, 0) as cost,
        revenue.invoice_currency,
        revenue.invoiced_amount,
        revenue.invoice_fx_rate,
        coalesce(revenue.document_count, 0) as document_count
    from revenue
    full outer join cost
        on revenue.billing_period_start = cost.billing_period_start
        and revenue.client_id = cost.client_id
        and revenue.contract_id is not distinct from cost.contract_id
        and revenue.currency = cost.currency

),

final as (

    select
        joined.billing_period_start,
        joined.client_id,
        clients.client_name,
        joined.contract_id,
        joined.currency,
        cast(joined.revenue as {{ billing.money_type() }}) as revenue,
        cast(joined.cost as {{ billing.money_type() }}) as cost,
        {{ billing.money_add(['joined.revenue', '-joined.cost']) }} as margin,
        {{ billing.percent_truncated(billing.money_add(['joined.revenue', '-joined.cost']), 'joined.revenue') }}
            as margin_percent,
        joined.invoice_currency,
        joined.invoiced_amount,
        cast(joined.invoice_fx_rate as {{ billing.money_type() }}) as invoice_fx_rate,
        cast(joined.document_count as bigint) as document_count
    from joined
    left join clients
        on joined.client_id = clients.client_id

)

select * from final
