{#-
    What was actually charged (billed basis), one row per billing period x party (a department charged back or
    shown back, or an invoiced client) x IT service x currency x charge mode x status.

      * departments: fct_chargeback_lines (rounded amounts of the published rate card in force), chargeback and
        showback kept apart in charge_mode; a line the rate card does not price has no amount and is counted in
        unpriced_line_count (its cost is still in fct_costs);
      * clients: fct_invoice_lines of every invoice and credit or debit note, net of discounts, caps and SLA
        credits (they are negative lines), excluding tax (tax_amount beside it), in the invoice currency, with
        the document's status (fct_invoices: finalized, draft or blocked). Per period, client and currency the
        amounts equal fct_invoices subtotal + discount_total + credit_total
        (assert_billed_amounts_match_invoice_totals).
-#}

with

chargeback_lines as (

    select * from {{ ref('fct_chargeback_lines') }}

),

invoice_lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

invoices as (

    select * from {{ ref('fct_invoices') }}

),

department_amounts as (

    select
        billing_period_start,
        'department' as party_type,
        department_id as party_id,
        department_id,
        cast(null as {{ dbt.type_string() }}) as client_id,
        service_id as it_service_id,
        billing_currency as currency,
        mode as charge_mode,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(coalesce(sum(amount), 0) as {{ billing.money_type() }}) as amount,
        cast(null as {{ billing.money_type() }}) as tax_amount,
        cast(count(*) as bigint) as line_count,
        cast(count(case when amount is null then 1 end) as bigint) as unpriced_line_count
    from chargeback_lines
    group by billing_period_start, department_id, service_id, billing_currency, mode

),

client_amounts as (

    select
        invoice_lines.billing_period_start,
        'client' as party_type,
        invoice_lines.client_id as party_id,
        cast(null as {{ dbt.type_string() }}) as department_id,
        invoice_lines.client_id,
        invoice_lines.service_id as it_service_id,
        invoice_lines.currency,
        'invoice' as charge_mode,
        invoices.status,
        cast(sum(invoice_lines.amount) as {{ billing.money_type() }}) as amount,
        cast(sum(invoice_lines.tax_amount) as {{ billing.money_type() }}) as tax_amount,
        cast(count(*) as bigint) as line_count,
        cast(0 as bigint) as unpriced_line_count
    from invoice_lines
    inner join invoices
        on invoice_lines.invoice_id = invoices.invoice_id
    group by
        invoice_lines.billing_period_start,
        invoice_lines.client_id,
        invoice_lines.service_id,
        invoice_lines.currency,
        invoices.status

),

unioned as (

    select * from department_amounts
    union all
    select * from client_amounts

),

final as (

    select
        cast(billing_period_start as date) as billing_period_start,
        cast(party_type as {{ dbt.type_string() }}) as party_type,
        cast(party_id as {{ dbt.type_string() }}) as party_id,
        cast(department_id as {{ dbt.type_string() }}) as department_id,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(it_service_id as {{ dbt.type_string() }}) as it_service_id,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(charge_mode as {{ dbt.type_string() }}) as charge_mode,
        cast(status as {{ dbt.type_string() }}) as status,
        amount,
        tax_amount,
        line_count,
        unpriced_line_count
    from unioned

)

select * from final
