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
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(line_number as integer) as line_number,
        cast(document_type as {{ dbt.type_string() }}) as document_type,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(contract_version as integer) as contract_version,
        cast(billing_period_start as date) as billing_period_start,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(line_type as {{ dbt.type_string() }}) as line_type,
        cast(pricing_model as {{ dbt.type_string() }}) as pricing_model,
        cast(price_id as {{ dbt.type_string() }}) as price_id,
        cast(service_id as {{ dbt.type_string() }}) as service_id,
        cast(sku_id as {{ dbt.type_string() }}) as sku_id,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(quantity as {{ billing.money_type() }}) as quantity,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(unit_price as {{ billing.money_type() }}) as unit_price,
        cast(price_currency as {{ dbt.type_string() }}) as price_currency,
        cast(price_amount as {{ billing.money_type() }}) as price_amount,
        cast(fx_rate as {{ billing.money_type() }}) as fx_rate,
        cast(fx_rate_date as date) as fx_rate_date,
        cast(fx_source as {{ dbt.type_string() }}) as fx_source,
        cast(amount as {{ billing.money_type() }}) as amount,
        cast(tax_category as {{ dbt.type_string() }}) as tax_category,
        cast(tax_jurisdiction_id as {{ dbt.type_string() }}) as tax_jurisdiction_id,
        cast(tax_category_code as {{ dbt.type_string() }}) as tax_category_code,
        cast(tax_rate as {{ billing.money_type() }}) as tax_rate,
        cast(tax_amount as {{ billing.money_type() }}) as tax_amount,
        cast(exemption_reason as {{ dbt.type_string() }}) as exemption_reason,
        cast(exemption_reason_code as {{ dbt.type_string() }}) as exemption_reason_code,
        cast(service_period_start as date) as service_period_start,
        cast(service_period_end as date) as service_period_end,
        cast(reference as {{ dbt.type_string() }}) as reference,
        cast(source_row_count as bigint) as source_row_count
    from unioned

)

select * from final
