with

source as (

    select * from {{ ref('tax_rules') }}

),

final as (

    select
        {{ billing.clean_string('rule_id') }} as rule_id,
        lower({{ billing.clean_string('treatment') }}) as treatment,
        upper({{ billing.clean_string('tax_category_code') }}) as tax_category_code,
        upper({{ billing.clean_string('exemption_reason_code') }}) as exemption_reason_code,
        {{ billing.clean_string('exemption_reason') }} as exemption_reason,
        {{ billing.clean_string('description') }} as description
    from source

)

select * from final
