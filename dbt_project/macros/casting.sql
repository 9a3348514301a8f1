{#- Raw text -> UTC timestamp. Parsers deliver `YYYY-MM-DD HH:MM:SS` in UTC (docs/raw-layer.md). -#}
{% macro to_timestamp(text_expr) -%}
    cast(nullif(trim({{ text_expr }}), '') as timestamp)
{%- endmacro %}

{#- Raw text (`YYYY-MM-DD` or a timestamp) -> date. -#}
{% macro to_date(text_expr) -%}
    cast(cast(nullif(trim({{ text_expr }}), '') as timestamp) as date)
{%- endmacro %}

{#- Raw text -> integer (row numbers, counts). -#}
{% macro to_integer(text_expr) -%}
    cast(try_cast(nullif(trim({{ text_expr }}), '') as bigint) as bigint)
{%- endmacro %}

{#- Empty text is null; trims. Seeds loaded by dbt-spark store empty values as 'None' (trap 1). -#}
{% macro clean_string(expr) -%}
    nullif(nullif(trim({{ expr }}), ''), 'None')
{%- endmacro %}

{#- Date arithmetic returns a date on both engines only after a cast (trap 14). -#}
{% macro add_days(date_expr, days_expr) -%}
    cast({{ dbt.dateadd('day', days_expr, date_expr) }} as date)
{%- endmacro %}

{% macro add_months(date_expr, months_expr) -%}
    cast({{ dbt.dateadd('month', months_expr, date_expr) }} as date)
{%- endmacro %}
