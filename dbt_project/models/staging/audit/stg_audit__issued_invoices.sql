with

source as (

    select * from {{ source('audit', 'issued_invoices') }}

),

final as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(contract_version as integer) as contract_version,
        cast(billing_period_start as date) as billing_period_start,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(payment_terms_days as integer) as payment_terms_days,
        cast(subtotal as {{ billing.money_type() }}) as subtotal,
        cast(discount_total as {{ billing.money_type() }}) as discount_total,
        cast(credit_total as {{ billing.money_type() }}) as credit_total,
        cast(tax_total as {{ billing.money_type() }}) as tax_total,
        cast(total as {{ billing.money_type() }}) as total,
        cast(issued_at as timestamp) as issued_at,
        cast(issued_by as {{ dbt.type_string() }}) as issued_by
    from source

)

select * from final
