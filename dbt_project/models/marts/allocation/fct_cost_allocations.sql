{#-
    The allocation pieces as the mart shows them: a projection of intermediate.int_charges_allocated, which is written
    once, incrementally by billing period. On DuckDB a view over it, so a close does not write every piece twice (a
    ten-million-line month: ~50 s); on Spark a table, because a Spark close exposes to the DuckDB warehouse only the
    tables it wrote (orchestration/engines/spark.py). Its tests check the closing period only when every other was
    tested (macros/incremental_by_period.sql).
-#}
{{ config(materialized=('table' if target.type == 'spark' else 'view'), period_column='billing_period_start') }}

with

allocations as (

    select * from {{ ref('int_charges_allocated') }}

),

final as (

    select
        billing_period_start,
        allocation_id,
        charge_id,
        source,
        billing_account_id,
        sub_account_id,
        service_name,
        service_category,
        cost_center_id,
        department_id,
        business_unit_id,
        client_id,
        allocated_effective_cost,
        allocated_billed_cost,
        billing_currency,
        allocation_rule_id,
        allocation_rule_version,
        allocation_method,
        allocation_step,
        is_fallback,
        driver_type,
        driver_quantity,
        share_ratio,
        step_share_ratio,
        origin_cost_center_id,
        direct_rule_id,
        allocation_path
    from allocations

)

select * from final
