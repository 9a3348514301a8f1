with

source as (

    select * from {{ source('ops', 'ops_audit_events') }}

),

final as (

    select
        cast(event_id as bigint) as event_id,
        cast(occurred_at as timestamp) as occurred_at,
        cast(actor as {{ dbt.type_string() }}) as actor,
        cast(actor_role as {{ dbt.type_string() }}) as actor_role,
        cast(action as {{ dbt.type_string() }}) as action,
        cast(entity_type as {{ dbt.type_string() }}) as entity_type,
        cast(entity_id as {{ dbt.type_string() }}) as entity_id,
        cast(before_json as {{ dbt.type_string() }}) as before_json,
        cast(after_json as {{ dbt.type_string() }}) as after_json,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(previous_sha256 as {{ dbt.type_string() }}) as previous_sha256,
        cast(event_sha256 as {{ dbt.type_string() }}) as event_sha256
    from source

)

select * from final
