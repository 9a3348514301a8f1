with

source as (

    select * from {{ ref('tax_rates') }}

),

final as (

    select
        upper({{ billing.clean_string('jurisdiction_id') }}) as jurisdiction_id,
        {{ billing.clean_string('tax_category') }} as tax_category,
        -- a fraction: 0.19 = 19 %
        cast(rate as {{ billing.money_type() }}) as tax_rate,
        cast(valid_from as date) as valid_from,
        -- exclusive; empty = open-ended
        cast(valid_to as date) as valid_to,
        {{ billing.clean_string('note') }} as note
    from source

)

select * from final
