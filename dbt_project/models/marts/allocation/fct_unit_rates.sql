{#-
    Unit rates of the shared services that are allocated by an activity driver: what one unit of the driver
    cost in the period (e.g. USD per vCPU-hour of the container platform, per GB-month of backup storage, per
    person for identity and access).

    Assumptions (an auditor can check each against the columns):
      * pool_cost is everything the rule spread in the period and currency: the pool's own direct charges plus
        what earlier cascade steps sent it (the rows of marts.fct_cost_allocations whose path passes through
        the pool and goes on), credits included;
      * used_quantity is the sum of the targets' driver quantities; capacity_quantity is the rule's declared
        capacity (null without one), of which idle_quantity went to IDLE;
      * rate_per_used_unit = pool_cost / used_quantity is the full-recovery rate (idle cost spread over what was
        used); rate_per_capacity_unit = pool_cost / capacity_quantity is the rate at full utilisation (idle cost
        left with IDLE), the basis for rate cards;
      * rates are truncated toward zero at 10 decimal places (macros/exact_split.sql unit_rate) and are null for
        a volume below one unit or a period in which the rule fell back to its fallback method (no driver
        activity, so no rate). The driver volume is the period's whole volume: a pool with cost in two
        currencies has a rate per currency over the same volume. Rates describe cost; nothing charges by them.
-#}

with

shares as (

    select * from {{ ref('int_allocation_shares') }}
    where applied_method = 'driver'

),

allocations as (

    select * from {{ ref('fct_cost_allocations') }}

),

cost_centers as (

    select * from {{ ref('stg_reference__cost_centers') }}

),

rules as (

    select * from {{ ref('stg_reference__allocation_rules') }}

),

volumes as (

    select
        shares.billing_period_start,
        shares.billing_currency,
        shares.rule_id,
        shares.rule_version,
        shares.pool_cost_center_id,
        shares.driver_type,
        cast(sum(case when shares.target_cost_center_id <> 'IDLE' then shares.driver_quantity else 0 end)
            as decimal(38,10)) as used_quantity,
        cast(sum(case when shares.target_cost_center_id = 'IDLE' then shares.driver_quantity else 0 end)
            as decimal(38,10)) as idle_quantity
    from shares
    group by
        shares.billing_period_start,
        shares.billing_currency,
        shares.rule_id,
        shares.rule_version,
        shares.pool_cost_center_id,
        shares.driver_type

),

pool_costs as (

    select
        volumes.billing_period_start,
        volumes.billing_currency,
        volumes.rule_id,
        cast(sum(allocations.allocated_effective_cost) as {{ billing.money_type() }}) as pool_cost
    from volumes
    inner join allocations
        on volumes.billing_period_start = allocations.billing_period_start
        and volumes.billing_currency = allocations.billing_currency
        -- the path passes through the pool and goes on from it
        and ('>' || allocations.allocation_path) like ('%>' || volumes.pool_cost_center_id || '>%')
    group by volumes.billing_period_start, volumes.billing_currency, volumes.rule_id

),

final as (

    select
        volumes.billing_period_start,
        volumes.billing_currency,
        volumes.rule_id,
        volumes.rule_version,
        volumes.pool_cost_center_id,
        cost_centers.cost_center_name as service_name,
        volumes.driver_type,
        case volumes.driver_type
            when 'compute_hours' then 'Hours'
            when 'vcpu_hours' then 'vCPU-Hours'
            when 'storage_gb_months' then 'GB-Months'
            when 'egress_gb' then 'GB'
            when 'headcount' then 'Person'
        end as driver_unit,
        pool_costs.pool_cost,
        volumes.used_quantity,
        rules.capacity_quantity,
        volumes.idle_quantity,
        {{ billing.unit_rate('pool_costs.pool_cost', 'volumes.used_quantity') }} as rate_per_used_unit,
        {{ billing.unit_rate('pool_costs.pool_cost', 'rules.capacity_quantity') }}
            as rate_per_capacity_unit
    from volumes
    -- a currency the pool holds nothing in has no rate
    inner join pool_costs
        on volumes.billing_period_start = pool_costs.billing_period_start
        and volumes.billing_currency = pool_costs.billing_currency
        and volumes.rule_id = pool_costs.rule_id
    left join rules
        on volumes.rule_id = rules.rule_id
        and volumes.rule_version = rules.rule_version
    left join cost_centers
        on volumes.pool_cost_center_id = cost_centers.cost_center_id

)

select * from final
