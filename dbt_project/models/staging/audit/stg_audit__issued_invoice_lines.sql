with

source as (

    select * from {{ source('audit', 'issued_invoice_lines') }}

),

final as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(line_number as integer) as line_number,
        cast(document_type as {{ dbt.type_string() }}) as document_type,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(contract_version as integer) as contract_version,
        cast(billing_period_start as date) as billing_period_start,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(line_type as {{ dbt.type_string() }}) as line_type,
        cast(pricing_model as {{ dbt.type_string() }}) as pricing_model,
        cast(price_id as {{ dbt.type_string() }}) as price_id,
        cast(service_id as {{ dbt.type_string() }}) as service_id,
        cast(sku_id as {{ dbt.type_string() }}) as sku_id,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(quantity as {{ billing.money_type() }}) as quantity,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(unit_price as {{ billing.money_type() }}) as unit_price,
        cast(price_currency as {{ dbt.type_string() }}) as price_currency,
        cast(price_amount as {{ billing.money_type() }}) as price_amount,
        cast(fx_rate as {{ billing.money_type() }}) as fx_rate,
        cast(fx_rate_date as date) as fx_rate_date,
        cast(fx_source as {{ dbt.type_string() }}) as fx_source,
        cast(amount as {{ billing.money_type() }}) as amount,
        cast(tax_category as {{ dbt.type_string() }}) as tax_category,
        cast(tax_jurisdiction_id as {{ dbt.type_string() }}) as tax_jurisdiction_id,
        cast(tax_category_code as {{ dbt.type_string() }}) as tax_category_code,
        cast(tax_rate as {{ billing.money_type() }}) as tax_rate,
        cast(tax_amount as {{ billing.money_type() }}) as tax_amount,
        cast(exemption_reason as {{ dbt.type_string() }}) as exemption_reason,
        cast(exemption_reason_code as {{ dbt.type_string() }}) as exemption_reason_code,
        cast(service_period_start as date) as service_period_start,
        cast(service_period_end as date) as service_period_end,
        cast(reference as {{ dbt.type_string() }}) as reference,
        cast(source_row_count as bigint) as source_row_count
    from source

)

select * from final
