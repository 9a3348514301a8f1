with

source as (

    select * from {{ ref('chargeback_policies') }}

),

final as (

    select
        {{ billing.clean_string('policy_version') }} as policy_version,
        cast(valid_from as date) as valid_from,
        -- empty = open-ended
        cast(valid_to as date) as valid_to,
        {{ billing.clean_string('default_granularity') }} as default_granularity,
        {{ billing.clean_string('description') }} as description
    from source

)

select * from final
