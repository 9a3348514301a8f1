{#-
    Accounts receivable aging at every month end (as_of_date) per legal entity, client and currency: the
    receivable documents dated on or before the as-of date (invoices and debit notes, issued or from the
    operational store; int_receivables_aged) with what they billed, what credit notes dated on or before it
    credited, what payments value-dated on or before it applied to them, and the outstanding amount split
    into aging buckets; beside it, the cash on the client's account that no document took (unapplied
    payments and over-payments value-dated on or before it; client null = unidentified payer).
    Per row: billed - credited - received = outstanding = current + 1-30 + 31-60 + 61-90 + over 90
    (assert_ar_aging_balances_and_buckets_add_up).
-#}

with

aged as (

    select * from {{ ref('int_receivables_aged') }}

),

applications as (

    select * from {{ ref('int_payments_applied') }}

),

as_of_dates as (

    select * from {{ ref('int_aging_dates_spined') }}

),

documents_summarized as (

    select
        as_of_date,
        legal_entity_id,
        client_id,
        currency,
        cast(sum(billed_amount) as {{ billing.money_type() }}) as billed_amount,
        cast(sum(credited_amount) as {{ billing.money_type() }}) as credited_amount,
        cast(sum(received_amount) as {{ billing.money_type() }}) as received_amount,
        cast(sum(outstanding_amount) as {{ billing.money_type() }}) as outstanding_amount,
        {% for bucket, column in [
            ('current', 'current_amount'),
            ('days_1_30', 'days_1_30_amount'),
            ('days_31_60', 'days_31_60_amount'),
            ('days_61_90', 'days_61_90_amount'),
            ('days_over_90', 'days_over_90_amount'),
        ] -%}
        cast(sum(case when aging_bucket = '{{ bucket }}' then outstanding_amount else 0 end)
            as {{ billing.money_type() }}) as {{ column }},
        {% endfor -%}
        count(case when outstanding_amount <> 0 then 1 end) as open_document_count
    from aged
    group by as_of_date, legal_entity_id, client_id, currency

),

unapplied_summarized as (

    select
        as_of_dates.as_of_date,
        applications.legal_entity_id,
        applications.client_id,
        applications.currency,
        cast(sum(applications.amount) as {{ billing.money_type() }}) as unapplied_cash_amount
    from as_of_dates
    inner join applications
        on as_of_dates.as_of_date >= applications.value_date
    where applications.document_number is null
    group by as_of_dates.as_of_date, applications.legal_entity_id, applications.client_id, applications.currency

),

keys as (

    select
        as_of_date,
        legal_entity_id,
        client_id,
        currency
    from documents_summarized

    union

    select
        as_of_date,
        legal_entity_id,
        client_id,
        currency
    from unapplied_summarized

),

final as (

    select
        cast(keys.as_of_date as date) as as_of_date,
        cast(keys.legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(keys.client_id as {{ dbt.type_string() }}) as client_id,
        cast(keys.currency as {{ dbt.type_string() }}) as currency,
        cast(coalesce(documents_summarized.billed_amount, 0) as {{ billing.money_type() }}) as billed_amount,
        cast(coalesce(documents_summarized.credited_amount, 0) as {{ billing.money_type() }}) as credited_amount,
        cast(coalesce(documents_summarized.received_amount, 0) as {{ billing.money_type() }}) as received_amount,
        cast(coalesce(documents_summarized.outstanding_amount, 0) as {{ billing.money_type() }})
            as outstanding_amount,
        cast(coalesce(unapplied_summarized.unapplied_cash_amount, 0) as {{ billing.money_type() }})
            as unapplied_cash_amount,
        {{ billing.money_add([
            'coalesce(documents_summarized.outstanding_amount, 0)',
            '-coalesce(unapplied_summarized.unapplied_cash_amount, 0)'
        ]) }} as net_balance_amount,
        cast(coalesce(documents_summarized.current_amount, 0) as {{ billing.money_type() }}) as current_amount,
        cast(coalesce(documents_summarized.days_1_30_amount, 0) as {{ billing.money_type() }}) as days_1_30_amount,
        cast(coalesce(documents_summarized.days_31_60_amount, 0) as {{ billing.money_type() }}) as days_31_60_amount,
        cast(coalesce(documents_summarized.days_61_90_amount, 0) as {{ billing.money_type() }}) as days_61_90_amount,
        cast(coalesce(documents_summarized.days_over_90_amount, 0) as {{ billing.money_type() }})
            as days_over_90_amount,
        cast(coalesce(documents_summarized.open_document_count, 0) as bigint) as open_document_count
    from keys
    left join documents_summarized
        on keys.as_of_date = documents_summarized.as_of_date
        and keys.legal_entity_id is not distinct from documents_summarized.legal_entity_id
        and keys.client_id is not distinct from documents_summarized.client_id
        and keys.currency = documents_summarized.currency
    left join unapplied_summarized
        on keys.as_of_date = unapplied_summarized.as_of_date
        and keys.legal_entity_id is not distinct from unapplied_summarized.legal_entity_id
        and keys.client_id is not distinct from unapplied_summarized.client_id
        and keys.currency = unapplied_summarized.currency

)

select * from final
