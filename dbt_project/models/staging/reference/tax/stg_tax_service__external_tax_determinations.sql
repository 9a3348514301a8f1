with

source as (

    select * from {{ source('tax_service', 'external_tax_determinations') }}

),

final as (

    select
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(billing_period_start as date) as billing_period_start,
        cast(tax_category as {{ dbt.type_string() }}) as tax_category,
        cast(seller_legal_entity_id as {{ dbt.type_string() }}) as seller_legal_entity_id,
        cast(jurisdiction_id as {{ dbt.type_string() }}) as jurisdiction_id,
        cast(treatment as {{ dbt.type_string() }}) as treatment,
        cast(tax_category_code as {{ dbt.type_string() }}) as tax_category_code,
        cast(tax_rate as {{ billing.money_type() }}) as tax_rate,
        cast(rounding_mode as {{ dbt.type_string() }}) as rounding_mode,
        cast(exemption_reason as {{ dbt.type_string() }}) as exemption_reason,
        cast(exemption_reason_code as {{ dbt.type_string() }}) as exemption_reason_code,
        cast(rule_id as {{ dbt.type_string() }}) as rule_id,
        cast(service as {{ dbt.type_string() }}) as service,
        cast(determined_at as timestamp) as determined_at
    from source

)

select * from final
