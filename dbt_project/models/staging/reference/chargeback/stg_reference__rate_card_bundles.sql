with

source as (

    select * from {{ ref('rate_card_bundles') }}

),

final as (

    select
        {{ billing.clean_string('rate_card_version') }} as rate_card_version,
        {{ billing.clean_string('bundle_id') }} as bundle_id,
        {{ billing.clean_string('bundle_name') }} as bundle_name,
        {{ billing.clean_string('it_service_id') }} as it_service_id,
        cast(discount_percent as {{ billing.money_type() }}) as discount_percent
    from source

)

select * from final
