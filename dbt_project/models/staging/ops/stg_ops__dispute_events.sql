with

source as (

    select * from {{ source('ops', 'ops_dispute_events') }}

),

final as (

    select
        cast(event_id as bigint) as event_id,
        cast(dispute_id as {{ dbt.type_string() }}) as dispute_id,
        cast(action as {{ dbt.type_string() }}) as action,
        cast(actor as {{ dbt.type_string() }}) as actor,
        cast(acted_at as timestamp) as acted_at,
        cast(owner as {{ dbt.type_string() }}) as owner,
        cast(root_cause as {{ dbt.type_string() }}) as root_cause,
        cast(outcome as {{ dbt.type_string() }}) as outcome,
        cast(comment as {{ dbt.type_string() }}) as comment
    from source

)

select * from final
