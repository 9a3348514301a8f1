with

source as (

    select * from {{ ref('tax_jurisdictions') }}

),

final as (

    select
        upper({{ billing.clean_string('jurisdiction_id') }}) as jurisdiction_id,
        upper({{ billing.clean_string('country') }}) as country,
        upper({{ billing.clean_string('subdivision') }}) as subdivision,
        {{ billing.clean_string('tax_name') }} as tax_name,
        lower({{ billing.clean_string('rounding_mode') }}) as rounding_mode,
        lower({{ billing.clean_string('rounding_level') }}) as rounding_level
    from source

)

select * from final
