-- Business rule: the tiers of a tiered_graduated or tiered_volume contract price (seeds/contract_price_tiers.csv)
-- cover every quantity exactly once: the first tier starts at 0, each next tier starts where the previous one
-- ends (to_quantity = next from_quantity: no gap, no overlap), every bounded tier ends above its start, and only
-- the last tier is unbounded (empty to_quantity). A tiered price must have tiers, and tiers belong to a tiered
-- price. Otherwise a quantity would get no price or two prices. Returns one row per offending tier or price.

with

prices as (

    select * from {{ ref('stg_reference__contract_prices') }}

),

tiers as (

    select * from {{ ref('stg_reference__contract_price_tiers') }}

),

sequenced as (

    select
        tiers.*,
        prices.pricing_model,
        lag(tiers.to_quantity) over (
            partition by tiers.contract_id, tiers.contract_version, tiers.price_id order by tiers.tier_number
        ) as previous_to_quantity,
        lag(tiers.tier_number) over (
            partition by tiers.contract_id, tiers.contract_version, tiers.price_id order by tiers.tier_number
        ) as previous_tier_number,
        lead(tiers.tier_number) over (
            partition by tiers.contract_id, tiers.contract_version, tiers.price_id order by tiers.tier_number
        ) as next_tier_number
    from tiers
    left join prices
        on tiers.contract_id = prices.contract_id
        and tiers.contract_version = prices.contract_version
        and tiers.price_id = prices.price_id

),

tier_failures as (

    select
        contract_id,
        contract_version,
        price_id,
        tier_number,
        case
            when pricing_model is null or pricing_model not in ('tiered_graduated', 'tiered_volume')
                then 'tier of a price that is not tiered'
            when previous_tier_number is null and from_quantity <> 0 then 'first tier does not start at 0'
            when previous_tier_number is not null and previous_to_quantity is null then 'overlap: previous tier unbounded'
            when previous_tier_number is not null and from_quantity > previous_to_quantity then 'gap'
            when previous_tier_number is not null and from_quantity < previous_to_quantity then 'overlap'
            when to_quantity is not null and to_quantity <= from_quantity then 'tier ends at or below its start'
            when next_tier_number is null and to_quantity is not null then 'last tier is bounded'
        end as failure
    from sequenced

),

prices_without_tiers as (

    select
        prices.contract_id,
        prices.contract_version,
        prices.price_id,
        cast(null as integer) as tier_number,
        'tiered price without tiers' as failure
    from prices
    where prices.pricing_model in ('tiered_graduated', 'tiered_volume')
        and not exists (
            select 1
            from tiers
            where tiers.contract_id = prices.contract_id
                and tiers.contract_version = prices.contract_version
                and tiers.price_id = prices.price_id
        )

)

select * from tier_failures
where failure is not null
union all
select * from prices_without_tiers
