{#-
    What each provider says it charged, per billing period, source, billing account and currency, computed
    from the typed raw rows with the provider's own semantics (x_billed_cost / x_amortized_cost of the
    staging models, docs/raw-layer.md). This path never goes through the FOCUS normalization, so comparing it
    with marts.focus_cost_and_usage checks the normalization. source_row_count counts delivered rows of the
    main raw table (GCP credits are part of their parent row).
-#}

with

aws_cur as (

    select
        billing_period_start,
        source,
        payer_account_id as billing_account_id,
        currency_code as currency,
        count(*) as source_row_count,
        cast(sum(x_billed_cost) as {{ billing.money_type() }}) as source_billed_total,
        cast(sum(x_amortized_cost) as {{ billing.money_type() }}) as source_amortized_total
    from {{ ref('stg_aws_cur__line_items') }}
    group by 1, 2, 3, 4

),

azure_cost as (

    select
        billing_period_start,
        source,
        billing_account_id,
        billing_currency as currency,
        count(*) as source_row_count,
        cast(sum(x_billed_cost) as {{ billing.money_type() }}) as source_billed_total,
        cast(sum(x_amortized_cost) as {{ billing.money_type() }}) as source_amortized_total
    from {{ ref('stg_azure_cost__cost_details') }}
    group by 1, 2, 3, 4

),

gcp_costs as (

    select * from {{ ref('stg_gcp_billing__costs') }}

),

gcp_credits as (

    select * from {{ ref('stg_gcp_billing__credits') }}

),

gcp_rows as (

    select
        billing_period_start,
        source,
        billing_account_id,
        currency,
        1 as source_row_count,
        x_billed_cost,
        x_amortized_cost
    from gcp_costs

    union all

    -- a credit is billed in its parent row's account and currency
    select
        gcp_credits.billing_period_start,
        gcp_credits.source,
        gcp_costs.billing_account_id,
        gcp_costs.currency,
        0 as source_row_count,
        gcp_credits.x_billed_cost,
        gcp_credits.x_amortized_cost
    from gcp_credits
    left join gcp_costs
        on gcp_credits.parent_charge_id = gcp_costs.charge_id

),

gcp_billing as (

    select
        billing_period_start,
        source,
        billing_account_id,
        currency,
        sum(source_row_count) as source_row_count,
        cast(sum(x_billed_cost) as {{ billing.money_type() }}) as source_billed_total,
        cast(sum(x_amortized_cost) as {{ billing.money_type() }}) as source_amortized_total
    from gcp_rows
    group by 1, 2, 3, 4

),

focus as (

    select
        billing_period_start,
        source,
        BillingAccountId as billing_account_id,
        BillingCurrency as currency,
        count(*) as source_row_count,
        cast(sum(x_billed_cost) as {{ billing.money_type() }}) as source_billed_total,
        cast(sum(x_amortized_cost) as {{ billing.money_type() }}) as source_amortized_total
    from {{ ref('stg_focus__charges') }}
    group by 1, 2, 3, 4

),

onprem as (

    select
        billing_period_start,
        source,
        datacenter_id as billing_account_id,
        currency,
        count(*) as source_row_count,
        cast(sum(x_billed_cost) as {{ billing.money_type() }}) as source_billed_total,
        cast(sum(x_amortized_cost) as {{ billing.money_type() }}) as source_amortized_total
    from {{ ref('stg_onprem__meter_readings') }}
    group by 1, 2, 3, 4

),

oci_cost as (

    select
        billing_period_start,
        source,
        billing_account_id,
        currency,
        count(*) as source_row_count,
        cast(sum(x_billed_cost) as {{ billing.money_type() }}) as source_billed_total,
        cast(sum(x_amortized_cost) as {{ billing.money_type() }}) as source_amortized_total
    from {{ ref('stg_oci_cost__cost_lines') }}
    group by 1, 2, 3, 4

),

unioned as (

    select * from aws_cur
    union all
    select * from azure_cost
    union all
    select * from gcp_billing
    union all
    select * from focus
    union all
    select * from onprem
    union all
    select * from oci_cost

),

final as (

    select
        billing_period_start,
        source,
        billing_account_id,
        currency,
        cast(source_row_count as bigint) as source_row_count,
        source_billed_total,
        source_amortized_total
    from unioned

)

select * from final
