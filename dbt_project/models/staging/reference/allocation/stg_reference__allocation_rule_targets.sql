with

source as (

    select * from {{ ref('allocation_rule_targets') }}

),

final as (

    select
        {{ billing.clean_string('rule_id') }} as rule_id,
        cast(rule_version as integer) as rule_version,
        {{ billing.clean_string('target_cost_center_id') }} as target_cost_center_id,
        -- cost_sharing rules name a business unit instead of a cost center
        {{ billing.clean_string('target_business_unit_id') }} as target_business_unit_id,
        cast(fixed_percent as {{ billing.money_type() }}) as fixed_percent
    from source

)

select * from final
