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
        {{ billing.clean_string('currency') }} as currency,
        cast(markup_rate as {{ billing.money_type() }}) as markup_rate,
        {{ billing.clean_string('tax_code') }} as tax_code,
        cast(tax_rate as {{ billing.money_type() }}) as tax_rate,
        cast(payment_terms_days as integer) as payment_terms_days
    from source

)

select * from final
