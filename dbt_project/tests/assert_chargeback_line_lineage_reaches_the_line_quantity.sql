-- Business rule (issue 7, cost transparency): the drill-down of a chargeback line reaches what the line charges.
--   cost_recovery and unpriced lines: quantity = the allocated cost, so Σ piece_quantity of the usage pieces
--                                     (their cost) = the line quantity;
--   unit_price lines:                 quantity = the cost center's driver quantity, so Σ piece_quantity of the
--                                     driver pieces = the line quantity;
--   every line:                       Σ piece_cost of the usage pieces = the line's allocated_cost.
-- Returns the offending lines.
-- In a close on DuckDB, checked for the period being closed (macros/incremental_by_period.sql).

{% set money = billing.money_type() %}

with

lines as (

    select * from {{ ref('fct_chargeback_lines') }}
    where {{ billing.in_tested_period('billing_period_start') }}

),

lineage as (

    select * from {{ ref('fct_chargeback_line_lineage') }}
    where {{ billing.in_tested_period('billing_period_start') }}

),

totals as (

    select
        billing_period_start, department_id, cost_center_id, service_id, sku_id, resource_id, billing_currency, mode,
        cast(sum(case when piece_type = 'usage' then piece_cost else 0 end) as {{ money }}) as usage_cost,
        cast(sum(case when piece_type = 'usage' then coalesce(piece_quantity, 0) else 0 end) as {{ money }})
            as usage_quantity,
        cast(sum(case when piece_type = 'driver' then piece_quantity else 0 end) as {{ money }}) as driver_quantity
    from lineage
    group by
        billing_period_start, department_id, cost_center_id, service_id, sku_id, resource_id, billing_currency, mode

),

checked as (

    select
        lines.billing_period_start,
        lines.department_id,
        lines.cost_center_id,
        lines.service_id,
        lines.rate_item,
        lines.quantity,
        lines.allocated_cost,
        totals.usage_cost,
        totals.usage_quantity,
        totals.driver_quantity
    from lines
    left join totals
        on lines.billing_period_start = totals.billing_period_start
        and lines.department_id = totals.department_id
        and lines.cost_center_id = totals.cost_center_id
        and lines.service_id = totals.service_id
        and coalesce(lines.sku_id, '') = coalesce(totals.sku_id, '')
        and coalesce(lines.resource_id, '') = coalesce(totals.resource_id, '')
        and lines.billing_currency = totals.billing_currency
        and lines.mode = totals.mode

)

select * from checked
where coalesce(usage_cost, 0) <> allocated_cost
    or (rate_item = 'unit_price' and coalesce(driver_quantity, 0) <> quantity)
    or (rate_item <> 'unit_price' and coalesce(usage_quantity, 0) <> quantity)
