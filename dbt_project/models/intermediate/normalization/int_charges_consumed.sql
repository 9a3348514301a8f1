{#-
    What each charge consumed, as its provider delivered it: ConsumedQuantity and ConsumedUnit of every charge of
    int_charges_unioned, one row per charge. The client usage and the invoice lineage read the quantities of every
    period; read here, each period as its own close wrote it, a close computes one month's charges instead of
    expanding every provider's raw rows of every month loaded again (what grew with the history).
    Incremental by billing period (macros/incremental_by_period.sql): a close writes its own period's charges.
-#}
{{ config(billing.incremental_by_period('billing_period_start')) }}

with

charges as (

    select * from {{ ref('int_charges_unioned') }}
    where {{ billing.in_closing_period('x_BillingPeriodStartDate') }}

),

final as (

    select
        x_ChargeId as charge_id,
        x_BillingPeriodStartDate as billing_period_start,
        ConsumedQuantity as consumed_quantity,
        ConsumedUnit as consumed_unit
    from charges

)

select * from final
{{ billing.periods_in_order('billing_period_start') }}
