{#-
    Every priced line of every client invoice, before currency conversion and rounding: usage pricing
    (int_contract_usage_lines_priced: usage, tiers, packages, hybrid, cost plus, commitment true-up, discounts,
    caps), subscription fees prorated from the change log (int_subscription_lines_priced) and SLA service
    credits (int_sla_credit_lines). Amounts are unrounded, in the contract's price currency.
-#}

with

usage_lines as (

    select * from {{ ref('int_contract_usage_lines_priced') }}

),

subscription_lines as (

    select * from {{ ref('int_subscription_lines_priced') }}

),

sla_credit_lines as (

    select * from {{ ref('int_sla_credit_lines') }}

),

unioned as (

    {% for relation in ['usage_lines', 'subscription_lines', 'sla_credit_lines'] %}
    select
        client_id, contract_id, contract_version, billing_period_start, line_type, pricing_model, price_id,
        service_id, sku_id, description, quantity, unit, unit_price, price_currency, unrounded_amount,
        service_period_start, service_period_end, reference, tax_category, line_sort, source_row_count
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(contract_version as integer) as contract_version,
        cast(billing_period_start as date) as billing_period_start,
        cast(line_type as {{ dbt.type_string() }}) as line_type,
        cast(pricing_model as {{ dbt.type_string() }}) as pricing_model,
        cast(price_id as {{ dbt.type_string() }}) as price_id,
        cast(service_id as {{ dbt.type_string() }}) as service_id,
        cast(sku_id as {{ dbt.type_string() }}) as sku_id,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(quantity as {{ billing.money_type() }}) as quantity,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(unit_price as {{ billing.money_type() }}) as unit_price,
        cast(price_currency as {{ dbt.type_string() }}) as price_currency,
        cast(unrounded_amount as {{ billing.money_type() }}) as price_amount,
        cast(service_period_start as date) as service_period_start,
        cast(service_period_end as date) as service_period_end,
        cast(reference as {{ dbt.type_string() }}) as reference,
        cast(tax_category as {{ dbt.type_string() }}) as tax_category,
        cast(line_sort as integer) as line_sort,
        cast(source_row_count as bigint) as source_row_count
    from unioned

)

select * from final
