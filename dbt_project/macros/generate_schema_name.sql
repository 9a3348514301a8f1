{#-
    Models and seeds land in exactly the schema named by their `+schema` config (staging, intermediate,
    marts, reference), not in dbt's default `<target schema>_<custom schema>`: other tools (orchestration,
    gates, BI) address them as `marts.fct_invoices` and so on (DESIGN.md §4).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
