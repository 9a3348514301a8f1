{#-
    Every piece of cost a department received (int_charges_allocated), with the IT service it paid for and
    the chargeback policy scope that governs it.

    IT service (seeds/it_services.csv, it_service_mappings.csv):
      * a piece spread to the department from a shared pool is the service that pool provides (the pool it was
        last spread from: container-platform cost that first came from security monitoring is container
        platform to the department that runs containers);
      * a piece the department incurred directly is mapped by FOCUS ServiceCategory, a row naming the
        ServiceName too winning over the category's row.
    A piece no catalog entry covers keeps a null service, which the mart's not_null test refuses.

    Policy (seeds/chargeback_policies.csv, chargeback_policy_scopes.csv): the version in force on the
    period's first day (the latest valid_from if several are); within it the scope of the piece's project
    wins over the department's. Only directly incurred cost has a project of the department's own: a piece
    from a pool carries the pool's project, so the department's scope decides it.

    Incremental by billing period (macros/incremental_by_period.sql): a close scopes its own period's pieces.
-#}

{{ config(billing.incremental_by_period('billing_period_start')) }}

with

allocations as (

    select * from {{ ref('int_charges_allocated') }}
    where cost_center_owner_type = 'department'
        and {{ billing.in_closing_period('billing_period_start') }}

),

-- the periods alone, read from the table rather than from `allocations`: a CTE read twice is materialized, and at
-- ten million lines that held 20.8 million pieces (spilled 9.5 GB; 20.6 s of the model's select, 8.9 s without)
allocation_periods as (

    select distinct billing_period_start from {{ ref('int_charges_allocated') }}
    where cost_center_owner_type = 'department'
        and {{ billing.in_closing_period('billing_period_start') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

service_mappings as (

    select * from {{ ref('stg_reference__it_service_mappings') }}

),

policies as (

    select * from {{ ref('stg_reference__chargeback_policies') }}

),

scopes as (

    select * from {{ ref('stg_reference__chargeback_policy_scopes') }}

),

period_policies as (

    select
        periods.billing_period_start,
        policies.policy_version,
        policies.default_granularity
    from allocation_periods as periods
    inner join policies
        on policies.valid_from <= periods.billing_period_start
        and (policies.valid_to is null or periods.billing_period_start < policies.valid_to)
    qualify row_number() over (
        partition by periods.billing_period_start
        order by policies.valid_from desc, policies.policy_version desc
    ) = 1

),

serviced as (

    select
        allocations.*,
        case when allocations.provider_pool_cost_center_id is null then allocations.project_id end
            as own_project_id,
        coalesce(
            pool_services.it_service_id, named_services.it_service_id, category_services.it_service_id
        ) as it_service_id
    from allocations
    left join it_services as pool_services
        on allocations.provider_pool_cost_center_id = pool_services.pool_cost_center_id
    left join service_mappings as named_services
        on allocations.provider_pool_cost_center_id is null
        and allocations.service_category = named_services.service_category
        and allocations.service_name = named_services.service_name
    left join service_mappings as category_services
        on allocations.provider_pool_cost_center_id is null
        and allocations.service_category = category_services.service_category
        and category_services.service_name is null

),

-- at most one scope per (policy version, department, project) and one without a project (the staging model's
-- unique_combination_of_columns): a left join to each, rather than ranking the pieces' candidate scopes, which
-- carried every piece's columns through a window over a million pieces
scoped as (

    select
        serviced.*,
        period_policies.policy_version,
        case when project_scopes.policy_version is not null then project_scopes.mode else department_scopes.mode end
            as mode,
        coalesce(
            case
                when project_scopes.policy_version is not null then project_scopes.granularity
                else department_scopes.granularity
            end,
            period_policies.default_granularity
        ) as granularity,
        case
            when project_scopes.policy_version is not null then project_scopes.bundle_id
            else department_scopes.bundle_id
        end as bundle_id,
        case when project_scopes.policy_version is not null then project_scopes.project_id end as scope_project_id
    from serviced
    left join period_policies
        on serviced.billing_period_start = period_policies.billing_period_start
    left join scopes as project_scopes
        on period_policies.policy_version = project_scopes.policy_version
        and serviced.department_id = project_scopes.department_id
        and serviced.own_project_id = project_scopes.project_id
    left join scopes as department_scopes
        on period_policies.policy_version = department_scopes.policy_version
        and serviced.department_id = department_scopes.department_id
        and department_scopes.project_id is null

),

final as (

    select
        scoped.billing_period_start,
        scoped.charge_id,
        scoped.allocation_id,
        scoped.department_id,
        scoped.business_unit_id,
        scoped.cost_center_id,
        scoped.own_project_id as project_id,
        scoped.it_service_id,
        it_services.it_service_name,
        it_services.service_family,
        it_services.pool_cost_center_id,
        scoped.service_name,
        scoped.service_category,
        scoped.sku_id,
        scoped.resource_id,
        scoped.billing_currency,
        scoped.allocated_effective_cost,
        scoped.allocation_rule_id,
        scoped.share_ratio,
        scoped.policy_version,
        scoped.mode,
        scoped.granularity,
        scoped.bundle_id,
        scoped.scope_project_id
    from scoped
    left join it_services
        on scoped.it_service_id = it_services.it_service_id

)

select * from final
{{ billing.periods_in_order('billing_period_start') }}
