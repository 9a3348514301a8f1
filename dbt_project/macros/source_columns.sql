{#-
    Raw tables always have the columns the parsers require; every other delivered column is added when a
    file first carries it (schema drift, docs/raw-layer.md). Staging models therefore read optional columns
    through `optional_column`, which falls back to a typed null when the column has not been delivered yet.

    Usage in a staging model:
        {%- set raw_columns = billing.relation_column_names(source('raw', 'aws_cur')) %}
        {{ billing.optional_column(raw_columns, 'savings_plan_used_commitment') }} as savings_plan_used_commitment

    The warehouse is only asked at execution time, so `dbt parse` stays offline and fast.
-#}
{% macro relation_column_names(relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do names.append(column.name | lower) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{% macro optional_column(available_columns, column_name) -%}
    {%- if column_name | lower in available_columns -%}
        {{ column_name }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
