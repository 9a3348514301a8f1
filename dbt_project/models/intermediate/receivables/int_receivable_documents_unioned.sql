{#-
    Every document a client owes money on: issued invoices and debit notes (audit.issued_invoices, the
    finalized documents of marts.fct_invoices) and debit notes issued from approved adjustments in the
    operational store (raw.ops_adjustment_notes; one whose number is already in audit.issued_invoices is taken
    from there only). A credit note whose original document is not one of them is listed too, with nothing
    billed, so that its credit is never lost (int_receivable_credits_unioned credits it to itself).
-#}

with

issued as (

    select * from {{ ref('stg_audit__issued_invoices') }}

),

ops_notes as (

    select * from {{ ref('stg_ops__adjustment_notes') }}

),

issued_documents as (

    select
        invoice_number as document_number,
        document_type,
        'issued_invoice' as document_source,
        invoice_id,
        legal_entity_id,
        client_id,
        billing_period_start,
        coalesce(invoice_date, cast(issued_at as date)) as document_date,
        due_date,
        currency,
        total,
        original_invoice_number
    from issued

),

ops_documents as (

    select
        ops_notes.document_number,
        ops_notes.document_type,
        'ops_note' as document_source,
        cast(null as {{ dbt.type_string() }}) as invoice_id,
        ops_notes.legal_entity_id,
        ops_notes.client_id,
        ops_notes.billing_period_start,
        coalesce(ops_notes.invoice_date, cast(ops_notes.issued_at as date)) as document_date,
        ops_notes.due_date,
        ops_notes.currency,
        ops_notes.total,
        ops_notes.original_invoice_number
    from ops_notes
    left join issued
        on ops_notes.document_number = issued.invoice_number
    where issued.invoice_number is null

),

all_documents as (

    select * from issued_documents
    union all
    select * from ops_documents

),

receivable_numbers as (

    select document_number
    from all_documents
    where document_type in ('invoice', 'debit_note')

),

receivables as (

    select
        all_documents.*,
        all_documents.total as billed_amount
    from all_documents
    where all_documents.document_type in ('invoice', 'debit_note')

),

orphan_credit_notes as (

    select
        all_documents.*,
        cast(0 as {{ billing.money_type() }}) as billed_amount
    from all_documents
    left join receivable_numbers
        on all_documents.original_invoice_number = receivable_numbers.document_number
    where all_documents.document_type = 'credit_note'
        and receivable_numbers.document_number is null

),

unioned as (

    select * from receivables
    union all
    select * from orphan_credit_notes

),

final as (

    select
        cast(document_number as {{ dbt.type_string() }}) as document_number,
        cast(document_type as {{ dbt.type_string() }}) as document_type,
        cast(document_source as {{ dbt.type_string() }}) as document_source,
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(billing_period_start as date) as billing_period_start,
        cast(document_date as date) as document_date,
        cast(due_date as date) as due_date,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(billed_amount as {{ billing.money_type() }}) as billed_amount,
        cast(original_invoice_number as {{ dbt.type_string() }}) as original_invoice_number
    from unioned

)

select * from final
