{#-
    Forecast vs actual per cost center and month: one row per billing period x cost center x currency in which
    the cost center has an actual, a budget in force, a finance forecast or a statistical forecast.

      * actual_amount: effective cost the cost center received, exactly as the budgets compute cost-center spend
        (int_budget_spend_summarized: sum of fct_cost_allocations.allocated_effective_cost); 0 in a month the
        warehouse holds in which it received nothing in that currency; null in a month the warehouse does not
        hold yet (has_actual false: the month after the last one, or a later month finance forecast);
      * budget_amount: monthly_amount of the cost center's budget versions in force in the month
        (seeds/budgets.csv, valid_from <= month < valid_to) in that currency, null without one;
      * forecast_amount: finance's forecast (seeds/cost_center_forecasts.csv), the highest forecast_version of
        the cost center's month and currency; null without one;
      * statistical_forecast_amount / statistical_method: int_cost_center_forecasts_computed, from actuals of
        months strictly before the month only: `linear_trend_6m` (least-squares line through the previous up to
        6 months the warehouse holds, with 3 or more of them) or `mean_of_history` (1 or 2 of them);
      * variance_to_x = actual_amount - x (positive = spent more than x), null when either is null;
        variance_to_x_percent = variance / |x| x 100, exact, truncated toward zero to 4 decimals, null when x
        is 0 or null. Nothing is converted: each currency is its own row.
    Rows for the month after the last actual (has_actual false) carry the statistical forecast ahead.
-#}

with

spend as (

    select * from {{ ref('int_budget_spend_summarized') }}

),

budgets as (

    select * from {{ ref('stg_reference__budgets') }}
    where budget_scope = 'cost_center'

),

submitted_forecasts as (

    select * from {{ ref('stg_reference__cost_center_forecasts') }}

),

statistical as (

    select * from {{ ref('int_cost_center_forecasts_computed') }}

),

cost_centers as (

    select * from {{ ref('stg_reference__cost_centers') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

warehouse_periods as (

    select distinct billing_period_start from spend

),

actuals as (

    select
        billing_period_start,
        scope_id as cost_center_id,
        currency,
        spend as actual_amount
    from spend
    where budget_scope = 'cost_center'

),

forecasts as (

    select *
    from submitted_forecasts
    qualify row_number() over (
        partition by cost_center_id, billing_period_start, currency
        order by forecast_version desc, forecast_id desc
    ) = 1

),

periods as (

    select billing_period_start from warehouse_periods

    union

    -- the forecast ahead: the month after the last one the warehouse holds
    select {{ billing.shift_months('last_period.billing_period_start', 1) }} as billing_period_start
    from (select max(billing_period_start) as billing_period_start from warehouse_periods) as last_period
    where last_period.billing_period_start is not null

    union

    select billing_period_start from forecasts

),

budgets_in_force as (

    select
        periods.billing_period_start,
        budgets.cost_center_id,
        budgets.currency,
        cast(sum(budgets.monthly_amount) as {{ billing.money_type() }}) as budget_amount,
        {{ billing.sorted_distinct_list('budgets.budget_id') }} as budget_ids
    from periods
    inner join budgets
        on budgets.valid_from <= periods.billing_period_start
        and (budgets.valid_to is null or periods.billing_period_start < budgets.valid_to)
    group by periods.billing_period_start, budgets.cost_center_id, budgets.currency

),

keys as (

    select billing_period_start, cost_center_id, currency from actuals
    union
    select billing_period_start, cost_center_id, currency from budgets_in_force
    union
    select billing_period_start, cost_center_id, currency from forecasts
    union
    select billing_period_start, cost_center_id, currency from statistical

),

joined as (

    select
        keys.billing_period_start,
        keys.cost_center_id,
        keys.currency,
        warehouse_periods.billing_period_start is not null as has_actual,
        case
            when warehouse_periods.billing_period_start is not null then coalesce(actuals.actual_amount, 0)
        end as actual_amount,
        budgets_in_force.budget_ids,
        budgets_in_force.budget_amount,
        forecasts.forecast_id,
        forecasts.forecast_version,
        forecasts.submitted_by as forecast_submitted_by,
        forecasts.forecast_amount,
        statistical.statistical_forecast_amount,
        statistical.statistical_method,
        statistical.statistical_history_months
    from keys
    left join warehouse_periods
        on keys.billing_period_start = warehouse_periods.billing_period_start
    left join actuals
        on keys.billing_period_start = actuals.billing_period_start
        and keys.cost_center_id = actuals.cost_center_id
        and keys.currency = actuals.currency
    left join budgets_in_force
        on keys.billing_period_start = budgets_in_force.billing_period_start
        and keys.cost_center_id = budgets_in_force.cost_center_id
        and keys.currency = budgets_in_force.currency
    left join forecasts
        on keys.billing_period_start = forecasts.billing_period_start
        and keys.cost_center_id = forecasts.cost_center_id
        and keys.currency = forecasts.currency
    left join statistical
        on keys.billing_period_start = statistical.billing_period_start
        and keys.cost_center_id = statistical.cost_center_id
        and keys.currency = statistical.currency

),

variances as (

    select
        joined.*,
        {{ billing.money_add(['joined.actual_amount', '-joined.forecast_amount']) }} as variance_to_forecast,
        {{ billing.money_add(['joined.actual_amount', '-joined.statistical_forecast_amount']) }}
            as variance_to_statistical,
        {{ billing.money_add(['joined.actual_amount', '-joined.budget_amount']) }} as variance_to_budget
    from joined

),

final as (

    select
        variances.billing_period_start,
        variances.cost_center_id,
        cost_centers.cost_center_name,
        cost_centers.owner_type as cost_center_owner_type,
        cost_centers.department_id,
        departments.department_name,
        departments.business_unit_id,
        cost_centers.client_id,
        variances.currency,
        variances.has_actual,
        cast(variances.actual_amount as {{ billing.money_type() }}) as actual_amount,
        variances.budget_ids,
        variances.budget_amount,
        variances.forecast_id,
        variances.forecast_version,
        variances.forecast_submitted_by,
        variances.forecast_amount,
        variances.statistical_forecast_amount,
        variances.statistical_method,
        variances.statistical_history_months,
        variances.variance_to_forecast,
        {{ billing.percent_truncated('variances.variance_to_forecast', 'abs(variances.forecast_amount)') }}
            as variance_to_forecast_percent,
        variances.variance_to_statistical,
        {{ billing.percent_truncated(
            'variances.variance_to_statistical', 'abs(variances.statistical_forecast_amount)'
        ) }} as variance_to_statistical_percent,
        variances.variance_to_budget,
        {{ billing.percent_truncated('variances.variance_to_budget', 'abs(variances.budget_amount)') }}
            as variance_to_budget_percent
    from variances
    left join cost_centers
        on variances.cost_center_id = cost_centers.cost_center_id
    left join departments
        on cost_centers.department_id = departments.department_id

)

select * from final
