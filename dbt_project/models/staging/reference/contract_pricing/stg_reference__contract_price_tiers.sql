{#-
    seeds/contract_price_tiers.csv typed: the tiers of tiered_graduated and tiered_volume prices. A tier covers
    [from_quantity, to_quantity) of the period's quantity; empty to_quantity = unbounded. Tiers of a price must
    be contiguous (tests/assert_contract_price_tiers_are_contiguous.sql).
-#}

with

source as (

    select * from {{ ref('contract_price_tiers') }}

),

final as (

    select
        {{ billing.clean_string('contract_id') }} as contract_id,
        cast(contract_version as integer) as contract_version,
        {{ billing.clean_string('price_id') }} as price_id,
        cast(tier_number as integer) as tier_number,
        cast(from_quantity as {{ billing.money_type() }}) as from_quantity,
        -- empty = unbounded
        cast(to_quantity as {{ billing.money_type() }}) as to_quantity,
        cast(unit_price as {{ billing.money_type() }}) as unit_price
    from source

)

select * from final
