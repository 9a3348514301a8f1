{#-
    The columns of an invoice line, in order, typed once: the drafted lines (int_invoice_lines_drafted), the
    issued lines frozen in audit.issued_invoice_lines (stg_audit__issued_invoice_lines) and the mart that
    unions both (fct_invoice_lines) must agree column for column, and orchestration/invoicing/columns.py
    writes the audit table in the same order.
-#}
{% macro invoice_line_columns() -%}
    {{ return([
        ('invoice_id', 'string'),
        ('line_number', 'integer'),
        ('document_type', 'string'),
        ('client_id', 'string'),
        ('legal_entity_id', 'string'),
        ('contract_id', 'string'),
        ('contract_version', 'integer'),
        ('billing_period_start', 'date'),
        ('currency', 'string'),
        ('line_type', 'string'),
        ('pricing_model', 'string'),
        ('price_id', 'string'),
        ('service_id', 'string'),
        ('sku_id', 'string'),
        ('description', 'string'),
        ('quantity', 'money'),
        ('unit', 'string'),
        ('unit_price', 'money'),
        ('price_currency', 'string'),
        ('price_amount', 'money'),
        ('fx_rate', 'money'),
        ('fx_rate_date', 'date'),
        ('fx_source', 'string'),
        ('amount', 'money'),
        ('tax_category', 'string'),
        ('tax_jurisdiction_id', 'string'),
        ('tax_category_code', 'string'),
        ('tax_rate', 'money'),
        ('tax_amount', 'money'),
        ('exemption_reason', 'string'),
        ('exemption_reason_code', 'string'),
        ('service_period_start', 'date'),
        ('service_period_end', 'date'),
        ('reference', 'string'),
        ('source_row_count', 'bigint'),
    ]) }}
{%- endmacro %}

{#- `cast(<column> as <type>) as <column>` for every invoice line column, comma-separated. -#}
{% macro typed_invoice_line_columns() -%}
    {%- set types = {
        'string': dbt.type_string(),
        'money': billing.money_type(),
        'integer': 'integer',
        'bigint': 'bigint',
        'date': 'date',
    } -%}
    {%- for name, kind in billing.invoice_line_columns() %}
        cast({{ name }} as {{ types[kind] }}) as {{ name }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The invoice line column names, comma-separated (for a union's select list). -#}
{% macro invoice_line_column_names() -%}
    {%- for name, kind in billing.invoice_line_columns() -%}
        {{ name }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
