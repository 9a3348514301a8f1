with

source as (

    select * from {{ ref('service_categories') }}

),

final as (

    select
        {{ billing.clean_string('source') }} as source,
        {{ billing.clean_string('service_key') }} as service_key,
        {{ billing.clean_string('service_name') }} as service_name,
        {{ billing.clean_string('service_category') }} as service_category,
        {{ billing.clean_string('service_subcategory') }} as service_subcategory
    from source

)

select * from final
