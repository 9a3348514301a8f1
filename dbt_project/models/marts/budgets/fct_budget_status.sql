{#-
    Budget consumption, one row per budget x billing period in force: spend in the budget's currency
    against the monthly amount, the thresholds reached, and whether the cap requests throttling.
    The rules live in int_budgets_consumed (spend, currency check, percentage) and
    int_budget_thresholds_evaluated (crossing); this mart adds the organisation and the summary per budget.
-#}

with

consumed as (

    select * from {{ ref('int_budgets_consumed') }}

),

evaluated as (

    select * from {{ ref('int_budget_thresholds_evaluated') }}

),

projects as (

    select * from {{ ref('stg_reference__projects') }}

),

cost_centers as (

    select * from {{ ref('stg_reference__cost_centers') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

levels as (

    select
        budget_id,
        budget_valid_from,
        billing_period_start,
        count(case when alert_type = 'threshold' and is_crossed then 1 end) as thresholds_crossed,
        max(case when alert_type = 'threshold' and is_crossed then threshold_percent end)
            as highest_threshold_crossed,
        max(case when alert_type = 'cap' then threshold_amount end) as cap_amount,
        max(case when alert_type = 'cap' and is_crossed then 1 else 0 end) as cap_crossed
    from evaluated
    group by budget_id, budget_valid_from, billing_period_start

),

final as (

    select
        consumed.budget_id,
        consumed.budget_valid_from,
        consumed.budget_name,
        consumed.budget_scope,
        coalesce(consumed.cost_center_id, projects.cost_center_id) as cost_center_id,
        consumed.project_id,
        cost_centers.department_id,
        departments.business_unit_id,
        consumed.owner_email,
        consumed.billing_period_start,
        consumed.currency,
        consumed.budget_amount,
        consumed.spend,
        {{ billing.money_add(['consumed.budget_amount', '-consumed.spend']) }} as remaining_amount,
        consumed.percent_consumed,
        consumed.threshold_set_id,
        cast(coalesce(levels.thresholds_crossed, 0) as bigint) as thresholds_crossed,
        cast(levels.highest_threshold_crossed as {{ billing.money_type() }}) as highest_threshold_crossed,
        consumed.cap_percent,
        cast(levels.cap_amount as {{ billing.money_type() }}) as cap_amount,
        coalesce(levels.cap_crossed, 0) = 1 as throttle_requested,
        consumed.currency_check,
        consumed.other_currencies
    from consumed
    left join levels
        on consumed.budget_id = levels.budget_id
        and consumed.budget_valid_from = levels.budget_valid_from
        and consumed.billing_period_start = levels.billing_period_start
    left join projects
        on consumed.project_id = projects.project_id
    left join cost_centers
        on coalesce(consumed.cost_center_id, projects.cost_center_id) = cost_centers.cost_center_id
    left join departments
        on cost_centers.department_id = departments.department_id

)

select * from final
