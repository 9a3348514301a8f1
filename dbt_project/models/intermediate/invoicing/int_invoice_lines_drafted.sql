{#-
    Draft lines of every invoice and every credit or debit note, exactly the columns of
    audit.issued_invoice_lines (orchestration/invoicing/columns.py): finalizing copies a document's lines there
    by name. Invoice lines are numbered in a stable order (line_sort, service, SKU, type, price, service
    period); a note's lines carry the key of the invoice line they correct.
-#}

with

invoice_lines as (

    select * from {{ ref('int_invoice_lines_converted') }}

),

corrections as (

    select * from {{ ref('int_invoice_corrections') }}

),

numbered_invoice_lines as (

    select
        invoice_id,
        cast(row_number() over (
            partition by invoice_id
            order by line_sort, service_id, sku_id, line_type, price_id, service_period_start
        ) as integer) as line_number,
        'invoice' as document_type,
        client_id,
        legal_entity_id,
        contract_id,
        contract_version,
        billing_period_start,
        currency,
        line_type,
        pricing_model,
        price_id,
        service_id,
        sku_id,
        description,
        quantity,
        unit,
        unit_price,
        price_currency,
        price_amount,
        fx_rate,
        fx_rate_date,
        fx_source,
        amount,
        tax_category,
        tax_jurisdiction_id,
        tax_category_code,
        tax_rate,
        tax_amount,
        exemption_reason,
        exemption_reason_code,
        service_period_start,
        service_period_end,
        reference,
        source_row_count
    from invoice_lines

),

numbered_note_lines as (

    select
        invoice_id,
        cast(row_number() over (
            partition by invoice_id
            order by service_id, sku_id, line_type, price_id
        ) as integer) as line_number,
        document_type,
        client_id,
        legal_entity_id,
        contract_id,
        contract_version,
        billing_period_start,
        currency,
        line_type,
        cast(null as {{ dbt.type_string() }}) as pricing_model,
        price_id,
        service_id,
        sku_id,
        description,
        cast(1 as {{ billing.money_type() }}) as quantity,
        'C62' as unit,
        amount as unit_price,
        cast(null as {{ dbt.type_string() }}) as price_currency,
        cast(null as {{ billing.money_type() }}) as price_amount,
        cast(null as {{ billing.money_type() }}) as fx_rate,
        cast(null as date) as fx_rate_date,
        cast(null as {{ dbt.type_string() }}) as fx_source,
        amount,
        tax_category,
        tax_jurisdiction_id,
        tax_category_code,
        tax_rate,
        tax_amount,
        exemption_reason,
        exemption_reason_code,
        billing_period_start as service_period_start,
        {{ billing.add_months('billing_period_start', 1) }} as service_period_end,
        'corrects ' || original_invoice_number as reference,
        cast(0 as bigint) as source_row_count
    from corrections

),

unioned as (

    select * from numbered_invoice_lines
    union all
    select * from numbered_note_lines

),

final as (

    select
        {{ billing.typed_invoice_line_columns() }}
    from unioned

)

select * from final
