{#-
    Cost transparency: effective and billed cost by every reporting dimension, one row per billing period x
    provider x FOCUS service category and name x IT service x cost center (with its department, business unit
    and client) x project x currency.

    Built from the allocated pieces of every charge (int_cost_allocations_serviced, the rows of
    marts.fct_cost_allocations with their IT service) as int_costs_summarized sums them, incrementally by billing
    period; the names are joined here, as they are now. So per period and currency effective_cost sums exactly
    to fct_cost_allocations.allocated_effective_cost, UNALLOCATED and IDLE included, and billed_cost to FOCUS
    BilledCost (assert_cost_mart_conserves_allocations). Nothing is converted or rounded.
    project_id is the charge's own project (FOCUS x_ProjectId, as the project budgets count it): cost spread
    from a shared pool carries the pool's project, not the receiving department's.
    On DuckDB a view over the written sums (as fct_cost_allocations is over its pieces); on Spark a table, as a Spark
    close exposes to the DuckDB warehouse only the tables it wrote.
-#}
{{ config(materialized=('table' if target.type == 'spark' else 'view')) }}

with

summarized as (

    select * from {{ ref('int_costs_summarized') }}

),

cost_centers as (

    select * from {{ ref('stg_reference__cost_centers') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

final as (

    select
        summarized.billing_period_start,
        summarized.provider,
        summarized.service_category,
        summarized.service_name,
        summarized.it_service_id,
        summarized.cost_center_id,
        cost_centers.cost_center_name,
        summarized.cost_center_owner_type,
        summarized.department_id,
        departments.department_name,
        summarized.business_unit_id,
        summarized.project_id,
        summarized.client_id,
        summarized.billing_currency,
        summarized.effective_cost,
        summarized.billed_cost,
        summarized.charge_count,
        summarized.cost_center_id = 'UNALLOCATED' as is_unallocated
    from summarized
    left join cost_centers
        on summarized.cost_center_id = cost_centers.cost_center_id
    left join departments
        on summarized.department_id = departments.department_id

)

select * from final
