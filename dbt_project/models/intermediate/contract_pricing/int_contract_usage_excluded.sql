{#-
    Information, not a violation: client usage whose contract price is `excluded` (not billed), per client x
    billing period x IT service x SKU x unit x currency, with the quantity, the allocated cost that is not
    passed on and a readable detail for the invoice review.
-#}

{%- set string = dbt.type_string() -%}
{%- set txt = "regexp_replace(cast(cast(%s as decimal(38,6)) as " ~ string ~ "), '[.]?0+$', '')" -%}

with

resolved as (

    select * from {{ ref('int_contract_usage_resolved') }}
    where resolution = 'excluded'

),

final as (

    select
        client_id,
        billing_period_start,
        contract_id,
        contract_version,
        price_id,
        service_id,
        sku_id,
        unit,
        quantity,
        allocated_effective_cost,
        currency,
        source_row_count,
        'Usage of ' || service_id || coalesce(' SKU ' || sku_id, '') || ' (' || {{ txt | format('quantity') }} || ' '
            || coalesce(unit, 'no unit') || ', cost ' || {{ txt | format('allocated_effective_cost') }} || ' '
            || currency || ') is excluded by price ' || price_id || ' and not billed.' as detail
    from resolved

)

select * from final
