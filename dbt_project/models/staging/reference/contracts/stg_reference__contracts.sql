with

source as (

    select * from {{ ref('contracts') }}

),

final as (

    select
        {{ billing.clean_string('contract_id') }} as contract_id,
        {{ billing.clean_string('client_id') }} as client_id,
        cast(version as integer) as contract_version,
        cast(valid_from as date) as valid_from,
        -- empty = open-ended
        cast(valid_to as date) as valid_to,
        -- the price currency: every contract amount is in it; the client's invoice currency may differ
        upper({{ billing.clean_string('currency') }}) as currency,
        cast(payment_terms_days as integer) as payment_terms_days,
        lower({{ billing.clean_string('proration_basis') }}) as proration_basis,
        -- per billing period, in the price currency; empty = no commitment
        cast(minimum_commitment as {{ billing.money_type() }}) as minimum_commitment,
        {{ billing.clean_string('tax_category') }} as tax_category,
        {{ billing.clean_string('delivery_region') }} as delivery_region
    from source

)

select * from final
