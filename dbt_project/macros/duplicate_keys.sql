{#-
    The keys of `model` that occur more than once, with how often: the generic tests `unique` and
    `unique_combination_of_columns` (tests/generic/). `not_null` leaves out rows whose key is null, as dbt's
    `unique` does; the combination test groups nulls like any value.
-#}
{% macro duplicate_keys(model, key_columns, count_alias, not_null) -%}
    {{ return(adapter.dispatch('duplicate_keys', 'billing')(model, key_columns, count_alias, not_null)) }}
{%- endmacro %}

{% macro default__duplicate_keys(model, key_columns, count_alias, not_null) -%}
    select
        {{ key_columns | join(', ') }},
        count(*) as {{ count_alias }}
    from {{ model }}
    {%- if not_null %}
    where {{ billing.keys_not_null(key_columns) }}
    {%- endif %}
    group by {{ key_columns | join(', ') }}
    having count(*) > 1
{%- endmacro %}

{#-
    DuckDB: keys are grouped by their 64-bit hash first, and only the keys whose hash occurs more than once are
    grouped by value. Equal keys have equal hashes, so no duplicate escapes; a hash shared by different keys is
    grouped by value and drops out. The first aggregate holds 8 bytes per distinct key instead of the key itself:
    the ~90-character allocation ids of a ten-million-line month (22 million of them) no longer spill.
-#}
{% macro duckdb__duplicate_keys(model, key_columns, count_alias, not_null) -%}
    {%- set key_hash = 'hash(' ~ key_columns | join(', ') ~ ')' -%}
    with

    repeated_hashes as (

        select {{ key_hash }} as key_hash
        from {{ model }}
        {%- if not_null %}
        where {{ billing.keys_not_null(key_columns) }}
        {%- endif %}
        group by {{ key_hash }}
        having count(*) > 1

    ),

    final as (

        select
            {{ key_columns | join(', ') }},
            count(*) as {{ count_alias }}
        from {{ model }}
        where {{ key_hash }} in (select key_hash from repeated_hashes)
        {%- if not_null %}
            and {{ billing.keys_not_null(key_columns) }}
        {%- endif %}
        group by {{ key_columns | join(', ') }}
        having count(*) > 1

    )

    select * from final
{%- endmacro %}

{% macro keys_not_null(key_columns) -%}
    {%- for column in key_columns %}{{ column }} is not null{% if not loop.last %} and {% endif %}{% endfor -%}
{%- endmacro %}
