{#-
    Business rule: the budget seeds describe one unambiguous monthly budget per budget and billing period.
      * monthly_amount is zero or positive (a zero budget means no spend is expected);
      * valid_from and valid_to are first days of a month, and valid_to (exclusive) is after valid_from;
      * the versions of one budget never overlap and all cover the same cost center or project (alerts and
        throttle requests name the budget, whichever version is in force);
      * cap_percent, when given, is positive and only on project budgets (an operations tool throttles a
        project; a cost center is not a unit it can throttle);
      * threshold percentages are positive.
    Returns one row per violation with the problem named.
-#}

with

budgets as (

    select * from {{ ref('stg_reference__budgets') }}

),

thresholds as (

    select * from {{ ref('stg_reference__budget_thresholds') }}

),

row_problems as (

    select budget_id, valid_from, 'monthly_amount is negative' as problem
    from budgets
    where monthly_amount < 0

    union all

    select budget_id, valid_from, 'valid_from or valid_to is not the first day of a month' as problem
    from budgets
    where valid_from <> cast({{ dbt.date_trunc('month', 'valid_from') }} as date)
        or valid_to <> cast({{ dbt.date_trunc('month', 'valid_to') }} as date)

    union all

    select budget_id, valid_from, 'valid_to is not after valid_from' as problem
    from budgets
    where valid_to <= valid_from

    union all

    select budget_id, valid_from, 'cap_percent is not positive' as problem
    from budgets
    where cap_percent <= 0

    union all

    select budget_id, valid_from, 'cap_percent on a cost_center budget (caps throttle projects)' as problem
    from budgets
    where cap_percent is not null and budget_scope = 'cost_center'

),

overlapping_versions as (

    select later.budget_id, later.valid_from, 'overlaps an earlier version of the same budget' as problem
    from budgets as earlier
    inner join budgets as later
        on earlier.budget_id = later.budget_id
        and earlier.valid_from < later.valid_from
        and (earlier.valid_to is null or earlier.valid_to > later.valid_from)

),

inconsistent_versions as (

    select later.budget_id, later.valid_from, 'covers another scope than an earlier version' as problem
    from budgets as earlier
    inner join budgets as later
        on earlier.budget_id = later.budget_id
        and earlier.valid_from < later.valid_from
    where coalesce(earlier.cost_center_id, '') <> coalesce(later.cost_center_id, '')
        or coalesce(earlier.project_id, '') <> coalesce(later.project_id, '')

),

threshold_problems as (

    select threshold_set_id as budget_id, cast(null as date) as valid_from, 'threshold_percent is not positive' as problem
    from thresholds
    where threshold_percent <= 0

),

final as (

    select * from row_problems
    union all
    select * from overlapping_versions
    union all
    select * from inconsistent_versions
    union all
    select * from threshold_problems

)

select * from final
