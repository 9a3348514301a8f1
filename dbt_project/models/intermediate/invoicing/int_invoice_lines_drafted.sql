{#-
    Draft invoice lines, exactly the columns of audit.issued_invoice_lines: finalizing an invoice copies its
    lines there by name.
-#}

with

priced_lines as (

    select * from {{ ref('int_invoice_lines_priced') }}

),

final as (

    select
        invoice_id,
        line_number,
        description,
        service_category,
        quantity,
        unit,
        unit_price,
        amount,
        tax_code,
        tax_rate,
        tax_amount,
        client_id,
        billing_period_start,
        currency,
        cost_basis,
        charge_count
    from priced_lines

)

select * from final
