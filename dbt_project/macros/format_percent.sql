{#-
    A rate as a short percentage text without trailing zeros: 0.125000 -> '12.5', 0.100000 -> '10', used in
    invoice line descriptions. The pattern has no backslash (shared/PORTABILITY.md trap 12) and is anchored,
    so DuckDB (first match) and Spark (all matches) replace the same text.
-#}
{% macro format_percent(rate_expr) -%}
    regexp_replace(
        cast(cast(cast({{ rate_expr }} as decimal(18,10)) * 100 as decimal(18,6)) as {{ dbt.type_string() }}),
        '[.]?0+$',
        ''
    )
{%- endmacro %}
