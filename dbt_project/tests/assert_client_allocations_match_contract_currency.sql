-- Business rule (DESIGN.md §1, §4): client charges are invoiced in the currency of the client's contract and
-- never silently converted. Any cost allocated to a client cost center in a currency other than the currency
-- of the contract in force on the period start fails the build (it would otherwise become a separate invoice
-- in a currency the contract does not provide for); FX conversion must be an explicit, stored-rate step.
-- Returns client, period and currency with the contract currency.

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

),

with_contract as (

    select
        client_allocations.*,
        contracts.contract_id,
        contracts.contract_version,
        contracts.currency as contract_currency
    from client_allocations
    inner join contracts
        on client_allocations.client_id = contracts.client_id
        and contracts.valid_from <= client_allocations.billing_period_start
        and (contracts.valid_to is null or client_allocations.billing_period_start < contracts.valid_to)
    qualify row_number() over (
        partition by client_allocations.client_id, client_allocations.billing_period_start,
            client_allocations.billing_currency
        order by contracts.valid_from desc nulls last, contracts.contract_version desc nulls last
    ) = 1

)

select * from with_contract
where billing_currency is null
    or contract_currency is null
    or billing_currency <> contract_currency
