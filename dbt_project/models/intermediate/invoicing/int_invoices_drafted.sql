{#-
    Draft invoice headers: the columns of audit.issued_invoices except those assigned at finalization
    (invoice_number, issued_at, issued_by).
      subtotal       = sum of the non-negative line amounts
      discount_total = 0 (no discount rules yet; discounts will be negative lines)
      credit_total   = sum of the negative line amounts
      tax_total      = sum of line tax
      total          = subtotal + discount_total + credit_total + tax_total = sum(amount) + sum(tax_amount)
-#}

with

priced_lines as (

    select * from {{ ref('int_invoice_lines_priced') }}

),

invoices as (

    select
        invoice_id,
        client_id,
        contract_id,
        contract_version,
        billing_period_start,
        currency,
        payment_terms_days,
        cast(sum(case when amount >= 0 then amount else 0 end) as {{ billing.money_type() }}) as subtotal,
        cast(0 as {{ billing.money_type() }}) as discount_total,
        cast(sum(case when amount < 0 then amount else 0 end) as {{ billing.money_type() }}) as credit_total,
        cast(sum(tax_amount) as {{ billing.money_type() }}) as tax_total
    from priced_lines
    group by
        invoice_id,
        client_id,
        contract_id,
        contract_version,
        billing_period_start,
        currency,
        payment_terms_days

),

final as (

    select
        invoice_id,
        client_id,
        contract_id,
        contract_version,
        billing_period_start,
        currency,
        payment_terms_days,
        subtotal,
        discount_total,
        credit_total,
        tax_total,
        {{ billing.money_add(['subtotal', 'discount_total', 'credit_total', 'tax_total']) }} as total
    from invoices

)

select * from final
