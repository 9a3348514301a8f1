with

source as (

    select * from {{ ref('region_mappings') }}

),

final as (

    select
        {{ billing.clean_string('provider') }} as provider,
        lower({{ billing.clean_string('provider_region') }}) as provider_region,
        {{ billing.clean_string('region_id') }} as region_id,
        {{ billing.clean_string('region_name') }} as region_name,
        {{ billing.clean_string('origin') }} as origin
    from source

)

select * from final
