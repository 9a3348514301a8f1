{#-
    The share each target cost center receives from a shared cost pool, per billing period, currency and
    allocation rule in force (seeds/allocation_rules.csv, seeds/allocation_rule_targets.csv).

    Rule in force: the rule's version whose [valid_from, valid_to) contains the period's first day (the highest
    version if several do), so a rule dated in the future changes nothing in earlier periods.

    Weights by method (all non-negative):
      even_split          1 per target
      fixed_percent       the target's fixed_percent (the targets of a rule total 100, assert_fixed_percent_...)
      proportional_spend  the target's own net direct EffectiveCost in the period and currency; a target whose
                          credits exceed its charges (net <= 0) weighs 0
      driver              the target's driver quantity in the period (int_allocation_drivers); with a
                          capacity_quantity on the rule, the capacity nobody used (capacity - sum, if positive)
                          weighs for the IDLE cost center
      cost_sharing        a cost-sharing agreement between business units: each target row names a business
                          unit and its fixed_percent (they total 100); the unit's percent is spread over the
                          department cost centers of its departments in proportion to their net direct spend
                          (evenly if none of them has any): weight = percent x spend / unit spend, by
                          integer division
    If the weights of a rule total 0 in a period (no driver activity, no spend), the rule's declared
    fallback_method decides instead: even_split, fixed_percent, or unallocated (everything to UNALLOCATED).

    Shares are whole units of 10^-10 that total exactly 10^10 per rule, period and currency: each target gets
    trunc(weight x 10^10 / total) (integer division, exact on both engines) and the units left over go one
    each to the largest remainders, ties by target cost center. Weights count to 10^-6 (macros/exact_split.sql).

    Incremental by billing period (macros/incremental_by_period.sql): a close computes its own period's shares; the
    other periods keep the shares their own close allocated by.
-#}
{{ config(billing.incremental_by_period('billing_period_start')) }}

with

rules as (

    select * from {{ ref('stg_reference__allocation_rules') }}

),

targets as (

    select * from {{ ref('stg_reference__allocation_rule_targets') }}

),

drivers as (

    select * from {{ ref('int_allocation_drivers') }}
    where {{ billing.in_closing_period('billing_period_start') }}

),

charges as (

    select
        x_BillingPeriodStartDate as billing_period_start,
        BillingCurrency as billing_currency,
        x_ChargeId as charge_id,
        EffectiveCost as effective_cost
    from {{ ref('int_charges_unioned') }}
    where {{ billing.in_closing_period('x_BillingPeriodStartDate') }}

),

mapped as (

    select * from {{ ref('int_charges_mapped_to_cost_centers') }}
    where {{ billing.in_closing_period('billing_period_start') }}

),

business_unit_cost_centers as (

    select
        cost_centers.cost_center_id,
        departments.business_unit_id
    from {{ ref('stg_reference__cost_centers') }} as cost_centers
    inner join {{ ref('stg_reference__departments') }} as departments
        on cost_centers.department_id = departments.department_id
    where cost_centers.owner_type = 'department'

),

periods as (

    select distinct billing_period_start, billing_currency
    from charges

),

rules_in_force as (

    select
        periods.billing_period_start,
        periods.billing_currency,
        rules.*
    from periods
    inner join rules
        on rules.valid_from <= periods.billing_period_start
        and (rules.valid_to is null or periods.billing_period_start < rules.valid_to)
    qualify row_number() over (
        partition by periods.billing_period_start, periods.billing_currency, rules.rule_id
        order by rules.rule_version desc
    ) = 1

),

direct_spend as (

    select
        charges.billing_period_start,
        charges.billing_currency,
        mapped.cost_center_id,
        cast(sum(charges.effective_cost) as {{ billing.money_type() }}) as net_effective_cost
    from charges
    inner join mapped
        on charges.charge_id = mapped.charge_id
    group by charges.billing_period_start, charges.billing_currency, mapped.cost_center_id

),

rule_targets as (

    select
        rules_in_force.billing_period_start,
        rules_in_force.billing_currency,
        rules_in_force.rule_id,
        rules_in_force.rule_version,
        rules_in_force.cascade_step,
        rules_in_force.pool_cost_center_id,
        rules_in_force.method,
        rules_in_force.driver_type,
        rules_in_force.capacity_quantity,
        rules_in_force.fallback_method,
        targets.target_cost_center_id,
        targets.fixed_percent,
        drivers.driver_quantity,
        direct_spend.net_effective_cost
    from rules_in_force
    inner join targets
        on rules_in_force.rule_id = targets.rule_id
        and rules_in_force.rule_version = targets.rule_version
    left join drivers
        on rules_in_force.billing_period_start = drivers.billing_period_start
        and rules_in_force.driver_type = drivers.driver_type
        and targets.target_cost_center_id = drivers.cost_center_id
    left join direct_spend
        on rules_in_force.billing_period_start = direct_spend.billing_period_start
        and rules_in_force.billing_currency = direct_spend.billing_currency
        and targets.target_cost_center_id = direct_spend.cost_center_id

),

sharing_targets as (

    select
        rules_in_force.billing_period_start,
        rules_in_force.billing_currency,
        rules_in_force.rule_id,
        targets.target_business_unit_id,
        business_unit_cost_centers.cost_center_id as target_cost_center_id,
        {{ billing.weight_units('targets.fixed_percent') }} as percent_units,
        case
            when direct_spend.net_effective_cost > 0 then {{ billing.weight_units('direct_spend.net_effective_cost') }}
            else cast(0 as decimal(38,0))
        end as spend_units
    from rules_in_force
    inner join targets
        on rules_in_force.rule_id = targets.rule_id
        and rules_in_force.rule_version = targets.rule_version
    inner join business_unit_cost_centers
        on targets.target_business_unit_id = business_unit_cost_centers.business_unit_id
    left join direct_spend
        on rules_in_force.billing_period_start = direct_spend.billing_period_start
        and rules_in_force.billing_currency = direct_spend.billing_currency
        and business_unit_cost_centers.cost_center_id = direct_spend.cost_center_id
    where rules_in_force.method = 'cost_sharing'

),

sharing_units as (

    select
        sharing_targets.*,
        sum(sharing_targets.spend_units) over (
            partition by
                sharing_targets.billing_period_start,
                sharing_targets.billing_currency,
                sharing_targets.rule_id,
                sharing_targets.target_business_unit_id
        ) as business_unit_spend_units,
        count(*) over (
            partition by
                sharing_targets.billing_period_start,
                sharing_targets.billing_currency,
                sharing_targets.rule_id,
                sharing_targets.target_business_unit_id
        ) as business_unit_cost_centers
    from sharing_targets

),

primary_weights as (

    select
        billing_period_start,
        billing_currency,
        rule_id,
        target_cost_center_id,
        method as applied_method,
        driver_quantity,
        case method
            when 'even_split' then cast(1 as decimal(28,10))
            when 'fixed_percent' then cast(coalesce(fixed_percent, 0) as decimal(28,10))
            when 'proportional_spend' then
                case when net_effective_cost > 0 then cast(net_effective_cost as decimal(28,10)) else 0 end
            when 'driver' then
                case when driver_quantity > 0 then cast(driver_quantity as decimal(28,10)) else 0 end
        end as weight
    from rule_targets
    where method <> 'cost_sharing'

    union all

    -- cost-sharing agreements: the business unit's percent, spread by spend within the unit
    select
        billing_period_start,
        billing_currency,
        rule_id,
        target_cost_center_id,
        'cost_sharing' as applied_method,
        cast(null as decimal(28,10)) as driver_quantity,
        -- weights only matter relative to each other: scaled x 10^4 (they total 10^6, not 100) so that the
        -- truncation to whole weight units moves a business unit's total by less than one share unit
        cast(
            case
                when business_unit_spend_units > 0 then {{ billing.integer_divide(
                    'percent_units * spend_units * cast(10000 as decimal(5,0))', 'business_unit_spend_units'
                ) }}
                else {{ billing.integer_divide(
                    'percent_units * cast(10000 as decimal(5,0))', 'business_unit_cost_centers'
                ) }}
            end
            * cast(0.000001 as decimal(7,6))
            as decimal(28,10)
        ) as weight
    from sharing_units

    union all

    -- capacity nobody used: the IDLE cost center
    select
        billing_period_start,
        billing_currency,
        rule_id,
        'IDLE' as target_cost_center_id,
        method as applied_method,
        cast(capacity_quantity - sum(coalesce(driver_quantity, 0)) as decimal(28,10)) as driver_quantity,
        case
            when capacity_quantity > sum(coalesce(driver_quantity, 0))
                then cast(capacity_quantity - sum(coalesce(driver_quantity, 0)) as decimal(28,10))
            else 0
        end as weight
    from rule_targets
    where method = 'driver'
        and capacity_quantity is not null
    group by billing_period_start, billing_currency, rule_id, method, capacity_quantity

),

primary_totals as (

    select
        billing_period_start,
        billing_currency,
        rule_id,
        sum({{ billing.weight_units('weight') }}) as total_weight_units
    from primary_weights
    group by billing_period_start, billing_currency, rule_id

),

fallback_weights as (

    select
        rule_targets.billing_period_start,
        rule_targets.billing_currency,
        rule_targets.rule_id,
        case
            when rule_targets.fallback_method = 'unallocated' then 'UNALLOCATED'
            else rule_targets.target_cost_center_id
        end as target_cost_center_id,
        rule_targets.fallback_method as applied_method,
        max(rule_targets.driver_quantity) as driver_quantity,
        max(
            case rule_targets.fallback_method
                when 'fixed_percent' then cast(coalesce(rule_targets.fixed_percent, 0) as decimal(28,10))
                else cast(1 as decimal(28,10))
            end
        ) as weight
    from rule_targets
    inner join primary_totals
        on rule_targets.billing_period_start = primary_totals.billing_period_start
        and rule_targets.billing_currency = primary_totals.billing_currency
        and rule_targets.rule_id = primary_totals.rule_id
    where primary_totals.total_weight_units = 0
        -- a cost-sharing rule names business units, not cost centers: only `unallocated` can catch it
        and (rule_targets.target_cost_center_id is not null or rule_targets.fallback_method = 'unallocated')
    group by
        rule_targets.billing_period_start,
        rule_targets.billing_currency,
        rule_targets.rule_id,
        case
            when rule_targets.fallback_method = 'unallocated' then 'UNALLOCATED'
            else rule_targets.target_cost_center_id
        end,
        rule_targets.fallback_method

),

applied_weights as (

    select primary_weights.*, false as is_fallback
    from primary_weights
    inner join primary_totals
        on primary_weights.billing_period_start = primary_totals.billing_period_start
        and primary_weights.billing_currency = primary_totals.billing_currency
        and primary_weights.rule_id = primary_totals.rule_id
    where primary_totals.total_weight_units > 0

    union all

    select fallback_weights.*, true as is_fallback
    from fallback_weights

),

weighted as (

    select
        applied_weights.*,
        {{ billing.weight_units('applied_weights.weight') }} as weight_units,
        sum({{ billing.weight_units('applied_weights.weight') }}) over (
            partition by
                applied_weights.billing_period_start, applied_weights.billing_currency, applied_weights.rule_id
        ) as total_weight_units
    from applied_weights

),

divided as (

    select
        weighted.*,
        {{ billing.integer_divide(
            'weighted.weight_units * cast(10000000000 as decimal(11,0))', 'weighted.total_weight_units'
        ) }} as truncated_share_units
    from weighted
    where weighted.total_weight_units > 0

),

ranked as (

    select
        divided.*,
        cast(
            divided.weight_units * cast(10000000000 as decimal(11,0))
            - divided.truncated_share_units * divided.total_weight_units
            as decimal(38,0)
        ) as share_remainder,
        cast(
            10000000000 - sum(divided.truncated_share_units) over (
                partition by divided.billing_period_start, divided.billing_currency, divided.rule_id
            )
            as decimal(38,0)
        ) as share_units_left
    from divided

),

shared_out as (

    select
        ranked.*,
        row_number() over (
            partition by ranked.billing_period_start, ranked.billing_currency, ranked.rule_id
            order by ranked.share_remainder desc, ranked.target_cost_center_id asc
        ) as share_rank
    from ranked

),

allotted as (

    select
        shared_out.*,
        cast(
            shared_out.truncated_share_units
            + case when shared_out.share_rank <= shared_out.share_units_left then 1 else 0 end
            as decimal(38,0)
        ) as share_units
    from shared_out

),

final as (

    select
        allotted.billing_period_start,
        allotted.billing_currency,
        rules_in_force.rule_id,
        rules_in_force.rule_version,
        rules_in_force.cascade_step,
        rules_in_force.pool_cost_center_id,
        allotted.target_cost_center_id,
        allotted.applied_method,
        allotted.is_fallback,
        rules_in_force.driver_type,
        cast(allotted.driver_quantity as {{ billing.money_type() }}) as driver_quantity,
        cast(allotted.weight as {{ billing.money_type() }}) as weight,
        allotted.share_units,
        {{ billing.from_units('allotted.share_units') }} as share_ratio
    from allotted
    inner join rules_in_force
        on allotted.billing_period_start = rules_in_force.billing_period_start
        and allotted.billing_currency = rules_in_force.billing_currency
        and allotted.rule_id = rules_in_force.rule_id

)

select * from final
{{ billing.periods_in_order('billing_period_start') }}
