with

source as (

    select * from {{ source('ops', 'ops_payments') }}

),

final as (

    select
        cast(payment_id as {{ dbt.type_string() }}) as payment_id,
        cast(statement_file as {{ dbt.type_string() }}) as statement_file,
        cast(file_sha256 as {{ dbt.type_string() }}) as file_sha256,
        cast(source_row as integer) as source_row,
        cast(statement_format as {{ dbt.type_string() }}) as statement_format,
        cast(booking_date as date) as booking_date,
        cast(value_date as date) as value_date,
        cast(amount as {{ billing.money_type() }}) as amount,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(payer_name as {{ dbt.type_string() }}) as payer_name,
        cast(payer_account as {{ dbt.type_string() }}) as payer_account,
        cast(remittance_information as {{ dbt.type_string() }}) as remittance_information,
        cast(bank_reference as {{ dbt.type_string() }}) as bank_reference,
        cast(imported_at as timestamp) as imported_at,
        cast(imported_by as {{ dbt.type_string() }}) as imported_by
    from source

)

select * from final
