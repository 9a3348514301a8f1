with

source as (

    select * from {{ ref('allocation_rule_targets') }}

),

final as (

    select
        {{ billing.clean_string('rule_id') }} as rule_id,
        cast(rule_version as integer) as rule_version,
        {{ billing.clean_string('target_cost_center_id') }} as target_cost_center_id,
        cast(fixed_percent as {{ billing.money_type() }}) as fixed_percent
    from source

)

select * from final
