with

source as (

    select * from {{ source('ops', 'ops_published_rate_card_bundles') }}

),

final as (

    select
        cast(rate_card_version as {{ dbt.type_string() }}) as rate_card_version,
        cast(bundle_id as {{ dbt.type_string() }}) as bundle_id,
        cast(bundle_name as {{ dbt.type_string() }}) as bundle_name,
        cast(it_service_id as {{ dbt.type_string() }}) as it_service_id,
        cast(discount_percent as {{ billing.money_type() }}) as discount_percent,
        cast(published_event_id as bigint) as published_event_id
    from source

)

select * from final
