{#-
    What an operations tool consumes: one row per project x billing period whose spend reached the cap of
    its budget (cap alerts of project budgets). The row stands while the period's spend stays at or above the
    cap: a restatement that brings it under removes the row (the tool treats a vanished
    throttle_request_id as a release); raising the budget in seeds/budgets.csv does the same at the next
    close.

    requested_at is derived from the data, so rebuilding the mart gives the same value: the end of the
    charge period (ChargePeriodEnd) at which the project's effective cost for the period, accumulated in
    charge-period order, first reached the cap — when the request would have been raised had spend been
    tracked as it happened. When the request was first published (sent to the webhook) is in
    audit.budget_alert_deliveries.
-#}

with

caps as (

    select * from {{ ref('fct_budget_alerts') }}
    where alert_type = 'cap' and budget_scope = 'project'

),

-- the charges as their periods' closes wrote them (a table: not every month's raw rows expanded again)
charges as (

    select * from {{ ref('focus_cost_and_usage') }}

),

projects as (

    select * from {{ ref('stg_reference__projects') }}

),

-- the capped projects' charges in the budget's currency, summed per charge-period end
project_charges as (

    select
        caps.budget_id,
        caps.billing_period_start,
        coalesce(charges.ChargePeriodEnd, charges.BillingPeriodEnd) as charge_period_end,
        cast(sum(cast(charges.EffectiveCost as {{ billing.money_type() }})) as {{ billing.money_type() }})
            as spend
    from caps
    inner join charges
        on charges.x_BillingPeriodStartDate = caps.billing_period_start
        and charges.x_ProjectId = caps.project_id
        and charges.BillingCurrency = caps.currency
    group by caps.budget_id, caps.billing_period_start, coalesce(charges.ChargePeriodEnd, charges.BillingPeriodEnd)

),

accumulated as (

    select
        project_charges.*,
        cast(
            sum(project_charges.spend) over (
                partition by project_charges.budget_id, project_charges.billing_period_start
                order by project_charges.charge_period_end asc nulls last
                rows between unbounded preceding and current row
            )
            as {{ billing.money_type() }}
        ) as cumulative_spend
    from project_charges

),

first_reached as (

    select
        caps.budget_id,
        caps.billing_period_start,
        min(accumulated.charge_period_end) as requested_at
    from caps
    inner join accumulated
        on caps.budget_id = accumulated.budget_id
        and caps.billing_period_start = accumulated.billing_period_start
        and accumulated.cumulative_spend >= caps.threshold_amount
    group by caps.budget_id, caps.billing_period_start

),

final as (

    select
        caps.budget_id || ':' || cast(caps.billing_period_start as {{ dbt.type_string() }}) as throttle_request_id,
        caps.project_id,
        projects.project_name,
        caps.cost_center_id,
        caps.billing_period_start,
        caps.budget_id,
        caps.currency,
        caps.spend,
        caps.budget_amount,
        caps.threshold_percent as cap_percent,
        caps.threshold_amount as cap_amount,
        caps.percent_consumed,
        'budget_cap_reached' as reason_code,
        'project ' || caps.project_id || ' spent '
        || case
            when caps.percent_consumed is null
                then caps.currency || ' ' || {{ billing.decimal_text('caps.spend') }} || ' against its zero'
            else {{ billing.decimal_text('caps.percent_consumed') }} || '% of its ' || caps.currency || ' '
                || {{ billing.decimal_text('caps.budget_amount') }}
        end
        || ' monthly budget ' || caps.budget_id || ' in '
        || substr(cast(caps.billing_period_start as {{ dbt.type_string() }}), 1, 7)
        || ', at or above its ' || {{ billing.decimal_text('caps.threshold_percent') }} || '% cap' as reason,
        cast(first_reached.requested_at as timestamp) as requested_at,
        caps.alert_id
    from caps
    left join first_reached
        on caps.budget_id = first_reached.budget_id
        and caps.billing_period_start = first_reached.billing_period_start
    left join projects
        on caps.project_id = projects.project_id

)

select * from final
