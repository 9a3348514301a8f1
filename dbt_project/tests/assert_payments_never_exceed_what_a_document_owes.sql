-- Business rule (issue 6, cash application): payments applied to a receivable document never exceed its
-- total less its credit notes (never below zero); what a client pays beyond it stays on the client's account
-- as an over-payment. Returns the documents applied more than they owe, and applications to documents that
-- are not receivable (unknown, or in another currency than the payment).

with

documents as (

    select * from {{ ref('int_receivable_documents_unioned') }}

),

credits as (

    select * from {{ ref('int_receivable_credits_unioned') }}

),

applications as (

    select * from {{ ref('fct_payment_applications') }}
    where document_number is not null

),

credited as (

    select
        document_number,
        cast(sum(credited_amount) as {{ billing.money_type() }}) as credited_amount
    from credits
    group by document_number

),

applied as (

    select
        document_number,
        min(currency) as currency,
        max(currency) as other_currency,
        cast(sum(applied_amount) as {{ billing.money_type() }}) as applied_amount
    from applications
    group by document_number

),

final as (

    select
        applied.document_number,
        applied.applied_amount,
        documents.billed_amount,
        credited.credited_amount
    from applied
    left join documents
        on applied.document_number = documents.document_number
        and documents.document_type in ('invoice', 'debit_note')
    left join credited
        on applied.document_number = credited.document_number
    where documents.document_number is null
        or applied.currency <> documents.currency
        or applied.other_currency <> documents.currency
        or applied.applied_amount > greatest(
            {{ billing.money_add(['documents.billed_amount', '-coalesce(credited.credited_amount, 0)']) }},
            cast(0 as {{ billing.money_type() }})
        )

)

select * from final
