{#-
    SLA service credits in the priced-line shape (line_type and pricing_model 'sla_credit'), one line per
    measurement that earns a credit (int_sla_measurements: below the target and under a band):
      * credit = - credit_percent x the month's subscription amount of that service for that client: the
        unrounded sum of its int_subscription_lines_priced lines, multiplied exactly (percent in millionths,
        integer division, half away from zero at 10 decimals: macros/proration.sql);
      * no subscription line for the service in the month: nothing to credit, no line; no measurement: no
        credit (int_sla_missing_measurements lists what should have been measured);
      * quantity 1 (C62) at unit_price = the credit; price_id = the SLA target; tax category: the credited
        subscription lines' if they share one, else the contract header's; line_sort 7 (after the fees).
-#}

with

measurements as (

    select * from {{ ref('int_sla_measurements') }}
    where credit_percent is not null

),

subscription_lines as (

    select * from {{ ref('int_subscription_lines_priced') }}

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

service_amounts as (

    select
        client_id,
        billing_period_start,
        service_id,
        contract_id,
        contract_version,
        price_currency,
        cast(sum(unrounded_amount) as {{ billing.money_type() }}) as subscription_amount,
        cast(sum(source_row_count) as bigint) as change_rows,
        min(tax_category) as min_tax_category,
        max(tax_category) as max_tax_category
    from subscription_lines
    group by
        client_id,
        billing_period_start,
        service_id,
        contract_id,
        contract_version,
        price_currency

),

credited as (

    select
        measurements.*,
        service_amounts.price_currency,
        service_amounts.subscription_amount,
        service_amounts.change_rows,
        case
            when service_amounts.min_tax_category = service_amounts.max_tax_category
                then service_amounts.min_tax_category
            else contracts.tax_category
        end as tax_category,
        coalesce(it_services.it_service_name, measurements.service_id) as service_name,
        -- unary minus keeps decimal(38,10); -1 x decimal(38,10) would be decimal(38,6) on Spark (trap 4)
        cast(
            -({{ billing.prorate(
                'service_amounts.subscription_amount',
                billing.weight_units('measurements.credit_percent'),
                '100000000'
            ) }})
            as {{ billing.money_type() }}
        ) as credit_amount
    from measurements
    inner join service_amounts
        on measurements.client_id = service_amounts.client_id
        and measurements.billing_period_start = service_amounts.billing_period_start
        and measurements.service_id = service_amounts.service_id
        and measurements.contract_id = service_amounts.contract_id
        and measurements.contract_version = service_amounts.contract_version
    left join contracts
        on measurements.contract_id = contracts.contract_id
        and measurements.contract_version = contracts.contract_version
    left join it_services
        on measurements.service_id = it_services.it_service_id

),

final as (

    select
        client_id,
        contract_id,
        cast(contract_version as integer) as contract_version,
        billing_period_start,
        cast('sla_credit' as {{ dbt.type_string() }}) as line_type,
        cast('sla_credit' as {{ dbt.type_string() }}) as pricing_model,
        sla_id as price_id,
        service_id,
        cast(null as {{ dbt.type_string() }}) as sku_id,
        'SLA credit ' || {{ billing.decimal_text('credit_percent') }} || ' %: ' || service_name
            || ' availability ' || cast(availability_percent as {{ dbt.type_string() }}) || ' % below the '
            || {{ billing.decimal_text('target_percent') }} || ' % target (measurement ' || measurement_id || ')'
            as description,
        cast(1 as {{ billing.money_type() }}) as quantity,
        cast('C62' as {{ dbt.type_string() }}) as unit,
        credit_amount as unit_price,
        price_currency,
        credit_amount as unrounded_amount,
        period_start as service_period_start,
        period_end as service_period_end,
        'measurement ' || measurement_id || ': availability '
            || cast(availability_percent as {{ dbt.type_string() }}) || ' % ('
            || cast(minutes_available as {{ dbt.type_string() }}) || ' of '
            || cast(minutes_total as {{ dbt.type_string() }}) || ' minutes), target '
            || {{ billing.decimal_text('target_percent') }} || ' %, band ' || band_id || ' (below '
            || {{ billing.decimal_text('band_below_percent') }} || ' %: '
            || {{ billing.decimal_text('credit_percent') }} || ' % of '
            || regexp_replace(cast(subscription_amount as {{ dbt.type_string() }}), '[.]?0+$', '')
            || ' ' || price_currency || ')'
            as reference,
        tax_category,
        cast(7 as integer) as line_sort,
        cast(1 + change_rows as bigint) as source_row_count
    from credited

)

select * from final
