{#- Incremental by billing period (macros/incremental_by_period.sql): a close writes its own period's allocations. -#}
{{ config(billing.incremental_by_period('billing_period_start')) }}

with

allocations as (

    select * from {{ ref('int_charges_allocated') }}
    where {{ billing.in_closing_period('billing_period_start') }}

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
{{ billing.periods_in_order('billing_period_start') }}
