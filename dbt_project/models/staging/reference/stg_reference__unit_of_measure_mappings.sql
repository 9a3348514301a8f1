with

source as (

    select * from {{ ref('unit_of_measure_mappings') }}

),

final as (

    select
        {{ billing.clean_string('provider_unit') }} as provider_unit,
        {{ billing.clean_string('focus_unit') }} as focus_unit,
        cast(pricing_block_size as bigint) as pricing_block_size,
        {{ billing.clean_string('provider') }} as provider,
        {{ billing.clean_string('origin') }} as origin
    from source

)

select * from final
