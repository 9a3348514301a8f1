{{ config(materialized='table') }}

{#-
    What each client consumed, per client x billing period x IT service x SKU x unit x cost currency: the cost
    allocated to client cost centers (int_charges_allocated, owner type 'client') with the FOCUS consumed
    quantity of the charge it came from (ConsumedQuantity / ConsumedUnit as delivered, int_charges_consumed: each
    period as its close wrote it, the quantities int_allocation_drivers read).

    * quantity = ConsumedQuantity x the piece's cumulative share of its charge (share_ratio; 1 when the charge
      went whole to the client). Charges without a consumed quantity (provider tax, credits) add cost and
      charges but no quantity, and have no unit of their own: they are a row with a null unit.
    * unit = the FOCUS name of ConsumedUnit through seeds/unit_of_measure_mappings.csv (`Hrs` -> Hours,
      `GB-Mo` -> GB-Months), the provider's own unit when the seed does not list it; unit_code = its UN/ECE
      Rec 20 code (seeds/contract_unit_codes.csv), null when none is listed. No quantity is ever rescaled:
      seconds stay seconds, byte-seconds stay byte-seconds, `100 Hours` stays a count of 100-hour blocks.
    * IT service as chargeback maps departments' cost (int_chargeback_pieces_scoped): a piece spread from a
      shared pool is that pool's service, a piece incurred directly is mapped by FOCUS ServiceCategory, a row
      naming the ServiceName too winning over the category's row.
    * allocated_effective_cost stays in the charge's billing currency (never converted); source_row_count is
      the number of allocated charge pieces behind the row.
    A table: the pricing and compliance models read it many times, and each read of a view would expand the
    union of all sources again (Spark's analyzer runs out of memory on that, see dbt_project.yml allocation).
-#}

with

allocations as (

    select * from {{ ref('int_charges_allocated') }}
    where cost_center_owner_type = 'client'

),

charges as (

    select * from {{ ref('int_charges_consumed') }}

),

units as (

    select * from {{ ref('stg_reference__unit_of_measure_mappings') }}

),

unit_codes as (

    select * from {{ ref('stg_reference__contract_unit_codes') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

service_mappings as (

    select * from {{ ref('stg_reference__it_service_mappings') }}

),

pieces as (

    select
        allocations.client_id,
        allocations.billing_period_start,
        coalesce(
            pool_services.it_service_id, named_services.it_service_id, category_services.it_service_id
        ) as service_id,
        allocations.sku_id,
        case
            when charges.consumed_quantity is not null
                then coalesce(units.focus_unit, trim(charges.consumed_unit))
        end as unit,
        case
            when charges.consumed_quantity is null then cast(null as {{ billing.money_type() }})
            when allocations.share_ratio = 1 then cast(charges.consumed_quantity as {{ billing.money_type() }})
            -- (26,10) x (11,10): precision 37 (DuckDB) / 38 (Spark), scale 20 - exact on both, then rounded
            -- half away from zero to scale 10. A split charge's quantity must stay below 10^16 (not_null test).
            else cast(
                cast(charges.consumed_quantity as decimal(26,10)) * cast(allocations.share_ratio as decimal(11,10))
                as {{ billing.money_type() }}
            )
        end as quantity,
        allocations.allocated_effective_cost,
        allocations.billing_currency as currency
    from allocations
    left join charges
        on allocations.charge_id = charges.charge_id
    left join units
        on trim(charges.consumed_unit) = units.provider_unit
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

aggregated as (

    select
        client_id,
        billing_period_start,
        service_id,
        sku_id,
        unit,
        currency,
        cast(coalesce(sum(quantity), 0) as {{ billing.money_type() }}) as quantity,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as allocated_effective_cost,
        cast(count(*) as bigint) as source_row_count
    from pieces
    group by client_id, billing_period_start, service_id, sku_id, unit, currency

),

final as (

    select
        aggregated.client_id,
        aggregated.billing_period_start,
        aggregated.service_id,
        aggregated.sku_id,
        aggregated.unit,
        unit_codes.unit_code,
        aggregated.quantity,
        aggregated.allocated_effective_cost,
        aggregated.currency,
        aggregated.source_row_count
    from aggregated
    left join unit_codes
        on aggregated.unit = unit_codes.focus_unit

)

select * from final
