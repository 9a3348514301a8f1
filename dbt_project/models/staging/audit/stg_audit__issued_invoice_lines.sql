with

source as (

    select * from {{ source('audit', 'issued_invoice_lines') }}

),

final as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(line_number as integer) as line_number,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(service_category as {{ dbt.type_string() }}) as service_category,
        cast(quantity as {{ billing.money_type() }}) as quantity,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(unit_price as {{ billing.money_type() }}) as unit_price,
        cast(amount as {{ billing.money_type() }}) as amount,
        cast(tax_code as {{ dbt.type_string() }}) as tax_code,
        cast(tax_rate as {{ billing.money_type() }}) as tax_rate,
        cast(tax_amount as {{ billing.money_type() }}) as tax_amount,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(billing_period_start as date) as billing_period_start,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(cost_basis as {{ billing.money_type() }}) as cost_basis,
        cast(charge_count as bigint) as charge_count
    from source

)

select * from final
