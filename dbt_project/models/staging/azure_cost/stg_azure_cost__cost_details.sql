{#- Its tests check the closing period only when every other was tested (macros/incremental_by_period.sql). -#}
{{ config(period_column='billing_period_start') }}
{%- set cols = billing.relation_column_names(source('raw', 'azure_cost')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}

with

source as (

    select * from {{ source('raw', 'azure_cost') }}

),

typed as (

    select
        -- lineage
        'azure_cost' as source,
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start,
        _billing_account_id as delivery_billing_account_id,

        -- billing period (Azure states the end as the inclusive last day) and accounts. Where the export
        -- leaves the period empty (some MCA exports) or has none (legacy pay-as-you-go), the parser derived
        -- the calendar month from the usage dates (docs/raw-layer.md); a pay-as-you-go export's billing
        -- account is its subscription.
        coalesce(
            {{ billing.to_timestamp(opt(cols, 'billingperiodstartdate')) }}, cast(cast(_billing_period_start as date) as timestamp)
        ) as billing_period_start_at,
        coalesce(
            {{ billing.to_date(opt(cols, 'billingperiodenddate')) }},
            {{ billing.add_days(billing.add_months('cast(_billing_period_start as date)', 1), -1) }}
        ) as billing_period_last_day,
        coalesce({{ opt(cols, 'billingaccountid') }}, _billing_account_id) as billing_account_id,
        {{ opt(cols, 'billingaccountname') }} as billing_account_name,
        {{ opt(cols, 'invoiceid') }} as invoice_id,
        {{ opt(cols, 'subscriptionid') }} as subscription_id,
        {{ opt(cols, 'subscriptionname') }} as subscription_name,
        {{ opt(cols, 'resourcegroup') }} as resource_group,

        -- charge
        {{ billing.to_date(opt(cols, 'date')) }} as usage_date,
        {{ opt(cols, 'chargetype') }} as charge_type,
        {{ opt(cols, 'frequency') }} as frequency,
        {{ opt(cols, 'pricingmodel') }} as pricing_model,
        {{ opt(cols, 'publishername') }} as publisher_name,
        {{ opt(cols, 'publishertype') }} as publisher_type,
        {{ opt(cols, 'metercategory') }} as meter_category,
        {{ opt(cols, 'metersubcategory') }} as meter_subcategory,
        {{ opt(cols, 'metername') }} as meter_name,
        {{ opt(cols, 'meterregion') }} as meter_region,
        {{ opt(cols, 'consumedservice') }} as consumed_service,
        coalesce({{ opt(cols, 'productname') }}, {{ opt(cols, 'product') }}) as product_name,
        coalesce({{ opt(cols, 'productid') }}, {{ opt(cols, 'partnumber') }}) as sku_id,
        {{ opt(cols, 'unitofmeasure') }} as unit_of_measure,
        {{ billing.to_money(opt(cols, 'quantity')) }} as quantity,
        {{ billing.to_money(opt(cols, 'effectiveprice')) }} as effective_price,
        {{ billing.to_money(opt(cols, 'unitprice')) }} as unit_price,
        {{ billing.to_money(opt(cols, 'paygprice')) }} as payg_price,
        {{ billing.to_money(opt(cols, 'costinbillingcurrency')) }} as cost_in_billing_currency,
        {{ opt(cols, 'billingcurrency') }} as billing_currency,

        -- resource
        {{ opt(cols, 'resourceid') }} as resource_id,
        {{ opt(cols, 'resourcename') }} as resource_name,
        {{ opt(cols, 'resourcelocation') }} as resource_location,
        {{ opt(cols, 'availabilityzone') }} as availability_zone,

        -- commitments
        coalesce({{ opt(cols, 'benefitid') }}, {{ opt(cols, 'reservationid') }}) as benefit_id,
        coalesce({{ opt(cols, 'benefitname') }}, {{ opt(cols, 'reservationname') }}) as benefit_name,

        {{ opt(cols, 'tags') }} as tags,

        -- which cost the export carries (the parser records it; files loaded before it did are actual cost)
        coalesce({{ opt(cols, 'x_cost_dataset') }}, 'ActualCost') as cost_dataset,

        -- every other delivered column with a value (docs/raw-layer.md)
        {{ billing.unmapped_columns_json(cols) }} as x_unmapped_columns

    from source

),

-- The actual and the amortized export of one billing account and period are two deliveries that complement
-- each other (docs/raw-layer.md): when both are loaded, the provider's billed total is the actual export's and
-- its amortized total the amortized export's.
paired as (

    select
        typed.*,
        max(case when cost_dataset = 'ActualCost' then 1 else 0 end)
            over (partition by billing_period_start, delivery_billing_account_id) = 1
        and max(case when cost_dataset = 'AmortizedCost' then 1 else 0 end)
            over (partition by billing_period_start, delivery_billing_account_id) = 1
            as is_paired_export
    from typed

),

final as (

    select
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }}) as charge_id,
        paired.*,
        -- The row's share of the provider's own totals (docs/raw-layer.md), which the reconciliation sums.
        -- Both exports loaded: billed = the actual export's cost, amortized = the amortized export's cost.
        -- One export alone: actual-cost export, billed and amortized are both the cost in billing currency;
        -- amortized export, the cost is the amortized cost, and usage covered by a reservation or savings plan
        -- and the unused commitment were billed through the commitment's purchase, so they bill 0.
        case
            when is_paired_export and cost_dataset = 'ActualCost' then cost_in_billing_currency
            when is_paired_export then cast(0 as {{ billing.money_type() }})
            when cost_dataset = 'AmortizedCost' and charge_type in ('UnusedReservation', 'UnusedSavingsPlan')
                then cast(0 as {{ billing.money_type() }})
            when
                cost_dataset = 'AmortizedCost'
                and pricing_model in ('Reservation', 'SavingsPlan')
                and coalesce(charge_type, 'Usage') = 'Usage'
                then cast(0 as {{ billing.money_type() }})
            else cost_in_billing_currency
        end as x_billed_cost,
        case
            when is_paired_export and cost_dataset = 'ActualCost' then cast(0 as {{ billing.money_type() }})
            else cost_in_billing_currency
        end as x_amortized_cost
    from paired

)

select * from final
