{#-
    Fails for every combination of the given columns that occurs more than once (the grain of a table).
    Same contract as dbt_utils.unique_combination_of_columns, kept local so the project needs no packages.
    Keys are compared null-safely by grouping (macros/duplicate_keys.sql: on DuckDB, by hash first).
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

{{ billing.duplicate_keys(model, combination_of_columns, 'occurrences', not_null=false) }}

{% endtest %}
