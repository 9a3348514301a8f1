with

source as (

    select * from {{ ref('tax_countries') }}

),

final as (

    select
        upper({{ billing.clean_string('country') }}) as country,
        {{ billing.clean_string('country_name') }} as country_name,
        -- EU for the member states (one VAT area), otherwise the country itself
        upper({{ billing.clean_string('tax_territory') }}) as tax_territory,
        -- country: one jurisdiction per country (VAT); subdivision: per state (US sales tax)
        lower({{ billing.clean_string('jurisdiction_level') }}) as jurisdiction_level
    from source

)

select * from final
