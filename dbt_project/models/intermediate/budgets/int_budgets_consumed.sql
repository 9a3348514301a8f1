{#-
    One row per budget x billing period it is in force: the budget version's monthly amount against the
    scope's spend in the budget's currency.
      * Periods are the billing periods the warehouse holds (any charge); a version is in force when
        valid_from <= billing_period_start < valid_to.
      * Only spend in the budget's currency counts. Spend in any other currency is never converted (no FX
        rate, never 1:1): its currencies are listed in other_currencies and currency_check says
        `spend_in_other_currency`, so the budget is visibly incomplete rather than silently low.
      * percent_consumed = spend / amount x 100, exact, truncated toward zero to 4 decimals (null for a zero
        budget, where any positive spend is over budget).
-#}

with

budgets as (

    select * from {{ ref('stg_reference__budgets') }}

),

spend as (

    select * from {{ ref('int_budget_spend_summarized') }}

),

periods as (

    select distinct billing_period_start from spend

),

budget_periods as (

    select
        budgets.*,
        coalesce(budgets.cost_center_id, budgets.project_id) as scope_id,
        periods.billing_period_start
    from budgets
    inner join periods
        on budgets.valid_from <= periods.billing_period_start
        and (budgets.valid_to is null or periods.billing_period_start < budgets.valid_to)

),

consumed as (

    select
        budget_periods.budget_id,
        budget_periods.valid_from,
        budget_periods.billing_period_start,
        cast(
            coalesce(
                sum(case when spend.currency = budget_periods.currency then spend.spend end),
                0
            )
            as {{ billing.money_type() }}
        ) as spend,
        {{ billing.sorted_distinct_list(
            'case when spend.currency <> budget_periods.currency and spend.spend <> 0 then spend.currency end'
        ) }} as other_currencies
    from budget_periods
    left join spend
        on budget_periods.billing_period_start = spend.billing_period_start
        and budget_periods.budget_scope = spend.budget_scope
        and budget_periods.scope_id = spend.scope_id
    group by budget_periods.budget_id, budget_periods.valid_from, budget_periods.billing_period_start

),

final as (

    select
        budget_periods.budget_id,
        budget_periods.valid_from as budget_valid_from,
        budget_periods.budget_name,
        budget_periods.budget_scope,
        budget_periods.cost_center_id,
        budget_periods.project_id,
        budget_periods.owner_email,
        budget_periods.billing_period_start,
        budget_periods.currency,
        budget_periods.monthly_amount as budget_amount,
        consumed.spend,
        {{ billing.percent_truncated('consumed.spend', 'budget_periods.monthly_amount') }} as percent_consumed,
        budget_periods.threshold_set_id,
        budget_periods.cap_percent,
        consumed.other_currencies,
        case
            when consumed.other_currencies is null then 'ok'
            else 'spend_in_other_currency'
        end as currency_check
    from budget_periods
    inner join consumed
        on budget_periods.budget_id = consumed.budget_id
        and budget_periods.valid_from = consumed.valid_from
        and budget_periods.billing_period_start = consumed.billing_period_start

)

select * from final
