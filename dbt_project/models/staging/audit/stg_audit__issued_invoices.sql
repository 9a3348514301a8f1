with

source as (

    select * from {{ source('audit', 'issued_invoices') }}

),

final as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(document_type as {{ dbt.type_string() }}) as document_type,
        cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
        cast(legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(series as {{ dbt.type_string() }}) as series,
        cast(sequence_number as integer) as sequence_number,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(contract_version as integer) as contract_version,
        cast(billing_period_start as date) as billing_period_start,
        cast(invoice_date as date) as invoice_date,
        cast(due_date as date) as due_date,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(payment_terms_days as integer) as payment_terms_days,
        cast(delivery_method as {{ dbt.type_string() }}) as delivery_method,
        cast(original_invoice_id as {{ dbt.type_string() }}) as original_invoice_id,
        cast(original_invoice_number as {{ dbt.type_string() }}) as original_invoice_number,
        cast(subtotal as {{ billing.money_type() }}) as subtotal,
        cast(discount_total as {{ billing.money_type() }}) as discount_total,
        cast(credit_total as {{ billing.money_type() }}) as credit_total,
        cast(tax_total as {{ billing.money_type() }}) as tax_total,
        cast(total as {{ billing.money_type() }}) as total,
        cast(line_count as integer) as line_count,
        cast(content_sha256 as {{ dbt.type_string() }}) as content_sha256,
        cast(issued_at as timestamp) as issued_at,
        cast(issued_by as {{ dbt.type_string() }}) as issued_by
    from source

)

select * from final
