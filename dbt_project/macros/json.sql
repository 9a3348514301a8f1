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

{#-
    A JSON object text {column name: value} of the given text columns, keys in the given order, null values
    left out; null when every value is null. Both engines' JSON writers escape the same way (quotes,
    backslashes, control characters as \n or \u001F), so the text is identical on DuckDB and Spark.
-#}
{% macro json_object_of_text_columns(column_names) -%}
    {{ return(adapter.dispatch('json_object_of_text_columns', 'billing')(column_names)) }}
{%- endmacro %}

{#- Pieces joined by concat_ws, which skips the null ones: the same text as to_json of a map of the non-null
    values, about four times faster than building that map (a million-line month's unmapped columns: ~5 s). A
    key is written by to_json of its literal, which DuckDB computes once. -#}
{% macro default__json_object_of_text_columns(column_names) -%}
    nullif('{' || concat_ws(','
        {%- for name in column_names %},
        to_json('{{ name | replace("'", "''") }}') || ':' || to_json({{ adapter.quote(name) }})
        {%- endfor %}
    ) || '}', '{}')
{%- endmacro %}

{% macro spark__json_object_of_text_columns(column_names) -%}
    nullif(to_json(map_filter(map(
        {%- for name in column_names %}'{{ name }}', {{ adapter.quote(name) }}{% if not loop.last %}, {% endif %}{% endfor -%}
    ), (k, v) -> v is not null)), '{}')
{%- endmacro %}
