{#-
    seeds/cost_center_forecasts.csv typed: finance's monthly forecast per cost center, billing period and
    currency, one row per submitted version. The latest version of a cost center's month and currency is the
    forecast in force (int_cost_center_forecasts_in_force picks it).
-#}

with

source as (

    select * from {{ ref('cost_center_forecasts') }}

),

final as (

    select
        {{ billing.clean_string('forecast_id') }} as forecast_id,
        {{ billing.clean_string('cost_center_id') }} as cost_center_id,
        cast(billing_period_start as date) as billing_period_start,
        {{ billing.clean_string('currency') }} as currency,
        cast(forecast_amount as {{ billing.money_type() }}) as forecast_amount,
        cast(forecast_version as integer) as forecast_version,
        {{ billing.clean_string('submitted_by') }} as submitted_by
    from source

)

select * from final
