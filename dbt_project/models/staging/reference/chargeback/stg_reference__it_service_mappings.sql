with

source as (

    select * from {{ ref('it_service_mappings') }}

),

final as (

    select
        {{ billing.clean_string('service_category') }} as service_category,
        -- empty = every service of the category
        {{ billing.clean_string('service_name') }} as service_name,
        {{ billing.clean_string('it_service_id') }} as it_service_id
    from source

)

select * from final
