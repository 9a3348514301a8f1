-- Business rule (issue 4, policy): every policy version says for every department whether it is charged
-- back or shown back - a department-wide scope row (project_id empty) in seeds/chargeback_policy_scopes.csv.
-- A department missing from a version would leave its cost without a mode. Returns the missing pairs.

with

policies as (

    select policy_version from {{ ref('stg_reference__chargeback_policies') }}

),

departments as (

    select department_id from {{ ref('stg_reference__departments') }}

),

department_scopes as (

    select policy_version, department_id
    from {{ ref('stg_reference__chargeback_policy_scopes') }}
    where project_id is null

),

final as (

    select
        policies.policy_version,
        departments.department_id
    from policies
    cross join departments
    left join department_scopes
        on policies.policy_version = department_scopes.policy_version
        and departments.department_id = department_scopes.department_id
    where department_scopes.department_id is null

)

select * from final
