-- Business rule (issue 4, allocation): the targets of a fixed_percent rule version - and the business units of a
-- cost_sharing rule version (a cost-sharing agreement) - total exactly 100 percent,
-- every target has a percent, and none is negative; otherwise the rule would invent or lose cost, or leave
-- a target's share to chance. Returns the offending rule versions.

with

rules as (

    select * from {{ ref('stg_reference__allocation_rules') }}
    where method in ('fixed_percent', 'cost_sharing') or fallback_method = 'fixed_percent'

),

targets as (

    select * from {{ ref('stg_reference__allocation_rule_targets') }}

),

totals as (

    select
        rules.rule_id,
        rules.rule_version,
        cast(sum(targets.fixed_percent) as decimal(38,10)) as total_percent,
        sum(case when targets.fixed_percent is null then 1 else 0 end) as targets_without_percent,
        sum(case when targets.fixed_percent < 0 then 1 else 0 end) as negative_percents
    from rules
    left join targets
        on rules.rule_id = targets.rule_id
        and rules.rule_version = targets.rule_version
    group by rules.rule_id, rules.rule_version

)

select * from totals
where total_percent is null
    or total_percent <> 100
    or targets_without_percent > 0
    or negative_percents > 0
