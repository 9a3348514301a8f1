{#-
    Every invoice and every credit or debit note: the issued ones exactly as frozen in audit.issued_invoices
    (they never change; later differences become notes), and every other drafted document as a draft - or as
    blocked when a contract violation, a missing reference rate or a missing tax determination holds it back -
    without number, issue time or due date.
-#}

with

issued as (

    select * from {{ ref('stg_audit__issued_invoices') }}

),

drafted as (

    select * from {{ ref('int_invoices_drafted') }}

),

issued_documents as (

    select
        invoice_id,
        document_type,
        invoice_number,
        legal_entity_id,
        client_id,
        contract_id,
        contract_version,
        billing_period_start,
        invoice_date,
        currency,
        subtotal,
        discount_total,
        credit_total,
        tax_total,
        total,
        line_count,
        'finalized' as status,
        issued_at,
        due_date,
        original_invoice_number,
        delivery_method,
        content_sha256,
        cast(null as {{ dbt.type_string() }}) as blocking_issues
    from issued

),

draft_documents as (

    select
        drafted.invoice_id,
        drafted.document_type,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        drafted.legal_entity_id,
        drafted.client_id,
        drafted.contract_id,
        drafted.contract_version,
        drafted.billing_period_start,
        drafted.invoice_date,
        drafted.currency,
        drafted.subtotal,
        drafted.discount_total,
        drafted.credit_total,
        drafted.tax_total,
        drafted.total,
        drafted.line_count,
        case when drafted.blocking_issues is null then 'draft' else 'blocked' end as status,
        cast(null as timestamp) as issued_at,
        cast(null as date) as due_date,
        drafted.original_invoice_number,
        drafted.delivery_method,
        cast(null as {{ dbt.type_string() }}) as content_sha256,
        drafted.blocking_issues
    from drafted
    left join issued
        on drafted.invoice_id = issued.invoice_id
    where issued.invoice_id is null

),

unioned as (

    select * from issued_documents
    union all
    select * from draft_documents

),

final as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(document_type as {{ dbt.type_string() }}) as document_type,
        cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
        cast(legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(contract_version as integer) as contract_version,
        cast(billing_period_start as date) as billing_period_start,
        cast(invoice_date as date) as invoice_date,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(subtotal as {{ billing.money_type() }}) as subtotal,
        cast(discount_total as {{ billing.money_type() }}) as discount_total,
        cast(credit_total as {{ billing.money_type() }}) as credit_total,
        cast(tax_total as {{ billing.money_type() }}) as tax_total,
        cast(total as {{ billing.money_type() }}) as total,
        cast(line_count as integer) as line_count,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(issued_at as timestamp) as issued_at,
        cast(due_date as date) as due_date,
        cast(original_invoice_number as {{ dbt.type_string() }}) as original_invoice_number,
        cast(delivery_method as {{ dbt.type_string() }}) as delivery_method,
        cast(content_sha256 as {{ dbt.type_string() }}) as content_sha256,
        cast(blocking_issues as {{ dbt.type_string() }}) as blocking_issues
    from unioned

)

select * from final
