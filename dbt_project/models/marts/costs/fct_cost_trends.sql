{#-
    Month-over-month cost of each department's IT services: one row per billing period x department x IT service
    x currency, with the previous calendar month's effective cost and the change.

      * effective_cost: the department's allocated effective cost of the service (fct_costs, department cost
        centers only; client, shared-pool, UNALLOCATED and IDLE cost is in fct_costs);
      * a department and service with cost in the previous month but none this month gets a row with
        effective_cost 0, so a cost that disappears shows as a change;
      * previous_effective_cost: the previous calendar month's cost, 0 when the department had none of that
        service then; null in a month whose previous month the warehouse does not hold (its first month, or
        after a gap): there is nothing to compare with, and has_previous_period is false;
      * change_amount = effective_cost - previous_effective_cost; change_percent = change_amount /
        |previous_effective_cost| x 100, exact, truncated toward zero to 4 decimals; null when the previous
        cost is 0 or unknown.
-#}

with

costs as (

    select * from {{ ref('fct_costs') }}
    where cost_center_owner_type = 'department'

),

warehouse_periods as (

    select distinct billing_period_start from {{ ref('fct_costs') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

monthly as (

    select
        billing_period_start,
        department_id,
        it_service_id,
        billing_currency,
        cast(sum(effective_cost) as {{ billing.money_type() }}) as effective_cost
    from costs
    group by billing_period_start, department_id, it_service_id, billing_currency

),

keys as (

    -- every month with cost, and the month after it when the warehouse holds that month
    select billing_period_start, department_id, it_service_id, billing_currency
    from monthly

    union

    select warehouse_periods.billing_period_start, monthly.department_id, monthly.it_service_id,
        monthly.billing_currency
    from monthly
    inner join warehouse_periods
        on warehouse_periods.billing_period_start = {{ billing.shift_months('monthly.billing_period_start', 1) }}

),

compared as (

    select
        keys.billing_period_start,
        keys.department_id,
        keys.it_service_id,
        keys.billing_currency,
        coalesce(current_month.effective_cost, 0) as effective_cost,
        previous_periods.billing_period_start is not null as has_previous_period,
        case
            when previous_periods.billing_period_start is not null
                then coalesce(previous_month.effective_cost, 0)
        end as previous_effective_cost
    from keys
    left join monthly as current_month
        on keys.billing_period_start = current_month.billing_period_start
        and keys.department_id = current_month.department_id
        and keys.it_service_id is not distinct from current_month.it_service_id
        and keys.billing_currency = current_month.billing_currency
    left join warehouse_periods as previous_periods
        on previous_periods.billing_period_start = {{ billing.shift_months('keys.billing_period_start', -1) }}
    left join monthly as previous_month
        on previous_month.billing_period_start = previous_periods.billing_period_start
        and keys.department_id = previous_month.department_id
        and keys.it_service_id is not distinct from previous_month.it_service_id
        and keys.billing_currency = previous_month.billing_currency

),

changes as (

    select
        compared.*,
        case
            when compared.has_previous_period
                then {{ billing.money_add(['compared.effective_cost', '-compared.previous_effective_cost']) }}
        end as change_amount
    from compared

),

final as (

    select
        changes.billing_period_start,
        changes.department_id,
        departments.department_name,
        departments.business_unit_id,
        changes.it_service_id,
        it_services.it_service_name,
        changes.billing_currency,
        cast(changes.effective_cost as {{ billing.money_type() }}) as effective_cost,
        changes.has_previous_period,
        cast(changes.previous_effective_cost as {{ billing.money_type() }}) as previous_effective_cost,
        changes.change_amount,
        {{ billing.percent_truncated('changes.change_amount', 'abs(changes.previous_effective_cost)') }}
            as change_percent
    from changes
    left join departments
        on changes.department_id = departments.department_id
    left join it_services
        on changes.it_service_id = it_services.it_service_id

)

select * from final
