with

source as (

    select * from {{ ref('allocation_rules') }}

),

final as (

    select
        {{ billing.clean_string('rule_id') }} as rule_id,
        cast(rule_version as integer) as rule_version,
        cast(cascade_step as integer) as cascade_step,
        {{ billing.clean_string('pool_cost_center_id') }} as pool_cost_center_id,
        {{ billing.clean_string('method') }} as method,
        {{ billing.clean_string('driver_type') }} as driver_type,
        cast(capacity_quantity as {{ billing.money_type() }}) as capacity_quantity,
        coalesce({{ billing.clean_string('fallback_method') }}, 'even_split') as fallback_method,
        cast(valid_from as date) as valid_from,
        -- empty = open-ended
        cast(valid_to as date) as valid_to,
        {{ billing.clean_string('description') }} as description
    from source

)

select * from final
