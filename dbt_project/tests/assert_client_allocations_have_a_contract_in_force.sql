-- Business rule: cost allocated to a client cost center is invoiced under the client's contract version in
-- force on the first day of the billing period (valid_from <= period < valid_to, empty = open). Client cost
-- with no contract in force would silently drop out of invoicing, so it fails the build instead.
-- Returns client, period and currency without a contract.

with

client_allocations as (

    select
        client_id,
        billing_period_start,
        billing_currency,
        count(*) as charge_count,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as allocated_effective_cost
    from {{ ref('int_charges_allocated') }}
    where cost_center_owner_type = 'client'
    group by client_id, billing_period_start, billing_currency

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

)

select client_allocations.*
from client_allocations
where not exists (
    select 1
    from contracts
    where contracts.client_id = client_allocations.client_id
        and contracts.valid_from <= client_allocations.billing_period_start
        and (contracts.valid_to is null or client_allocations.billing_period_start < contracts.valid_to)
)
