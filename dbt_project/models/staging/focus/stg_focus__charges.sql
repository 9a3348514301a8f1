{#- Its tests check the closing period only when every other was tested (macros/incremental_by_period.sql). -#}
{{ config(period_column='billing_period_start') }}
{%- set cols = billing.relation_column_names(source('raw', 'focus')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}
{#-
    Older FOCUS names of a FOCUS 1.2 column (orchestration/sources/focus.py ALIASES): FOCUS 0.5 / 1.0-preview
    files (e.g. focus-converter 1.0.0 output) say Provider, Publisher, InvoiceIssuer, ChargeType, AmortizedCost.
    A FOCUS 1.3 file may carry only ServiceProviderName, the 1.3 successor of ProviderName.
-#}
{%- set aliases = {
    'providername': ['provider', 'serviceprovidername'],
    'publishername': ['publisher'],
    'invoiceissuername': ['invoiceissuer'],
    'chargecategory': ['chargetype'],
    'effectivecost': ['amortizedcost'],
} -%}

with

source as (

    select * from {{ source('raw', 'focus') }}

),

typed as (

    select
        -- lineage
        'focus' as source,
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start,
        _billing_account_id as delivery_billing_account_id,

        -- every FOCUS column under its FOCUS name; columns the file did not carry are null
        {%- for column in billing.focus_columns() %}
        {%- set raw_name = column.name | lower %}
        {%- set delivered = [] %}
        {%- for name in [raw_name] + aliases.get(raw_name, []) if name in cols %}
        {%- do delivered.append(opt(cols, name)) %}
        {%- endfor %}
        {%- if delivered | length > 1 %}
        {%- set raw_value = 'coalesce(' ~ (delivered | join(', ')) ~ ')' %}
        {%- elif delivered | length == 1 %}
        {%- set raw_value = delivered[0] %}
        {%- else %}
        {%- set raw_value = opt(cols, raw_name) %}
        {%- endif %}
        {%- if column.kind == 'money' %}
        {{ billing.to_money(raw_value) }} as {{ column.name }},
        {%- elif column.kind == 'timestamp' %}
        {{ billing.to_timestamp(raw_value) }} as {{ column.name }},
        {%- else %}
        {{ raw_value }} as {{ column.name }},
        {%- endif %}
        {%- endfor %}

        -- the FOCUS version the parser detected from the file's columns
        {{ opt(cols, 'x_detected_focus_version') }} as x_FocusVersion,

        -- every other delivered column with a value: the provider's own x_ columns, newer FOCUS columns
        -- (docs/raw-layer.md)
        {{ billing.unmapped_columns_json(cols) }} as x_unmapped_columns

    from source

),

final as (

    select
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }}) as charge_id,
        typed.*,
        -- FOCUS states both: billed = BilledCost, amortized = EffectiveCost (docs/raw-layer.md)
        BilledCost as x_billed_cost,
        EffectiveCost as x_amortized_cost
    from typed

)

select * from final
