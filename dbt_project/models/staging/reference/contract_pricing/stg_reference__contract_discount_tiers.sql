{#-
    seeds/contract_discount_tiers.csv typed: per contract version, discount ladders (discount_id) whose rows are
    thresholds. basis spend = the amount of the contract's priced usage lines (of service_id, or all of them
    when empty), basis volume = the usage quantity of service_id. The highest threshold reached applies its
    discount_percent to the whole spend of the basis.
-#}

with

source as (

    select * from {{ ref('contract_discount_tiers') }}

),

final as (

    select
        {{ billing.clean_string('contract_id') }} as contract_id,
        cast(contract_version as integer) as contract_version,
        {{ billing.clean_string('discount_id') }} as discount_id,
        lower({{ billing.clean_string('basis') }}) as basis,
        -- empty = all usage lines of the contract (spend basis only)
        {{ billing.clean_string('service_id') }} as service_id,
        cast(threshold as {{ billing.money_type() }}) as threshold,
        -- percent, e.g. 3 = 3 %
        cast(discount_percent as {{ billing.money_type() }}) as discount_percent
    from source

)

select * from final
