with

source as (

    select * from {{ ref('headcount') }}

),

final as (

    select
        {{ billing.clean_string('cost_center_id') }} as cost_center_id,
        cast(valid_from as date) as valid_from,
        -- empty = open-ended
        cast(valid_to as date) as valid_to,
        cast(headcount as {{ billing.money_type() }}) as headcount
    from source

)

select * from final
