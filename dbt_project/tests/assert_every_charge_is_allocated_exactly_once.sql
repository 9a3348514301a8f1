-- Business rule (DESIGN.md §4): every normalized charge is allocated exactly once — it has allocation rows
-- whose share_ratio sums to exactly 1 (one row with share 1 for a direct rule, UNALLOCATED included) — and no
-- allocation row points at a charge that does not exist. Returns the offending charge ids.
-- depends_on: {{ ref('fct_reconciliation') }}
-- (the hint above only orders this test after the reconciliation mart, so that a failure here never leaves
-- that mart stale: dbt build skips the children of a failing test's parents)
-- In a close on DuckDB, checked for the period being closed (macros/incremental_by_period.sql).

with

charges as (

    select x_ChargeId as charge_id
    from {{ ref('focus_cost_and_usage') }}
    where {{ billing.in_tested_period('x_BillingPeriodStartDate') }}

),

allocations as (

    select
        charge_id,
        count(*) as allocation_rows,
        cast(sum(share_ratio) as {{ billing.money_type() }}) as total_share
    from {{ ref('fct_cost_allocations') }}
    where {{ billing.in_tested_period('billing_period_start') }}
    group by charge_id

),

compared as (

    select
        coalesce(charges.charge_id, allocations.charge_id) as charge_id,
        charges.charge_id is not null as charge_exists,
        coalesce(allocations.allocation_rows, 0) as allocation_rows,
        coalesce(allocations.total_share, 0) as total_share
    from charges
    full outer join allocations
        on charges.charge_id = allocations.charge_id

)

select * from compared
where not charge_exists
    or allocation_rows = 0
    or total_share <> 1
