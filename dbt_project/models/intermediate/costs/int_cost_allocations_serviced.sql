{#-
    Every allocated piece of cost (int_charges_allocated: charge x receiving cost center, the rows of
    marts.fct_cost_allocations) with the IT service it is the cost of, mapped exactly as chargeback
    (int_chargeback_pieces_scoped) and contract pricing (int_client_usage) map it:
      * a piece spread to its cost center from a shared pool is the service that pool provides
        (seeds/it_services.csv pool_cost_center_id; the pool it was last spread from);
      * any other piece is mapped by FOCUS ServiceCategory (seeds/it_service_mappings.csv), a row naming the
        ServiceName too winning over the category's row;
      * a piece no catalog entry covers keeps a null service.
    One row per piece, so the cost transparency marts sum to fct_cost_allocations exactly. Its tests check the
    closing period only when every other was tested (macros/incremental_by_period.sql).
-#}
{{ config(period_column='billing_period_start') }}

with

allocations as (

    select * from {{ ref('int_charges_allocated') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

service_mappings as (

    select * from {{ ref('stg_reference__it_service_mappings') }}

),

final as (

    select
        allocations.billing_period_start,
        allocations.allocation_id,
        allocations.charge_id,
        allocations.source,
        allocations.service_category,
        allocations.service_name,
        coalesce(
            pool_services.it_service_id, named_services.it_service_id, category_services.it_service_id
        ) as it_service_id,
        allocations.cost_center_id,
        allocations.cost_center_owner_type,
        allocations.department_id,
        allocations.business_unit_id,
        allocations.project_id,
        allocations.client_id,
        allocations.billing_currency,
        allocations.allocated_effective_cost,
        allocations.allocated_billed_cost
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

)

select * from final
