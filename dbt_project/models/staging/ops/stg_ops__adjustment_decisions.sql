with

source as (

    select * from {{ source('ops', 'ops_adjustment_decisions') }}

),

final as (

    select
        cast(decision_id as bigint) as decision_id,
        cast(adjustment_id as {{ dbt.type_string() }}) as adjustment_id,
        cast(decision as {{ dbt.type_string() }}) as decision,
        cast(actor as {{ dbt.type_string() }}) as actor,
        cast(decided_at as timestamp) as decided_at,
        cast(reason as {{ dbt.type_string() }}) as reason
    from source

)

select * from final
