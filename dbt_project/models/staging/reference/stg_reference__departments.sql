with

source as (

    select * from {{ ref('departments') }}

),

final as (

    select
        {{ billing.clean_string('department_id') }} as department_id,
        {{ billing.clean_string('department_name') }} as department_name,
        {{ billing.clean_string('business_unit_id') }} as business_unit_id
    from source

)

select * from final
