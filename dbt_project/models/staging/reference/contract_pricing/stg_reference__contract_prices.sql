{#-
    seeds/contract_prices.csv typed: one row per price of a contract version. A row names an IT service and
    optionally one SKU of it (empty = every SKU; a SKU row wins over the service's rows), the pricing model and
    the model's parameters. Empty text (or Spark's 'None') is null; money and quantities are DECIMAL(38,10).
-#}

with

source as (

    select * from {{ ref('contract_prices') }}

),

final as (

    select
        {{ billing.clean_string('contract_id') }} as contract_id,
        cast(contract_version as integer) as contract_version,
        {{ billing.clean_string('price_id') }} as price_id,
        {{ billing.clean_string('service_id') }} as service_id,
        -- empty = every SKU of the service
        {{ billing.clean_string('sku_id') }} as sku_id,
        lower({{ billing.clean_string('pricing_model') }}) as pricing_model,
        -- UN/ECE Rec 20 code of the priced quantity (seeds/contract_unit_codes.csv); null for cost_plus/excluded
        upper({{ billing.clean_string('unit') }}) as unit,
        cast(unit_price as {{ billing.money_type() }}) as unit_price,
        cast(included_quantity as {{ billing.money_type() }}) as included_quantity,
        cast(period_fee as {{ billing.money_type() }}) as period_fee,
        cast(package_size as {{ billing.money_type() }}) as package_size,
        cast(package_price as {{ billing.money_type() }}) as package_price,
        cast(markup_rate as {{ billing.money_type() }}) as markup_rate,
        -- contractual maximum quantity per period; empty = none
        cast(usage_limit as {{ billing.money_type() }}) as usage_limit,
        -- maximum amount per period of this price's lines; empty = none
        cast(cap_amount as {{ billing.money_type() }}) as cap_amount,
        -- empty = the contract header's
        {{ billing.clean_string('tax_category') }} as tax_category
    from source

)

select * from final
