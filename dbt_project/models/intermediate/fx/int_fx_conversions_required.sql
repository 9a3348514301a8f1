{#-
    The currency conversions invoicing needs: one row per client contract version in force in a billing
    period x the pair (contract price currency -> client invoice currency).

    Periods: every billing period present in int_charges_allocated, plus those declared in the var
    `invoice_billing_periods` (macros/fx.sql invoice_periods). A contract version is in force in a period when
    it overlaps the period ([valid_from, valid_to) meets [first day, last day]), so a period with two versions
    in different price currencies needs both pairs. The invoice date is the period's last day. Same-currency
    rows are kept (rate 1, no conversion) so that every contract in force has a row.
-#}

with

periods as (

    {{ billing.invoice_periods() }}

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

period_dates as (

    select
        billing_period_start,
        {{ billing.period_invoice_date('billing_period_start') }} as invoice_date
    from periods

),

final as (

    select
        contracts.client_id,
        contracts.contract_id,
        contracts.contract_version,
        period_dates.billing_period_start,
        period_dates.invoice_date,
        contracts.currency as from_currency,
        clients.invoice_currency as to_currency
    from period_dates
    inner join contracts
        on contracts.valid_from <= period_dates.invoice_date
        and (contracts.valid_to is null or period_dates.billing_period_start < contracts.valid_to)
    inner join clients
        on contracts.client_id = clients.client_id

)

select * from final
