with

source as (

    select * from {{ ref('chargeback_policy_scopes') }}

),

final as (

    select
        {{ billing.clean_string('policy_version') }} as policy_version,
        {{ billing.clean_string('department_id') }} as department_id,
        -- empty = the whole department
        {{ billing.clean_string('project_id') }} as project_id,
        {{ billing.clean_string('mode') }} as mode,
        -- empty = the policy's default granularity
        {{ billing.clean_string('granularity') }} as granularity,
        {{ billing.clean_string('bundle_id') }} as bundle_id
    from source

)

select * from final
