with

source as (

    select * from {{ source('ops', 'ops_snapshot') }}

),

final as (

    select
        cast(taken_at as timestamp) as taken_at,
        cast(store_path as {{ dbt.type_string() }}) as store_path,
        cast(audit_event_count as bigint) as audit_event_count,
        cast(audit_head_sha256 as {{ dbt.type_string() }}) as audit_head_sha256
    from source

)

select * from final
