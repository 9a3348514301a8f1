-- Business rule (issue 4, cascade order: shared services -> platforms -> business services -> departments):
-- a rule may send cost to a shared pool only if that pool is spread by a rule of a later cascade step that
-- overlaps it in time, so cost never flows back to a step already done, never circles, and never strands in a
-- pool. Every rule version has at least one target; a target is a cost center, or (for a cost_sharing rule
-- only) a business unit with at least one department cost center. Returns the offending (rule, target) pairs.

with

rules as (

    select * from {{ ref('stg_reference__allocation_rules') }}

),

targets as (

    select * from {{ ref('stg_reference__allocation_rule_targets') }}

),

cost_centers as (

    select * from {{ ref('stg_reference__cost_centers') }}

),

business_units_with_departments as (

    select distinct departments.business_unit_id
    from {{ ref('stg_reference__departments') }} as departments
    inner join cost_centers
        on departments.department_id = cost_centers.department_id
        and cost_centers.owner_type = 'department'

),

rule_targets as (

    select
        rules.rule_id,
        rules.rule_version,
        rules.cascade_step,
        rules.valid_from,
        rules.valid_to,
        rules.method,
        targets.target_cost_center_id,
        targets.target_business_unit_id,
        cost_centers.owner_type as target_owner_type,
        business_units_with_departments.business_unit_id as known_business_unit_id
    from rules
    left join targets
        on rules.rule_id = targets.rule_id
        and rules.rule_version = targets.rule_version
    left join cost_centers
        on targets.target_cost_center_id = cost_centers.cost_center_id
    left join business_units_with_departments
        on targets.target_business_unit_id = business_units_with_departments.business_unit_id

),

pool_targets_spread_later as (

    select distinct
        rule_targets.rule_id,
        rule_targets.rule_version,
        rule_targets.target_cost_center_id
    from rule_targets
    inner join rules as later
        on rule_targets.target_cost_center_id = later.pool_cost_center_id
        and later.cascade_step > rule_targets.cascade_step
        and (later.valid_to is null or rule_targets.valid_from < later.valid_to)
        and (rule_targets.valid_to is null or later.valid_from < rule_targets.valid_to)

),

final as (

    select
        rule_targets.rule_id,
        rule_targets.rule_version,
        coalesce(rule_targets.target_cost_center_id, rule_targets.target_business_unit_id) as target,
        case
            when rule_targets.method = 'cost_sharing' and rule_targets.target_cost_center_id is not null
                then 'a cost_sharing rule targets business units, not cost centers'
            when rule_targets.method = 'cost_sharing' and rule_targets.known_business_unit_id is null
                then 'target is not a business unit with a department cost center'
            when rule_targets.method <> 'cost_sharing' and rule_targets.target_business_unit_id is not null
                then 'only a cost_sharing rule may target a business unit'
            when rule_targets.target_cost_center_id is null then 'rule has no target'
            when rule_targets.target_owner_type is null then 'target is not a cost center'
            else 'target is a shared pool no later cascade step spreads'
        end as problem
    from rule_targets
    left join pool_targets_spread_later
        on rule_targets.rule_id = pool_targets_spread_later.rule_id
        and rule_targets.rule_version = pool_targets_spread_later.rule_version
        and rule_targets.target_cost_center_id = pool_targets_spread_later.target_cost_center_id
    where (rule_targets.method = 'cost_sharing' and (
            rule_targets.target_cost_center_id is not null or rule_targets.known_business_unit_id is null
        ))
        or (rule_targets.method <> 'cost_sharing' and (
            rule_targets.target_business_unit_id is not null
            or rule_targets.target_cost_center_id is null
            or rule_targets.target_owner_type is null
            or (rule_targets.target_owner_type = 'shared' and pool_targets_spread_later.target_cost_center_id is null)
        ))

)

select * from final
