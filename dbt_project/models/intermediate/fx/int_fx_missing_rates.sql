{#-
    Every conversion invoicing needs that has no rate in force (int_fx_rates_in_force.missing_reason_code
    not null): one row per client x contract version x billing period x currency pair, with the reason. The
    invoice of such a client and period must not be issued (no 1:1 fallback); finance adds a manual rate
    (seeds/fx_manual_rates.csv) or refreshes the ECB rates (scripts/refresh_fx_reference_rates.py).
-#}

with

required as (

    select * from {{ ref('int_fx_conversions_required') }}

),

rates as (

    select * from {{ ref('int_fx_rates_in_force') }}

),

final as (

    select
        required.client_id,
        required.contract_id,
        required.contract_version,
        required.billing_period_start,
        required.invoice_date,
        required.from_currency,
        required.to_currency,
        rates.missing_reason_code,
        rates.missing_reason
    from required
    inner join rates
        on required.billing_period_start = rates.billing_period_start
        and required.invoice_date = rates.invoice_date
        and required.from_currency = rates.from_currency
        and required.to_currency = rates.to_currency
    where rates.missing_reason_code is not null

)

select * from final
