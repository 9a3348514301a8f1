{#-
    One row per budget x billing period x level crossed (each threshold reached, and the cap). alert_id is
    stable: `<budget_id>:<billing_period_start>:<alert_type>:<percent>`, e.g.
    `BUD-CC-1310:2026-10-01:threshold:120`; it does not depend on the spend, so a re-close or a restatement
    that leaves a level crossed keeps the alert's id, and delivery (audit.budget_alert_deliveries) sends each
    id once.
-#}

with

evaluated as (

    select * from {{ ref('int_budget_thresholds_evaluated') }}
    where is_crossed

),

status as (

    select * from {{ ref('fct_budget_status') }}

),

final as (

    select
        evaluated.budget_id
        || ':' || cast(evaluated.billing_period_start as {{ dbt.type_string() }})
        || ':' || evaluated.alert_type
        || ':' || {{ billing.decimal_text('evaluated.threshold_percent') }} as alert_id,
        evaluated.budget_id,
        evaluated.budget_valid_from,
        evaluated.budget_name,
        evaluated.budget_scope,
        status.cost_center_id,
        evaluated.project_id,
        evaluated.owner_email,
        evaluated.billing_period_start,
        evaluated.alert_type,
        evaluated.threshold_percent,
        evaluated.severity,
        evaluated.currency,
        evaluated.budget_amount,
        evaluated.threshold_amount,
        evaluated.spend,
        evaluated.percent_consumed,
        evaluated.alert_type = 'cap' as throttle_requested,
        evaluated.currency_check,
        evaluated.other_currencies
    from evaluated
    inner join status
        on evaluated.budget_id = status.budget_id
        and evaluated.budget_valid_from = status.budget_valid_from
        and evaluated.billing_period_start = status.billing_period_start

)

select * from final
