{#-
    Restatement report: for every period already closed, each cost center and currency whose allocated cost
    today differs from what the period's first green close froze (audit.closed_allocations). A back-dated
    allocation rule, a new mapping or a restated delivery therefore never rewrites a closed month silently:
    the closed totals stay as they were, and the difference is listed here for finance to review (and, for a
    client, to settle by credit or debit note). A period closed again with nothing changed has no rows.
    A period whose raw usage retention archived and purged (audit.retention_actions) is not compared: its
    allocations can no longer be recomputed, and their absence is not a restatement.
-#}

with

closed as (

    select * from {{ ref('stg_audit__closed_allocations') }}

),

closed_periods as (

    select
        billing_period_start,
        min(closed_at) as closed_at,
        min(closed_by) as closed_by
    from closed
    where billing_period_start not in (
        select billing_period_start from {{ ref('stg_audit__retention_actions') }}
    )
    group by billing_period_start

),

current_totals as (

    select
        allocations.billing_period_start,
        allocations.cost_center_id,
        allocations.billing_currency,
        cast(sum(allocations.allocated_effective_cost) as {{ billing.money_type() }}) as allocated_effective_cost,
        cast(sum(allocations.allocated_billed_cost) as {{ billing.money_type() }}) as allocated_billed_cost
    from {{ ref('fct_cost_allocations') }} as allocations
    inner join closed_periods
        on allocations.billing_period_start = closed_periods.billing_period_start
    group by allocations.billing_period_start, allocations.cost_center_id, allocations.billing_currency

),

compared as (

    select
        coalesce(current_totals.billing_period_start, closed.billing_period_start) as billing_period_start,
        coalesce(current_totals.cost_center_id, closed.cost_center_id) as cost_center_id,
        coalesce(current_totals.billing_currency, closed.billing_currency) as billing_currency,
        cast(coalesce(closed.allocated_effective_cost, 0) as {{ billing.money_type() }}) as closed_effective_cost,
        cast(coalesce(current_totals.allocated_effective_cost, 0) as {{ billing.money_type() }})
            as restated_effective_cost,
        cast(coalesce(closed.allocated_billed_cost, 0) as {{ billing.money_type() }}) as closed_billed_cost,
        cast(coalesce(current_totals.allocated_billed_cost, 0) as {{ billing.money_type() }})
            as restated_billed_cost
    from current_totals
    full outer join closed
        on current_totals.billing_period_start = closed.billing_period_start
        and current_totals.cost_center_id = closed.cost_center_id
        and current_totals.billing_currency = closed.billing_currency

),

final as (

    select
        compared.billing_period_start,
        compared.cost_center_id,
        cost_centers.owner_type as cost_center_owner_type,
        cost_centers.department_id,
        cost_centers.client_id,
        compared.billing_currency,
        compared.closed_effective_cost,
        compared.restated_effective_cost,
        {{ billing.money_add(['compared.restated_effective_cost', '-compared.closed_effective_cost']) }}
            as effective_cost_difference,
        compared.closed_billed_cost,
        compared.restated_billed_cost,
        {{ billing.money_add(['compared.restated_billed_cost', '-compared.closed_billed_cost']) }}
            as billed_cost_difference,
        closed_periods.closed_at,
        closed_periods.closed_by
    from compared
    inner join closed_periods
        on compared.billing_period_start = closed_periods.billing_period_start
    left join {{ ref('stg_reference__cost_centers') }} as cost_centers
        on compared.cost_center_id = cost_centers.cost_center_id
    where compared.closed_effective_cost <> compared.restated_effective_cost
        or compared.closed_billed_cost <> compared.restated_billed_cost

)

select * from final
