with

source as (

    select * from {{ ref('rate_cards') }}

),

final as (

    select
        {{ billing.clean_string('rate_card_version') }} as rate_card_version,
        cast(fiscal_year as integer) as fiscal_year,
        cast(valid_from as date) as valid_from,
        -- empty = open-ended
        cast(valid_to as date) as valid_to,
        {{ billing.clean_string('it_service_id') }} as it_service_id,
        {{ billing.clean_string('billing_currency') }} as billing_currency,
        {{ billing.clean_string('rate_type') }} as rate_type,
        {{ billing.clean_string('unit') }} as unit,
        cast(unit_rate as {{ billing.money_type() }}) as unit_rate,
        {{ billing.clean_string('description') }} as description
    from source

)

select * from final
