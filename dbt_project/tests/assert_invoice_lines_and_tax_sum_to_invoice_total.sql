-- Business rule (DESIGN.md §4, money): credits and discounts are negative invoice lines, and for every invoice
-- Σ line amounts + Σ line tax = total, with total = subtotal + discount_total + credit_total + tax_total,
-- subtotal = Σ non-negative amounts, credit_total = Σ negative amounts and tax_total = Σ tax. An invoice
-- without lines, or lines without an invoice, fail too. Returns the offending invoices.

with

invoices as (

    select * from {{ ref('fct_invoices') }}

),

line_totals as (

    select
        invoice_id,
        count(*) as line_count,
        cast(sum(amount) as {{ billing.money_type() }}) as line_amount_total,
        cast(sum(case when amount >= 0 then amount else 0 end) as {{ billing.money_type() }}) as line_positive_total,
        cast(sum(case when amount < 0 then amount else 0 end) as {{ billing.money_type() }}) as line_negative_total,
        cast(sum(tax_amount) as {{ billing.money_type() }}) as line_tax_total
    from {{ ref('fct_invoice_lines') }}
    group by invoice_id

),

compared as (

    select
        coalesce(invoices.invoice_id, line_totals.invoice_id) as invoice_id,
        invoices.total,
        invoices.subtotal,
        invoices.discount_total,
        invoices.credit_total,
        invoices.tax_total,
        line_totals.line_count,
        line_totals.line_amount_total,
        line_totals.line_tax_total
    from invoices
    full outer join line_totals
        on invoices.invoice_id = line_totals.invoice_id
    where invoices.invoice_id is null
        or line_totals.invoice_id is null
        or invoices.total <> {{ billing.money_add(['line_totals.line_amount_total', 'line_totals.line_tax_total']) }}
        or invoices.total <> {{ billing.money_add([
            'invoices.subtotal', 'invoices.discount_total', 'invoices.credit_total', 'invoices.tax_total'
        ]) }}
        or invoices.subtotal <> line_totals.line_positive_total
        or {{ billing.money_add(['invoices.discount_total', 'invoices.credit_total']) }}
            <> line_totals.line_negative_total
        or invoices.tax_total <> line_totals.line_tax_total

)

select * from compared
