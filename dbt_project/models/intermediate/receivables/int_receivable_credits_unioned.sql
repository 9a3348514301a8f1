{#-
    Every credit note, issued (audit.issued_invoices) or from an approved adjustment (raw.ops_adjustment_notes;
    one already in audit.issued_invoices is taken from there only), with the receivable document it reduces:
    the invoice or debit note it names (original_invoice_number), else itself (int_receivable_documents_unioned
    lists such a note as a document with nothing billed). credited_amount is the note's total (net + tax) made
    positive; credit_date is the note's date.
-#}

with

issued as (

    select * from {{ ref('stg_audit__issued_invoices') }}

),

ops_notes as (

    select * from {{ ref('stg_ops__adjustment_notes') }}

),

documents as (

    select * from {{ ref('int_receivable_documents_unioned') }}

),

issued_credit_notes as (

    select
        invoice_number as credit_note_number,
        'issued_invoice' as credit_note_source,
        original_invoice_number,
        legal_entity_id,
        client_id,
        coalesce(invoice_date, cast(issued_at as date)) as credit_date,
        currency,
        total
    from issued
    where document_type = 'credit_note'

),

ops_credit_notes as (

    select
        ops_notes.document_number as credit_note_number,
        'ops_note' as credit_note_source,
        ops_notes.original_invoice_number,
        ops_notes.legal_entity_id,
        ops_notes.client_id,
        coalesce(ops_notes.invoice_date, cast(ops_notes.issued_at as date)) as credit_date,
        ops_notes.currency,
        ops_notes.total
    from ops_notes
    left join issued
        on ops_notes.document_number = issued.invoice_number
    where ops_notes.document_type = 'credit_note'
        and issued.invoice_number is null

),

credit_notes as (

    select * from issued_credit_notes
    union all
    select * from ops_credit_notes

),

final as (

    select
        cast(credit_notes.credit_note_number as {{ dbt.type_string() }}) as credit_note_number,
        cast(credit_notes.credit_note_source as {{ dbt.type_string() }}) as credit_note_source,
        cast(coalesce(originals.document_number, credit_notes.credit_note_number) as {{ dbt.type_string() }})
            as document_number,
        cast(credit_notes.original_invoice_number as {{ dbt.type_string() }}) as original_invoice_number,
        cast(credit_notes.legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(credit_notes.client_id as {{ dbt.type_string() }}) as client_id,
        cast(credit_notes.credit_date as date) as credit_date,
        cast(credit_notes.currency as {{ dbt.type_string() }}) as currency,
        cast(-credit_notes.total as {{ billing.money_type() }}) as credited_amount
    from credit_notes
    left join documents as originals
        on credit_notes.original_invoice_number = originals.document_number
        and originals.document_type in ('invoice', 'debit_note')

)

select * from final
