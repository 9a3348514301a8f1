with

source as (

    select * from {{ source('ops', 'ops_published_rate_cards') }}

),

final as (

    select
        cast(rate_card_version as {{ dbt.type_string() }}) as rate_card_version,
        cast(fiscal_year as integer) as fiscal_year,
        cast(valid_from as date) as valid_from,
        -- null = open-ended
        cast(valid_to as date) as valid_to,
        cast(it_service_id as {{ dbt.type_string() }}) as it_service_id,
        cast(billing_currency as {{ dbt.type_string() }}) as billing_currency,
        cast(rate_type as {{ dbt.type_string() }}) as rate_type,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(unit_rate as {{ billing.money_type() }}) as unit_rate,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(published_event_id as bigint) as published_event_id,
        cast(published_at as timestamp) as published_at,
        cast(published_by as {{ dbt.type_string() }}) as published_by,
        cast(approved_at as timestamp) as approved_at,
        cast(approved_by as {{ dbt.type_string() }}) as approved_by
    from source

)

select * from final
