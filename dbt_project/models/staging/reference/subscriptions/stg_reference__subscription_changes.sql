{#-
    seeds/subscription_changes.csv typed: the subscription-change log. Each row is the state of one subscription
    from effective_at (UTC) until the subscription's next change: the plan (price_id) and quantity in force
    after the change; a terminate row has no plan and ends the subscription.
-#}

with

source as (

    select * from {{ ref('subscription_changes') }}

),

final as (

    select
        {{ billing.clean_string('change_id') }} as change_id,
        {{ billing.clean_string('client_id') }} as client_id,
        {{ billing.clean_string('subscription_id') }} as subscription_id,
        lower({{ billing.clean_string('change_type') }}) as change_type,
        cast(effective_at as timestamp) as effective_at,
        {{ billing.clean_string('price_id') }} as price_id,
        cast(quantity as {{ billing.money_type() }}) as quantity
    from source

)

select * from final
