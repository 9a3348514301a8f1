{#-
    One row per budget x billing period x level: every threshold of the budget's set (alert_type
    `threshold`) and its cap when it has one (alert_type `cap`), with the amount that reaches it and whether
    the period's spend did.

    Crossing rule (decided here, tested at the exact boundary in the unit tests):
      is_crossed = spend > 0 and spend >= threshold_amount, threshold_amount = budget x percent / 100.
    Reaching a threshold crosses it: spend of exactly 80 % of the budget raises the 80 % alert. Spend that is
    zero or negative (credits exceeding charges) never crosses anything; a zero budget is crossed at every
    level by any positive spend. The comparison is between exact decimals: no percentage is divided out.
    threshold_amount is exact for amounts and percentages of up to 4 decimals each.
-#}

with

consumed as (

    select * from {{ ref('int_budgets_consumed') }}

),

thresholds as (

    select * from {{ ref('stg_reference__budget_thresholds') }}

),

levels as (

    select
        consumed.*,
        'threshold' as alert_type,
        thresholds.threshold_percent,
        thresholds.severity
    from consumed
    inner join thresholds
        on consumed.threshold_set_id = thresholds.threshold_set_id

    union all

    select
        consumed.*,
        'cap' as alert_type,
        consumed.cap_percent as threshold_percent,
        'critical' as severity
    from consumed
    where consumed.cap_percent is not null

),

amounts as (

    select
        levels.*,
        {{ billing.money_multiply(
            'levels.budget_amount',
            billing.money_multiply('levels.threshold_percent', 'cast(0.01 as decimal(18,10))')
        ) }} as threshold_amount
    from levels

),

final as (

    select
        amounts.*,
        amounts.spend > 0 and amounts.spend >= amounts.threshold_amount as is_crossed
    from amounts

)

select * from final
