{#-
    Fails for every listed column that holds a null, with the number of null rows: the model's not-null rule in
    one test. A test per column (dbt's not_null) is a query per column: ~560 of them made up most of a close's
    fixed cost on DuckDB and about a second each on Spark, and at scale each one read the whole table again. This
    reads the model once. The result has a row per offending column (column_name, null_rows); fail_calc sums the
    null rows, so "Got N results" counts rows, as not_null would. An empty model passes (sum of nothing is null).
-#}
{% test not_null_columns(model, column_names) %}
{{ config(fail_calc='coalesce(sum(null_rows), 0)') }}

with

null_counts as (

    select
        {%- for column_name in column_names %}
        sum(case when {{ column_name }} is null then 1 else 0 end) as nulls_{{ loop.index }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ model }}

),

per_column as (

    {%- for column_name in column_names %}
    select '{{ column_name }}' as column_name, nulls_{{ loop.index }} as null_rows from null_counts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from per_column
where null_rows > 0

{% endtest %}
