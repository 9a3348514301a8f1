{#-
    The statistical forecast of each cost center's monthly cost, per cost center x currency x target month,
    computed only from actuals of months strictly before the target month.

    Actuals: effective cost a cost center received in a month, exactly as the budgets compute cost-center spend
    (int_budget_spend_summarized, scope cost_center: sum of fct_cost_allocations.allocated_effective_cost). A
    month the warehouse holds in which the cost center received nothing in that currency counts as 0; a month
    the warehouse does not hold is no data, never 0.

    Target months: every month the warehouse holds, the month after the last one (the forecast ahead), and
    every month finance forecast (seeds/cost_center_forecasts.csv).

    History of a target month: the months the warehouse holds among the 6 calendar months before it, for a
    cost center and currency that received cost in at least one of them (otherwise there is no forecast).
    With x = the month's offset from the target month (-1 for the month before, ..., -6) and y = its actual:
      * 3 or more months: `linear_trend_6m`, the least-squares line through the (x, y) points evaluated at
        x = 0:  forecast = (sum(y) x sum(x^2) - sum(x) x sum(x y)) / (n x sum(x^2) - sum(x)^2);
      * 1 or 2 months: `mean_of_history`, sum(y) / n (a line through fewer than 3 points is noise).
    Exact on every engine: y is counted in whole units of 10^-10 and x is a small integer, so numerator and
    denominator are whole numbers; the one division is an integer division rounded half away from zero to 10
    decimals (billing.integer_divide), never a float or decimal quotient. The trend can fall below zero for a
    steeply falling cost; it is not clipped.
-#}

{%- set window_months = 6 -%}

with

spend as (

    select * from {{ ref('int_budget_spend_summarized') }}

),

finance_forecasts as (

    select * from {{ ref('stg_reference__cost_center_forecasts') }}

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

target_periods as (

    select billing_period_start from warehouse_periods

    union

    -- the forecast ahead: the month after the last one the warehouse holds
    select {{ billing.shift_months('last_period.billing_period_start', 1) }} as billing_period_start
    from (select max(billing_period_start) as billing_period_start from warehouse_periods) as last_period
    where last_period.billing_period_start is not null

    union

    select billing_period_start from finance_forecasts

),

windows as (

    select
        target_periods.billing_period_start,
        warehouse_periods.billing_period_start as history_period_start,
        cast(
            (year(warehouse_periods.billing_period_start) * 12 + month(warehouse_periods.billing_period_start))
            - (year(target_periods.billing_period_start) * 12 + month(target_periods.billing_period_start))
            as integer
        ) as x
    from target_periods
    inner join warehouse_periods
        on warehouse_periods.billing_period_start < target_periods.billing_period_start
        and warehouse_periods.billing_period_start
            >= {{ billing.shift_months('target_periods.billing_period_start', -window_months) }}

),

series as (

    select distinct
        windows.billing_period_start,
        actuals.cost_center_id,
        actuals.currency
    from windows
    inner join actuals
        on windows.history_period_start = actuals.billing_period_start

),

points as (

    select
        series.billing_period_start,
        series.cost_center_id,
        series.currency,
        windows.x,
        {{ billing.to_units('coalesce(actuals.actual_amount, 0)') }} as y_units
    from series
    inner join windows
        on series.billing_period_start = windows.billing_period_start
    left join actuals
        on windows.history_period_start = actuals.billing_period_start
        and series.cost_center_id = actuals.cost_center_id
        and series.currency = actuals.currency

),

sums as (

    select
        billing_period_start,
        cost_center_id,
        currency,
        cast(count(*) as integer) as n,
        cast(sum(x) as integer) as sum_x,
        cast(sum(x * x) as integer) as sum_xx,
        cast(sum(y_units) as decimal(38,0)) as sum_y,
        cast(sum(cast(y_units as decimal(30,0)) * cast(x as decimal(3,0))) as decimal(38,0)) as sum_xy
    from points
    group by billing_period_start, cost_center_id, currency

),

fractions as (

    select
        billing_period_start,
        cost_center_id,
        currency,
        n,
        case when n >= 3 then 'linear_trend_6m' else 'mean_of_history' end as statistical_method,
        case
            when n >= 3 then cast(
                cast(sum_y as decimal(30,0)) * cast(sum_xx as decimal(6,0))
                - cast(sum_xy as decimal(32,0)) * cast(sum_x as decimal(4,0))
                as decimal(38,0)
            )
            else sum_y
        end as numerator_units,
        case
            when n >= 3 then cast(n * sum_xx - sum_x * sum_x as decimal(38,0))
            else cast(n as decimal(38,0))
        end as denominator
    from sums

),

final as (

    select
        billing_period_start,
        cost_center_id,
        currency,
        statistical_method,
        n as statistical_history_months,
        {{ billing.from_units(
            '(case when numerator_units < 0 then -1 else 1 end) * '
            ~ billing.integer_divide(
                'cast(abs(numerator_units) as decimal(37,0)) * cast(2 as decimal(1,0)) + denominator',
                'denominator * cast(2 as decimal(1,0))'
            )
        ) }} as statistical_forecast_amount
    from fractions

)

select * from final
