{#-
    Each row of int_client_usage with the contract version in force (int_contract_periods_in_force) and the
    contract price that governs it, and what the contract says about it (resolution):

    Price resolution, within the contract version in force, among the rows of the usage's IT service whose
    sku_id is the usage's SKU or empty:
      1. a SKU row wins over the service's rows;
      2. then a row priced in the usage's unit (price unit = the usage's UN/ECE unit_code);
      3. then a row without a unit (cost_plus, excluded: they take usage in any unit);
      4. then any other row (it cannot price the unit: unit_mismatch);
      ties by price_id.
    resolution:
      no_contract        no contract version in force for the client on the period's first day
      unpriced           no price row for the service or SKU (and none excluding it)
      unit_mismatch      the winning row prices a quantity in another unit (never rescaled)
      excluded           the winning row is `excluded`: not billed, reported as information
      currency_mismatch  cost_plus on cost whose currency is not the contract's price currency (never converted)
      priced             otherwise. Rows without a quantity (provider tax, credits: unit null) are priced by a
                         quantity-based price as zero quantity, i.e. the contract price replaces them.
-#}

with

usage as (

    select * from {{ ref('int_client_usage') }}

),

periods_in_force as (

    select * from {{ ref('int_contract_periods_in_force') }}

),

prices as (

    select * from {{ ref('stg_reference__contract_prices') }}

),

with_contract as (

    select
        usage.*,
        periods_in_force.contract_id,
        periods_in_force.contract_version,
        periods_in_force.price_currency,
        periods_in_force.tax_category as contract_tax_category
    from usage
    left join periods_in_force
        on usage.client_id = periods_in_force.client_id
        and usage.billing_period_start = periods_in_force.billing_period_start

),

candidates as (

    select
        with_contract.*,
        prices.price_id,
        prices.sku_id as price_sku_id,
        prices.pricing_model,
        prices.unit as price_unit,
        coalesce(prices.tax_category, with_contract.contract_tax_category) as tax_category
    from with_contract
    left join prices
        on with_contract.contract_id = prices.contract_id
        and with_contract.contract_version = prices.contract_version
        and with_contract.service_id = prices.service_id
        and (prices.sku_id is null or prices.sku_id = with_contract.sku_id)
    qualify row_number() over (
        partition by
            with_contract.client_id, with_contract.billing_period_start, with_contract.service_id,
            with_contract.sku_id, with_contract.unit, with_contract.currency
        order by
            case when prices.sku_id is not null then 0 else 1 end,
            case
                when prices.unit = with_contract.unit_code then 0
                when prices.unit is null then 1
                else 2
            end,
            prices.price_id asc nulls last
    ) = 1

),

final as (

    select
        client_id,
        billing_period_start,
        service_id,
        sku_id,
        unit,
        unit_code,
        quantity,
        allocated_effective_cost,
        currency,
        source_row_count,
        contract_id,
        contract_version,
        price_currency,
        price_id,
        price_sku_id,
        pricing_model,
        price_unit,
        tax_category,
        case
            when contract_id is null then 'no_contract'
            when price_id is null then 'unpriced'
            when pricing_model = 'excluded' then 'excluded'
            when pricing_model = 'cost_plus' and currency <> price_currency then 'currency_mismatch'
            when pricing_model = 'cost_plus' then 'priced'
            when unit is null then 'priced'
            when price_unit = unit_code then 'priced'
            else 'unit_mismatch'
        end as resolution
    from candidates

)

select * from final
