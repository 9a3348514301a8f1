with

source as (

    select * from {{ ref('cost_centers') }}

),

final as (

    select
        {{ billing.clean_string('cost_center_id') }} as cost_center_id,
        {{ billing.clean_string('cost_center_name') }} as cost_center_name,
        {{ billing.clean_string('owner_type') }} as owner_type,
        {{ billing.clean_string('department_id') }} as department_id,
        {{ billing.clean_string('client_id') }} as client_id
    from source

)

select * from final
