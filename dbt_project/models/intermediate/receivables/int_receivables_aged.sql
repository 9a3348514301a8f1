{#-
    Every receivable document at every month end (as-of date) on or after its date: what was billed, credited
    by notes dated on or before the as-of date, and received by payments value-dated on or before it that apply
    to the document (int_payments_applied); outstanding = billed - credited - received. The as-of dates are
    int_aging_dates_spined's.

    Aging: days_past_due = as-of date - due date; current (not yet due: 0 days or fewer, or no due date),
    days_1_30, days_31_60, days_61_90 or days_over_90 past due. The whole outstanding amount of a document is in its bucket.
-#}

with

documents as (

    select * from {{ ref('int_receivable_documents_unioned') }}

),

credits as (

    select * from {{ ref('int_receivable_credits_unioned') }}

),

applications as (

    select * from {{ ref('int_payments_applied') }}

),

as_of_dates as (

    select * from {{ ref('int_aging_dates_spined') }}

),

documents_as_of as (

    select
        documents.*,
        as_of_dates.as_of_date
    from as_of_dates
    inner join documents
        on as_of_dates.as_of_date >= documents.document_date

),

credited as (

    select
        documents_as_of.as_of_date,
        documents_as_of.document_number,
        cast(sum(credits.credited_amount) as {{ billing.money_type() }}) as credited_amount
    from documents_as_of
    inner join credits
        on documents_as_of.document_number = credits.document_number
        and documents_as_of.as_of_date >= credits.credit_date
    group by documents_as_of.as_of_date, documents_as_of.document_number

),

received as (

    select
        documents_as_of.as_of_date,
        documents_as_of.document_number,
        cast(sum(applications.amount) as {{ billing.money_type() }}) as received_amount
    from documents_as_of
    inner join applications
        on documents_as_of.document_number = applications.document_number
        and documents_as_of.as_of_date >= applications.value_date
    group by documents_as_of.as_of_date, documents_as_of.document_number

),

balances as (

    select
        documents_as_of.*,
        coalesce(credited.credited_amount, 0) as credited_amount,
        coalesce(received.received_amount, 0) as received_amount,
        {{ billing.days_between('documents_as_of.due_date', 'documents_as_of.as_of_date') }} as days_past_due
    from documents_as_of
    left join credited
        on documents_as_of.as_of_date = credited.as_of_date
        and documents_as_of.document_number = credited.document_number
    left join received
        on documents_as_of.as_of_date = received.as_of_date
        and documents_as_of.document_number = received.document_number

),

final as (

    select
        cast(as_of_date as date) as as_of_date,
        cast(document_number as {{ dbt.type_string() }}) as document_number,
        cast(document_type as {{ dbt.type_string() }}) as document_type,
        cast(document_source as {{ dbt.type_string() }}) as document_source,
        cast(legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(billing_period_start as date) as billing_period_start,
        cast(document_date as date) as document_date,
        cast(due_date as date) as due_date,
        cast(billed_amount as {{ billing.money_type() }}) as billed_amount,
        cast(credited_amount as {{ billing.money_type() }}) as credited_amount,
        cast(received_amount as {{ billing.money_type() }}) as received_amount,
        {{ billing.money_add(['billed_amount', '-credited_amount', '-received_amount']) }} as outstanding_amount,
        cast(days_past_due as bigint) as days_past_due,
        cast(
            case
                when days_past_due is null or days_past_due <= 0 then 'current'
                when days_past_due <= 30 then 'days_1_30'
                when days_past_due <= 60 then 'days_31_60'
                when days_past_due <= 90 then 'days_61_90'
                else 'days_over_90'
            end
            as {{ dbt.type_string() }}
        ) as aging_bucket
    from balances

)

select * from final
