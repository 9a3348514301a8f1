with

source as (

    select * from {{ ref('it_services') }}

),

final as (

    select
        {{ billing.clean_string('it_service_id') }} as it_service_id,
        {{ billing.clean_string('it_service_name') }} as it_service_name,
        {{ billing.clean_string('service_family') }} as service_family,
        {{ billing.clean_string('pool_cost_center_id') }} as pool_cost_center_id,
        {{ billing.clean_string('driver_type') }} as driver_type,
        {{ billing.clean_string('unit') }} as unit,
        {{ billing.clean_string('description') }} as description
    from source

)

select * from final
