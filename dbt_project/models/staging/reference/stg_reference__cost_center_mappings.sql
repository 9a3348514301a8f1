with

source as (

    select * from {{ ref('cost_center_mappings') }}

),

final as (

    select
        {{ billing.clean_string('mapping_id') }} as mapping_id,
        {{ billing.clean_string('match_dimension') }} as match_dimension,
        {{ billing.clean_string('tag_key') }} as tag_key,
        {{ billing.clean_string('match_value') }} as match_value,
        {{ billing.clean_string('cost_center_id') }} as cost_center_id,
        cast(precedence as integer) as precedence,
        cast(valid_from as date) as valid_from,
        -- empty = open-ended
        cast(valid_to as date) as valid_to
    from source

)

select * from final
