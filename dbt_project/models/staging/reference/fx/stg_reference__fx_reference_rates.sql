with

source as (

    select * from {{ ref('fx_reference_rates') }}

),

final as (

    select
        cast(rate_date as date) as rate_date,
        upper({{ billing.clean_string('currency_code') }}) as currency_code,
        -- units of the currency per 1 EUR, as published (no float on the way: seed column typed decimal)
        cast(units_per_eur as {{ billing.money_type() }}) as units_per_eur,
        {{ billing.clean_string('source') }} as source
    from source

)

select * from final
