{#-
    dbt's built-in `unique`, overridden in this project (a root project's generic test of the same name takes
    precedence): every non-null value of the column that occurs more than once, found through
    macros/duplicate_keys.sql, which on DuckDB groups by a hash first so a table of tens of millions of ids is
    checked without spilling. Same result as dbt's: a failing value and its count.
-#}
{% test unique(model, column_name) %}

{{ billing.duplicate_keys(model, [column_name], 'n_records', not_null=true) }}

{% endtest %}
