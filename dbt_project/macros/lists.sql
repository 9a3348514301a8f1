{#-
    Aggregate: the distinct non-null values of a string expression, sorted, joined by `separator`; null when
    there are none. DuckDB orders inside string_agg; Spark has no ordered string_agg, so it sorts a set.
-#}
{% macro sorted_distinct_list(expr, separator=',') -%}
    {{ return(adapter.dispatch('sorted_distinct_list', 'billing')(expr, separator)) }}
{%- endmacro %}

{% macro default__sorted_distinct_list(expr, separator) -%}
    nullif(string_agg(distinct {{ expr }}, '{{ separator }}' order by {{ expr }}), '')
{%- endmacro %}

{% macro spark__sorted_distinct_list(expr, separator) -%}
    nullif(array_join(array_sort(collect_set({{ expr }})), '{{ separator }}'), '')
{%- endmacro %}
