with

source as (

    select * from {{ source('audit', 'retention_actions') }}

),

final as (

    select
        cast(action_id as {{ dbt.type_string() }}) as action_id,
        cast(applied_at as timestamp) as applied_at,
        cast(applied_by as {{ dbt.type_string() }}) as applied_by,
        cast(policy_version as {{ dbt.type_string() }}) as policy_version,
        cast(table_name as {{ dbt.type_string() }}) as table_name,
        cast(source as {{ dbt.type_string() }}) as source_name,
        cast(billing_period_start as date) as billing_period_start,
        cast(row_count as bigint) as row_count,
        cast(archive_path as {{ dbt.type_string() }}) as archive_path,
        cast(archive_sha256 as {{ dbt.type_string() }}) as archive_sha256
    from source

)

select * from final
