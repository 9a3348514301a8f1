with

source as (

    select * from {{ source('ops', 'ops_adjustment_notes') }}

),

final as (

    select
        cast(document_number as {{ dbt.type_string() }}) as document_number,
        cast(series as {{ dbt.type_string() }}) as series,
        cast(sequence_number as integer) as sequence_number,
        cast(document_type as {{ dbt.type_string() }}) as document_type,
        cast(adjustment_id as {{ dbt.type_string() }}) as adjustment_id,
        cast(legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(original_invoice_number as {{ dbt.type_string() }}) as original_invoice_number,
        cast(original_line_number as integer) as original_line_number,
        cast(billing_period_start as date) as billing_period_start,
        cast(invoice_date as date) as invoice_date,
        cast(due_date as date) as due_date,
        cast(currency as {{ dbt.type_string() }}) as currency,
        -- signed: credit notes negative
        cast(net_amount as {{ billing.money_type() }}) as net_amount,
        cast(tax_category_code as {{ dbt.type_string() }}) as tax_category_code,
        cast(tax_rate as {{ billing.money_type() }}) as tax_rate,
        cast(tax_amount as {{ billing.money_type() }}) as tax_amount,
        cast(total as {{ billing.money_type() }}) as total,
        cast(issued_at as timestamp) as issued_at,
        cast(issued_by as {{ dbt.type_string() }}) as issued_by,
        cast(content_sha256 as {{ dbt.type_string() }}) as content_sha256
    from source

)

select * from final
