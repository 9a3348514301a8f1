with

source as (

    select * from {{ source('ops', 'ops_rate_card_events') }}

),

final as (

    select
        cast(event_id as bigint) as event_id,
        cast(rate_card_version as {{ dbt.type_string() }}) as rate_card_version,
        cast(action as {{ dbt.type_string() }}) as action,
        cast(actor as {{ dbt.type_string() }}) as actor,
        cast(acted_at as timestamp) as acted_at,
        cast(content_sha256 as {{ dbt.type_string() }}) as content_sha256,
        cast(note as {{ dbt.type_string() }}) as note
    from source

)

select * from final
