-- Business rule (cost transparency, billed basis): what fct_billed_amounts says was charged is exactly what
-- was invoiced and charged back. Per billing period, client, invoice currency and document status, the client
-- amounts sum to the invoices' and notes' subtotal + discount_total + credit_total in fct_invoices (discounts
-- and credits are negative there, so this is the net amount before tax); per period, department, currency and
-- mode, the department amounts sum to the fct_chargeback_lines amounts. A side missing entirely counts as 0.
-- Returns the keys that differ.

with

billed as (

    select
        billing_period_start,
        party_type,
        party_id,
        currency,
        coalesce(status, charge_mode) as status,
        cast(sum(amount) as {{ billing.money_type() }}) as billed_amount
    from {{ ref('fct_billed_amounts') }}
    group by billing_period_start, party_type, party_id, currency, coalesce(status, charge_mode)

),

invoiced as (

    select
        billing_period_start,
        'client' as party_type,
        client_id as party_id,
        currency,
        status,
        cast(sum({{ billing.money_add(['subtotal', 'discount_total', 'credit_total']) }})
            as {{ billing.money_type() }}) as source_amount
    from {{ ref('fct_invoices') }}
    group by billing_period_start, client_id, currency, status

),

charged_back as (

    select
        billing_period_start,
        'department' as party_type,
        department_id as party_id,
        billing_currency as currency,
        mode as status,
        cast(coalesce(sum(amount), 0) as {{ billing.money_type() }}) as source_amount
    from {{ ref('fct_chargeback_lines') }}
    group by billing_period_start, department_id, billing_currency, mode

),

sources as (

    select * from invoiced
    union all
    select * from charged_back

),

compared as (

    select
        coalesce(sources.billing_period_start, billed.billing_period_start) as billing_period_start,
        coalesce(sources.party_type, billed.party_type) as party_type,
        coalesce(sources.party_id, billed.party_id) as party_id,
        coalesce(sources.currency, billed.currency) as currency,
        coalesce(sources.status, billed.status) as status,
        coalesce(sources.source_amount, 0) as source_amount,
        coalesce(billed.billed_amount, 0) as billed_amount
    from sources
    full outer join billed
        on sources.billing_period_start = billed.billing_period_start
        and sources.party_type = billed.party_type
        and sources.party_id = billed.party_id
        and sources.currency = billed.currency
        and sources.status = billed.status

)

select *
from compared
where source_amount <> billed_amount
