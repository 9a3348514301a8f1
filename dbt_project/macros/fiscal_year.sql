{#-
    The fiscal year a date falls in, named by the calendar year it ends in (var fiscal_year_start_month,
    1 = January: fiscal year 2026 is calendar 2026; 4 = April: fiscal year 2027 runs 2026-04-01..2027-03-31).
-#}
{% macro fiscal_year(date_expr) -%}
    {%- set start_month = var('fiscal_year_start_month', 1) | int -%}
    {%- if start_month == 1 -%}
    cast(year({{ date_expr }}) as integer)
    {%- else -%}
    cast(year({{ date_expr }}) + case when month({{ date_expr }}) >= {{ start_month }} then 1 else 0 end as integer)
    {%- endif -%}
{%- endmacro %}

{#- The first day of the fiscal quarter a date falls in. -#}
{% macro fiscal_quarter_start(date_expr) -%}
    {%- set start_month = var('fiscal_year_start_month', 1) | int -%}
    {{ billing.add_months(
        dbt.date_trunc('month', date_expr),
        '-(((month(' ~ date_expr ~ ') - ' ~ start_month ~ ' + 12) % 12) % 3)'
    ) }}
{%- endmacro %}
