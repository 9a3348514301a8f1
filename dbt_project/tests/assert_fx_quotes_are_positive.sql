{#- Every ECB and manual quote is a positive number of units per EUR (a cross rate divides by it). -#}

with

quotes as (

    select 'reference' as origin, rate_date, currency_code, units_per_eur
    from {{ ref('stg_reference__fx_reference_rates') }}

    union all

    select 'manual' as origin, rate_date, currency_code, units_per_eur
    from {{ ref('stg_reference__fx_manual_rates') }}

),

final as (

    select * from quotes
    where units_per_eur is null or units_per_eur <= 0 or currency_code = 'EUR'

)

select * from final
