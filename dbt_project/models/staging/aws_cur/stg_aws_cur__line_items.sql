{#- Its tests check the closing period only when every other was tested (macros/incremental_by_period.sql). -#}
{{ config(period_column='billing_period_start') }}
{%- set cols = billing.relation_column_names(source('raw', 'aws_cur')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}

with

source as (

    select * from {{ source('raw', 'aws_cur') }}

),

typed as (

    select
        -- lineage
        'aws_cur' as source,
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start,
        _billing_account_id as delivery_billing_account_id,

        -- billing period and accounts
        {{ billing.to_timestamp(opt(cols, 'bill_billing_period_start_date')) }} as billing_period_start_at,
        {{ billing.to_timestamp(opt(cols, 'bill_billing_period_end_date')) }} as billing_period_end_at,
        {{ opt(cols, 'bill_payer_account_id') }} as payer_account_id,
        {{ opt(cols, 'bill_payer_account_name') }} as payer_account_name,
        {{ opt(cols, 'bill_invoice_id') }} as invoice_id,
        -- AWS fills bill/InvoiceId only once the month's bill is final; an empty one is an estimate that a
        -- later delivery of the same month replaces
        case when nullif(trim({{ opt(cols, 'bill_invoice_id') }}), '') is null then false else true end as is_final,
        {{ opt(cols, 'bill_billing_entity') }} as billing_entity,
        {{ opt(cols, 'bill_invoicing_entity') }} as invoicing_entity,
        {{ opt(cols, 'line_item_usage_account_id') }} as usage_account_id,
        {{ opt(cols, 'line_item_usage_account_name') }} as usage_account_name,

        -- line item
        {{ opt(cols, 'line_item_line_item_type') }} as line_item_type,
        {{ opt(cols, 'line_item_line_item_description') }} as line_item_description,
        {{ billing.to_timestamp(opt(cols, 'line_item_usage_start_date')) }} as usage_start_at,
        {{ billing.to_timestamp(opt(cols, 'line_item_usage_end_date')) }} as usage_end_at,
        {{ opt(cols, 'line_item_product_code') }} as product_code,
        {{ opt(cols, 'line_item_usage_type') }} as usage_type,
        {{ opt(cols, 'line_item_operation') }} as operation,
        {{ opt(cols, 'line_item_resource_id') }} as resource_id,
        {{ opt(cols, 'line_item_availability_zone') }} as availability_zone,
        {{ billing.to_money(opt(cols, 'line_item_usage_amount')) }} as usage_amount,
        {{ billing.to_money(opt(cols, 'line_item_unblended_rate')) }} as unblended_rate,
        {{ billing.to_money(opt(cols, 'line_item_unblended_cost')) }} as unblended_cost,
        {{ opt(cols, 'line_item_currency_code') }} as currency_code,

        -- pricing and product
        {{ billing.to_money(opt(cols, 'pricing_public_on_demand_cost')) }} as public_on_demand_cost,
        {{ billing.to_money(opt(cols, 'pricing_public_on_demand_rate')) }} as public_on_demand_rate,
        {{ opt(cols, 'pricing_unit') }} as pricing_unit,
        {{ opt(cols, 'pricing_term') }} as pricing_term,
        {{ opt(cols, 'pricing_rate_code') }} as pricing_rate_code,
        {{ opt(cols, 'product_sku') }} as product_sku,
        -- CUR 2.0 and Athena: product_region_code; CUR v1 may carry the same code only as product/region
        coalesce({{ opt(cols, 'product_region_code') }}, {{ opt(cols, 'product_region') }}) as region_code,
        {{ opt(cols, 'product_location') }} as region_name,
        -- CUR 2.0 carries product attributes in the `product` map, CUR v1 as `product/ProductName` columns
        coalesce(
            {{ billing.json_value(opt(cols, 'product'), "'product_name'") }}, {{ opt(cols, 'product_product_name') }}
        ) as product_name,

        -- commitments (savings plans and reserved instances)
        coalesce(
            {{ opt(cols, 'savings_plan_savings_plan_a_r_n') }}, {{ opt(cols, 'savings_plan_savings_plan_arn') }}
        ) as savings_plan_arn,
        {{ billing.to_money(opt(cols, 'savings_plan_savings_plan_effective_cost')) }} as savings_plan_effective_cost,
        {{ billing.to_money(opt(cols, 'savings_plan_total_commitment_to_date')) }}
            as savings_plan_total_commitment_to_date,
        {{ billing.to_money(opt(cols, 'savings_plan_used_commitment')) }} as savings_plan_used_commitment,
        coalesce(
            {{ opt(cols, 'reservation_reservation_a_r_n') }}, {{ opt(cols, 'reservation_reservation_arn') }}
        ) as reservation_arn,
        {{ billing.to_money(opt(cols, 'reservation_effective_cost')) }} as reservation_effective_cost,
        {{ billing.to_money(opt(cols, 'reservation_unused_amortized_upfront_fee_for_billing_period')) }}
            as reservation_unused_amortized_upfront_fee,
        {{ billing.to_money(opt(cols, 'reservation_unused_recurring_fee')) }} as reservation_unused_recurring_fee,

        -- user-defined cost-allocation tags arrive as `user:<key>`; the parser writes compact JSON with
        -- sorted keys, so these two replacements touch keys only
        replace(replace({{ opt(cols, 'resource_tags') }}, '{"user:', '{"'), ',"user:', ',"') as tags,

        -- every other delivered column with a value, except product attributes (docs/raw-layer.md)
        {{ billing.unmapped_columns_json(cols, exclude=['product', 'product_*']) }} as x_unmapped_columns

    from source

),

final as (

    select
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }}) as charge_id,
        typed.*,

        -- the provider's own semantics (docs/raw-layer.md): billed = unblended cost ...
        unblended_cost as x_billed_cost,
        -- ... amortized by line item type, as AWS defines it
        cast(
            case line_item_type
                when 'SavingsPlanCoveredUsage' then savings_plan_effective_cost
                when 'SavingsPlanNegation' then 0
                when 'SavingsPlanUpfrontFee' then 0
                when 'SavingsPlanRecurringFee'
                    then {{ billing.money_add([
                        'savings_plan_total_commitment_to_date',
                        '-coalesce(savings_plan_used_commitment, 0)',
                    ]) }}
                when 'DiscountedUsage' then reservation_effective_cost
                when 'RIFee'
                    then {{ billing.money_add([
                        'coalesce(reservation_unused_amortized_upfront_fee, 0)',
                        'coalesce(reservation_unused_recurring_fee, 0)',
                    ]) }}
                else unblended_cost
            end
            as {{ billing.money_type() }}
        ) as x_amortized_cost

    from typed

)

select * from final
