{#-
    The text value of one top-level key of a JSON object held as text. `key_expr` is a SQL expression (a
    quoted literal such as 'project', or a column such as tag_key), so keys with dots or spaces work.
    Engine-specific, hence dispatched (DESIGN.md §6).
-#}
{% macro json_value(json_expr, key_expr) -%}
    {{ return(adapter.dispatch('json_value', 'billing')(json_expr, key_expr)) }}
{%- endmacro %}

{% macro default__json_value(json_expr, key_expr) -%}
    json_extract_string({{ json_expr }}, '$."' || {{ key_expr }} || '"')
{%- endmacro %}

{% macro duckdb__json_value(json_expr, key_expr) -%}
    json_extract_string({{ json_expr }}, '$."' || {{ key_expr }} || '"')
{%- endmacro %}

{% macro spark__json_value(json_expr, key_expr) -%}
    get_json_object({{ json_expr }}, concat('$[''', {{ key_expr }}, ''']'))
{%- endmacro %}
