with

source as (

    select * from {{ ref('projects') }}

),

final as (

    select
        {{ billing.clean_string('project_id') }} as project_id,
        {{ billing.clean_string('project_name') }} as project_name,
        {{ billing.clean_string('cost_center_id') }} as cost_center_id
    from source

)

select * from final
