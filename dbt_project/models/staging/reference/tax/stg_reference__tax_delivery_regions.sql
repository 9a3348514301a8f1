with

source as (

    select * from {{ ref('tax_delivery_regions') }}

),

final as (

    select
        lower({{ billing.clean_string('delivery_region') }}) as delivery_region,
        upper({{ billing.clean_string('country') }}) as country,
        upper({{ billing.clean_string('subdivision') }}) as subdivision,
        {{ billing.clean_string('region_name') }} as region_name
    from source

)

select * from final
