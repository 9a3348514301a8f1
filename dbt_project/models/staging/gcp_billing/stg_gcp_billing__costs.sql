{#- Its tests check the closing period only when every other was tested (macros/incremental_by_period.sql). -#}
{{ config(period_column='billing_period_start') }}
{%- set cols = billing.relation_column_names(source('raw', 'gcp_billing')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}

with

source as (

    select * from {{ source('raw', 'gcp_billing') }}

),

typed as (

    select
        -- lineage
        'gcp_billing' as source,
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start,
        _billing_account_id as delivery_billing_account_id,

        -- billing period (invoice.month, YYYYMM) and accounts
        {{ opt(cols, 'invoice_month') }} as invoice_month,
        cast(
            substr(invoice_month, 1, 4) || '-' || substr(invoice_month, 5, 2) || '-01'
            as date
        ) as invoice_month_start,
        {{ opt(cols, 'billing_account_id') }} as billing_account_id,
        {{ opt(cols, 'project_id') }} as project_id,
        {{ opt(cols, 'project_name') }} as project_name,

        -- charge
        {{ opt(cols, 'cost_type') }} as cost_type,
        {{ opt(cols, 'service_id') }} as service_id,
        {{ opt(cols, 'service_description') }} as service_description,
        {{ opt(cols, 'sku_id') }} as sku_id,
        {{ opt(cols, 'sku_description') }} as sku_description,
        {{ billing.to_timestamp(opt(cols, 'usage_start_time')) }} as usage_start_at,
        {{ billing.to_timestamp(opt(cols, 'usage_end_time')) }} as usage_end_at,
        {{ billing.to_money(opt(cols, 'usage_amount')) }} as usage_amount,
        {{ opt(cols, 'usage_unit') }} as usage_unit,
        {{ billing.to_money(opt(cols, 'usage_amount_in_pricing_units')) }} as usage_amount_in_pricing_units,
        {{ opt(cols, 'usage_pricing_unit') }} as usage_pricing_unit,
        {{ billing.to_money(opt(cols, 'cost')) }} as cost,
        {{ billing.to_money(opt(cols, 'cost_at_list')) }} as cost_at_list,
        {{ opt(cols, 'currency') }} as currency,
        {{ opt(cols, 'seller_name') }} as seller_name,

        -- resource and location
        {{ opt(cols, 'resource_name') }} as resource_name,
        {{ opt(cols, 'resource_global_name') }} as resource_global_name,
        {{ opt(cols, 'location_location') }} as location,
        {{ opt(cols, 'location_region') }} as region,
        {{ opt(cols, 'location_zone') }} as zone,

        {{ opt(cols, 'labels') }} as labels,

        -- every other delivered column with a value, except the credits array, whose elements are charges of
        -- their own (stg_gcp_billing__credits; docs/raw-layer.md)
        {{ billing.unmapped_columns_json(cols, exclude=['credits']) }} as x_unmapped_columns

    from source

),

final as (

    select
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }}) as charge_id,
        typed.*,
        -- credits are separate rows (stg_gcp_billing__credits); together they make the billed cost,
        -- and amortized = billed (docs/raw-layer.md)
        cost as x_billed_cost,
        cost as x_amortized_cost
    from typed

)

select * from final
