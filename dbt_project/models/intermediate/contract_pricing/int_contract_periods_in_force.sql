{#-
    The contract version in force for each client and billing period: periods are the billing periods
    int_client_usage has (any client), so a client with a contract in force and no usage still gets its fixed
    fees and its minimum-commitment true-up. The version in force on the period's first day: valid_from <=
    period < valid_to (empty = open); of several, the latest valid_from, then the highest version, wins.
-#}

with

usage as (

    select * from {{ ref('int_client_usage') }}

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

periods as (

    select distinct billing_period_start
    from usage

),

final as (

    select
        contracts.client_id,
        periods.billing_period_start,
        contracts.contract_id,
        contracts.contract_version,
        contracts.currency as price_currency,
        contracts.minimum_commitment,
        contracts.tax_category,
        {{ billing.add_months('periods.billing_period_start', 1) }} as billing_period_end
    from periods
    inner join contracts
        on contracts.valid_from <= periods.billing_period_start
        and (contracts.valid_to is null or periods.billing_period_start < contracts.valid_to)
    qualify row_number() over (
        partition by contracts.client_id, periods.billing_period_start
        order by contracts.valid_from desc nulls last, contracts.contract_version desc nulls last
    ) = 1

)

select * from final
