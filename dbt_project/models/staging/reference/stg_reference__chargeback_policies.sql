with

source as (

    select * from {{ ref('chargeback_policies') }}

),

final as (

    select
        {{ billing.clean_string('rate_card_version') }} as rate_card_version,
        cast(valid_from as date) as valid_from,
        -- empty = open-ended
        cast(valid_to as date) as valid_to,
        cast(recovery_rate as {{ billing.money_type() }}) as recovery_rate
    from source

)

select * from final
