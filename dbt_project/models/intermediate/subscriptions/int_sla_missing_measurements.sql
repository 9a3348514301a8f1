{#-
    What should have been measured and was not: a client's IT service with subscription lines in a month
    (int_subscription_lines_priced) under a contract version that sets an SLA target for it, and no
    measurement of that client, service and month in the SLA metrics extract. Such a month earns no credit;
    this list is for operations to chase the monitoring system. extract_delivered tells a row missing from a
    delivered extract (some measurement of that month exists) from a month whose extract has not arrived.
-#}

with

subscription_lines as (

    select * from {{ ref('int_subscription_lines_priced') }}

),

targets as (

    select * from {{ ref('stg_reference__contract_sla_targets') }}

),

measurements as (

    select * from {{ ref('stg_sla__availability') }}

),

expected as (

    select
        subscription_lines.client_id,
        subscription_lines.billing_period_start,
        subscription_lines.contract_id,
        subscription_lines.contract_version,
        targets.sla_id,
        subscription_lines.service_id,
        targets.target_percent,
        subscription_lines.price_currency,
        cast(sum(subscription_lines.unrounded_amount) as {{ billing.money_type() }}) as subscription_amount
    from subscription_lines
    inner join targets
        on subscription_lines.contract_id = targets.contract_id
        and subscription_lines.contract_version = targets.contract_version
        and subscription_lines.service_id = targets.service_id
    group by
        subscription_lines.client_id,
        subscription_lines.billing_period_start,
        subscription_lines.contract_id,
        subscription_lines.contract_version,
        targets.sla_id,
        subscription_lines.service_id,
        targets.target_percent,
        subscription_lines.price_currency

),

delivered_months as (

    select distinct period_start
    from measurements

),

final as (

    select
        expected.*,
        delivered_months.period_start is not null as extract_delivered
    from expected
    left join delivered_months
        on expected.billing_period_start = delivered_months.period_start
    left join measurements
        on expected.client_id = measurements.client_id
        and expected.service_id = measurements.service_id
        and expected.billing_period_start = measurements.period_start
    where measurements.measurement_id is null

)

select * from final
