{#- Its tests check the closing period only when every other was tested (macros/incremental_by_period.sql). -#}
{{ config(period_column='billing_period_start') }}
{%- set cols = billing.relation_column_names(source('raw', 'oci_cost')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}

with

source as (

    select * from {{ source('raw', 'oci_cost') }}

),

typed as (

    select
        -- lineage
        'oci_cost' as source,
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start,
        _billing_account_id as delivery_billing_account_id,

        -- the tenancy is the billing account, the compartment the sub-account; a cost report has no billing
        -- period: the parser took the calendar month of the usage intervals (docs/raw-layer.md)
        cast(cast(_billing_period_start as date) as timestamp) as billing_period_start_at,
        {{ opt(cols, 'lineitem_tenantid') }} as billing_account_id,
        {{ opt(cols, 'product_compartmentid') }} as compartment_id,
        {{ opt(cols, 'product_compartmentname') }} as compartment_name,
        {{ opt(cols, 'cost_subscriptionid') }} as subscription_id,

        -- line
        {{ opt(cols, 'lineitem_referenceno') }} as reference_no,
        {{ billing.to_timestamp(opt(cols, 'lineitem_intervalusagestart')) }} as usage_start_at,
        {{ billing.to_timestamp(opt(cols, 'lineitem_intervalusageend')) }} as usage_end_at,
        {{ opt(cols, 'product_service') }} as service_key,
        {{ opt(cols, 'cost_productsku') }} as sku_id,
        {{ opt(cols, 'product_description') }} as product_description,
        {{ billing.to_money(opt(cols, 'usage_billedquantity')) }} as billed_quantity,
        {{ billing.to_money(opt(cols, 'usage_billedquantityoverage')) }} as billed_quantity_overage,
        {{ opt(cols, 'cost_skuunitdescription') }} as unit_description,
        {{ opt(cols, 'cost_billingunitreadable') }} as billing_unit_readable,
        {{ billing.to_money(opt(cols, 'cost_unitprice')) }} as unit_price,
        {{ billing.to_money(opt(cols, 'cost_unitpriceoverage')) }} as unit_price_overage,
        {{ billing.to_money(opt(cols, 'cost_mycost')) }} as my_cost,
        {{ billing.to_money(opt(cols, 'cost_mycostoverage')) }} as my_cost_overage,
        {{ opt(cols, 'cost_currencycode') }} as currency,
        lower(coalesce({{ opt(cols, 'cost_overageflag') }}, 'false')) = 'true' as is_overage,
        lower(coalesce({{ opt(cols, 'lineitem_iscorrection') }}, 'false')) = 'true' as is_correction,
        {{ opt(cols, 'lineitem_backreferenceno') }} as back_reference_no,

        -- resource
        {{ opt(cols, 'product_region') }} as region,
        {{ opt(cols, 'product_availabilitydomain') }} as availability_domain,
        {{ opt(cols, 'product_resourceid') }} as resource_id,

        {{ opt(cols, 'tags') }} as tags,

        -- every other delivered column with a value (docs/raw-layer.md)
        {{ billing.unmapped_columns_json(cols) }} as x_unmapped_columns

    from source

),

final as (

    select
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }}) as charge_id,
        typed.*,
        -- docs/raw-layer.md: cost/myCost is inclusive of overage (cost/myCostOverage is a part of it, never
        -- added) and a cost report carries no commitment amortization: billed = amortized = myCost
        my_cost as x_billed_cost,
        my_cost as x_amortized_cost
    from typed

)

select * from final
