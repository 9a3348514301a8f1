{#- seeds/contract_subscription_plans.csv typed: one subscription plan (a contract price row) per contract version. -#}

with

source as (

    select * from {{ ref('contract_subscription_plans') }}

),

final as (

    select
        {{ billing.clean_string('contract_id') }} as contract_id,
        cast(contract_version as integer) as contract_version,
        {{ billing.clean_string('price_id') }} as price_id,
        {{ billing.clean_string('service_id') }} as service_id,
        {{ billing.clean_string('plan_name') }} as plan_name,
        -- UN/ECE Recommendation 20 code of what one unit of quantity is (C62 = one seat, instance, cluster)
        upper({{ billing.clean_string('unit') }}) as unit,
        -- per unit of quantity and full billing month, in the contract's price currency
        cast(fee_per_period as {{ billing.money_type() }}) as fee_per_period,
        -- empty = the contract header's tax category
        {{ billing.clean_string('tax_category') }} as tax_category
    from source

)

select * from final
