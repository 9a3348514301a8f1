{%- set cols = billing.relation_column_names(source('raw', 'focus')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}

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
        {%- set raw_value = opt(cols, raw_name) %}
        {%- if column.kind == 'money' %}
        {{ billing.to_money(raw_value) }} as {{ column.name }}
        {%- elif column.kind == 'timestamp' %}
        {{ billing.to_timestamp(raw_value) }} as {{ column.name }}
        {%- else %}
        {{ raw_value }} as {{ column.name }}
        {%- endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}

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
