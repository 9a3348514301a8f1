{#-
    Restatements of finalized invoices become credit and debit notes, never edits.
    For every issued invoice, what has been invoiced so far per line key (the invoice's frozen lines plus the
    lines of every note issued against it) is compared with what the invoice would be today (the current
    draft): a key's difference in amount or tax is one note line. Differences whose amount + tax is negative
    go on a credit note, positive ones on a debit note (one of each at most per invoice and restatement).
    The note id is the invoice id, the series code and the number of notes of that type already issued + 1
    (GLOBEX-2026-09-CRN1), so a note is drafted again, identically, until it is issued. Amounts are already
    rounded on both sides: a note's lines sum exactly to the difference.
    An invoice of a period whose raw usage retention archived and purged (audit.retention_actions) is not
    compared: today's draft of that period lacks the archived usage, and the difference is not a restatement.
-#}

with

issued as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(document_type as {{ dbt.type_string() }}) as document_type,
        cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(contract_version as integer) as contract_version,
        cast(billing_period_start as date) as billing_period_start,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(payment_terms_days as integer) as payment_terms_days,
        cast(delivery_method as {{ dbt.type_string() }}) as delivery_method,
        cast(original_invoice_id as {{ dbt.type_string() }}) as original_invoice_id
    from {{ source('audit_before_close', 'issued_invoices') }}
    where cast(billing_period_start as date) not in (
        select billing_period_start from {{ ref('stg_audit__retention_actions') }}
    )

),

issued_lines as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(line_type as {{ dbt.type_string() }}) as line_type,
        cast(price_id as {{ dbt.type_string() }}) as price_id,
        cast(sku_id as {{ dbt.type_string() }}) as sku_id,
        cast(service_id as {{ dbt.type_string() }}) as service_id,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(tax_category as {{ dbt.type_string() }}) as tax_category,
        cast(tax_jurisdiction_id as {{ dbt.type_string() }}) as tax_jurisdiction_id,
        cast(tax_category_code as {{ dbt.type_string() }}) as tax_category_code,
        cast(tax_rate as {{ billing.money_type() }}) as tax_rate,
        cast(amount as {{ billing.money_type() }}) as amount,
        cast(tax_amount as {{ billing.money_type() }}) as tax_amount
    from {{ source('audit_before_close', 'issued_invoice_lines') }}

),

current_lines as (

    select * from {{ ref('int_invoice_lines_converted') }}

),

issued_invoices as (

    select * from issued where document_type = 'invoice'

),

invoiced_so_far as (

    select
        coalesce(issued.original_invoice_id, issued.invoice_id) as original_invoice_id,
        issued_lines.line_type,
        coalesce(issued_lines.price_id, '') as price_key,
        coalesce(issued_lines.sku_id, '') as sku_key,
        coalesce(issued_lines.service_id, '') as service_key,
        max(issued_lines.description) as description,
        max(issued_lines.tax_category) as tax_category,
        max(issued_lines.tax_jurisdiction_id) as tax_jurisdiction_id,
        max(issued_lines.tax_category_code) as tax_category_code,
        max(issued_lines.tax_rate) as tax_rate,
        cast(sum(issued_lines.amount) as {{ billing.money_type() }}) as amount,
        cast(sum(issued_lines.tax_amount) as {{ billing.money_type() }}) as tax_amount
    from issued_lines
    inner join issued
        on issued_lines.invoice_id = issued.invoice_id
    group by 1, 2, 3, 4, 5

),

current_by_key as (

    select
        invoice_id as original_invoice_id,
        line_type,
        coalesce(price_id, '') as price_key,
        coalesce(sku_id, '') as sku_key,
        coalesce(service_id, '') as service_key,
        max(description) as description,
        max(tax_category) as tax_category,
        max(tax_jurisdiction_id) as tax_jurisdiction_id,
        max(tax_category_code) as tax_category_code,
        max(tax_rate) as tax_rate,
        max(exemption_reason) as exemption_reason,
        max(exemption_reason_code) as exemption_reason_code,
        cast(sum(amount) as {{ billing.money_type() }}) as amount,
        cast(sum(tax_amount) as {{ billing.money_type() }}) as tax_amount
    from current_lines
    where invoice_id in (select invoice_id from issued_invoices)
    group by 1, 2, 3, 4, 5

),

