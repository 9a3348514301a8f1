{#-
    Every invoice and note line: lines of issued documents as frozen in audit.issued_invoice_lines, lines of
    every other document from the current draft (intermediate.int_invoice_lines_drafted). A usage line drills
    down through client_id, billing_period_start, service_id and sku_id to the allocated charges in
    fct_cost_allocations; fx_rate, fx_rate_date and tax_jurisdiction_id say how the amount and tax were made.
-#}

with

issued_lines as (

    select * from {{ ref('stg_audit__issued_invoice_lines') }}

),

issued as (

    select * from {{ ref('stg_audit__issued_invoices') }}

),

drafted_lines as (

    select * from {{ ref('int_invoice_lines_drafted') }}

),

draft_lines as (

    select drafted_lines.*
    from drafted_lines
    left join issued
        on drafted_lines.invoice_id = issued.invoice_id
    where issued.invoice_id is null

),

unioned as (

    select
        {{ billing.invoice_line_column_names() }},
        'finalized' as status
    from issued_lines

    union all

    select
        {{ billing.invoice_line_column_names() }},
        'draft' as status
    from draft_lines

),

final as (

    select
        {{ billing.typed_invoice_line_columns() }},
        cast(status as {{ dbt.type_string() }}) as status
    from unioned

)

select * from final
