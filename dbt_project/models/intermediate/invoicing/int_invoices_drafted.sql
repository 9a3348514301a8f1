{#-
    Draft headers of every invoice (client x billing period) and every credit or debit note, with the columns
    of audit.issued_invoices that a draft knows (orchestration/invoicing/columns.py) plus invoice_date (null for
    notes: a note is dated the day it is issued) and blocking_issues (null when the document may be issued).
      subtotal       = sum of line amounts other than discounts, caps and credits
      discount_total = sum of discount and cap_adjustment lines (negative)
      credit_total   = sum of SLA credit and other negative lines (negative)
      tax_total      = sum of line tax
      total          = subtotal + discount_total + credit_total + tax_total = sum(amount) + sum(tax_amount)
    A note is blocked whenever its invoice's period is blocked.
-#}

with

lines as (

    select * from {{ ref('int_invoice_lines_drafted') }}

),

converted as (

    select distinct invoice_id, invoice_date, payment_terms_days, delivery_method
    from (
        select
            converted_lines.invoice_id,
            converted_lines.invoice_date,
            contracts.payment_terms_days,
            converted_lines.delivery_method
        from {{ ref('int_invoice_lines_converted') }} as converted_lines
        left join {{ ref('stg_reference__contracts') }} as contracts
            on converted_lines.contract_id = contracts.contract_id
            and converted_lines.contract_version = contracts.contract_version
    ) as invoice_facts

),

corrections as (

    select distinct
        invoice_id, original_invoice_id, original_invoice_number, payment_terms_days, delivery_method
    from {{ ref('int_invoice_corrections') }}

),

blocking as (

    select
        client_id,
        billing_period_start,
        {{ billing.sorted_distinct_list("issue_type || ': ' || detail", '; ') }} as blocking_issues
    from {{ ref('int_invoice_blocking_issues') }}
    group by client_id, billing_period_start

),

headers as (

    select
        invoice_id,
        max(document_type) as document_type,
        max(legal_entity_id) as legal_entity_id,
        max(client_id) as client_id,
        max(contract_id) as contract_id,
        max(contract_version) as contract_version,
        max(billing_period_start) as billing_period_start,
        max(currency) as currency,
        cast(sum(case
            when line_type in ('discount', 'cap_adjustment') or amount < 0 then 0 else amount
        end) as {{ billing.money_type() }}) as subtotal,
        cast(sum(case
            when line_type in ('discount', 'cap_adjustment') then amount else 0
        end) as {{ billing.money_type() }}) as discount_total,
        cast(sum(case
            when line_type not in ('discount', 'cap_adjustment') and amount < 0 then amount else 0
        end) as {{ billing.money_type() }}) as credit_total,
        cast(sum(tax_amount) as {{ billing.money_type() }}) as tax_total,
        cast(count(*) as integer) as line_count
    from lines
    group by invoice_id

),

final as (

    select
        headers.invoice_id,
        headers.document_type,
        headers.legal_entity_id,
        headers.client_id,
        headers.contract_id,
        headers.contract_version,
        headers.billing_period_start,
        case when headers.document_type = 'invoice' then converted.invoice_date end as invoice_date,
        headers.currency,
        coalesce(converted.payment_terms_days, corrections.payment_terms_days) as payment_terms_days,
        coalesce(converted.delivery_method, corrections.delivery_method) as delivery_method,
        corrections.original_invoice_id,
        corrections.original_invoice_number,
        headers.subtotal,
        headers.discount_total,
        headers.credit_total,
        headers.tax_total,
        {{ billing.money_add([
            'headers.subtotal', 'headers.discount_total', 'headers.credit_total', 'headers.tax_total'
        ]) }} as total,
        headers.line_count,
        blocking.blocking_issues
    from headers
    left join converted
        on headers.invoice_id = converted.invoice_id
    left join corrections
        on headers.invoice_id = corrections.invoice_id
    left join blocking
        on headers.client_id = blocking.client_id
        and headers.billing_period_start = blocking.billing_period_start

)

select * from final
