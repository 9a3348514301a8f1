with

source as (

    select * from {{ ref('currencies') }}

),

final as (

    select
        {{ billing.clean_string('currency_code') }} as currency_code,
        cast(minor_units as integer) as minor_units
    from source

)

select * from final