differences as (

    select
        coalesce(current_by_key.original_invoice_id, invoiced_so_far.original_invoice_id) as original_invoice_id,
        coalesce(current_by_key.line_type, invoiced_so_far.line_type) as line_type,
        coalesce(current_by_key.price_key, invoiced_so_far.price_key) as price_key,
        coalesce(current_by_key.sku_key, invoiced_so_far.sku_key) as sku_key,
        coalesce(current_by_key.service_key, invoiced_so_far.service_key) as service_key,
        coalesce(current_by_key.description, invoiced_so_far.description) as description,
        coalesce(current_by_key.tax_category, invoiced_so_far.tax_category) as tax_category,
        coalesce(current_by_key.tax_jurisdiction_id, invoiced_so_far.tax_jurisdiction_id) as tax_jurisdiction_id,
        coalesce(current_by_key.tax_category_code, invoiced_so_far.tax_category_code) as tax_category_code,
        coalesce(current_by_key.tax_rate, invoiced_so_far.tax_rate) as tax_rate,
        current_by_key.exemption_reason,
        current_by_key.exemption_reason_code,
        {{ billing.money_add(['coalesce(current_by_key.amount, 0)', '-coalesce(invoiced_so_far.amount, 0)']) }}
            as amount,
        {{ billing.money_add(['coalesce(current_by_key.tax_amount, 0)', '-coalesce(invoiced_so_far.tax_amount, 0)']) }}
            as tax_amount
    from current_by_key
    full outer join invoiced_so_far
        on current_by_key.original_invoice_id = invoiced_so_far.original_invoice_id
        and current_by_key.line_type = invoiced_so_far.line_type
        and current_by_key.price_key = invoiced_so_far.price_key
        and current_by_key.sku_key = invoiced_so_far.sku_key
        and current_by_key.service_key = invoiced_so_far.service_key

),

typed as (

    select
        differences.*,
        case when differences.amount + differences.tax_amount < 0 then 'credit_note' else 'debit_note' end
            as document_type
    from differences
    where differences.amount <> 0 or differences.tax_amount <> 0

),

notes_issued as (

    select original_invoice_id, document_type, count(*) as notes_issued
    from issued
    where original_invoice_id is not null
    group by original_invoice_id, document_type

),

final as (

    select
        typed.original_invoice_id || '-'
            || case typed.document_type when 'credit_note' then 'CRN' else 'DBN' end
            || cast(coalesce(notes_issued.notes_issued, 0) + 1 as {{ dbt.type_string() }}) as invoice_id,
        typed.document_type,
        typed.original_invoice_id,
        issued_invoices.invoice_number as original_invoice_number,
        issued_invoices.client_id,
        issued_invoices.legal_entity_id,
        issued_invoices.contract_id,
        issued_invoices.contract_version,
        issued_invoices.billing_period_start,
        issued_invoices.currency,
        issued_invoices.payment_terms_days,
        issued_invoices.delivery_method,
        typed.line_type,
        nullif(typed.price_key, '') as price_id,
        nullif(typed.service_key, '') as service_id,
        nullif(typed.sku_key, '') as sku_id,
        'Correction of ' || issued_invoices.invoice_number || ': ' || typed.description as description,
        typed.amount,
        typed.tax_category,
        typed.tax_jurisdiction_id,
        typed.tax_category_code,
        typed.tax_rate,
        typed.tax_amount,
        typed.exemption_reason,
        typed.exemption_reason_code
    from typed
    inner join issued_invoices
        on typed.original_invoice_id = issued_invoices.invoice_id
    left join notes_issued
        on typed.original_invoice_id = notes_issued.original_invoice_id
        and typed.document_type = notes_issued.document_type

)

select * from final
