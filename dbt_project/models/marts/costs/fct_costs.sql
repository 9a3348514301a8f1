{#-
    Cost transparency: effective and billed cost by every reporting dimension, one row per billing period x
    provider x FOCUS service category and name x IT service x cost center (with its department, business unit
    and client) x project x currency.

    Built from the allocated pieces of every charge (int_cost_allocations_serviced, the rows of
    marts.fct_cost_allocations with their IT service), so per period and currency effective_cost sums exactly
    to fct_cost_allocations.allocated_effective_cost, UNALLOCATED and IDLE included, and billed_cost to FOCUS
    BilledCost (assert_cost_mart_conserves_allocations). Nothing is converted or rounded.
    project_id is the charge's own project (FOCUS x_ProjectId, as the project budgets count it): cost spread
    from a shared pool carries the pool's project, not the receiving department's.
-#}

with

pieces as (

    select * from {{ ref('int_cost_allocations_serviced') }}

),

cost_centers as (

    select * from {{ ref('stg_reference__cost_centers') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

aggregated as (

    select
        billing_period_start,
        source as provider,
        service_category,
        service_name,
        it_service_id,
        cost_center_id,
        cost_center_owner_type,
        department_id,
        business_unit_id,
        project_id,
        client_id,
        billing_currency,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as effective_cost,
        cast(sum(allocated_billed_cost) as {{ billing.money_type() }}) as billed_cost,
        cast(count(distinct charge_id) as bigint) as charge_count
    from pieces
    group by
        billing_period_start,
        source,
        service_category,
        service_name,
        it_service_id,
        cost_center_id,
        cost_center_owner_type,
        department_id,
        business_unit_id,
        project_id,
        client_id,
        billing_currency

),

final as (

    select
        aggregated.billing_period_start,
        aggregated.provider,
        aggregated.service_category,
        aggregated.service_name,
        aggregated.it_service_id,
        aggregated.cost_center_id,
        cost_centers.cost_center_name,
        aggregated.cost_center_owner_type,
        aggregated.department_id,
        departments.department_name,
        aggregated.business_unit_id,
        aggregated.project_id,
        aggregated.client_id,
        aggregated.billing_currency,
        aggregated.effective_cost,
        aggregated.billed_cost,
        aggregated.charge_count,
        aggregated.cost_center_id = 'UNALLOCATED' as is_unallocated
    from aggregated
    left join cost_centers
        on aggregated.cost_center_id = cost_centers.cost_center_id
    left join departments
        on aggregated.department_id = departments.department_id

)

select * from final
