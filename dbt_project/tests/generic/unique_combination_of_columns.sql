{#-
    Fails for every combination of the given columns that occurs more than once (the grain of a table).
    Same contract as dbt_utils.unique_combination_of_columns, kept local so the project needs no packages.
    Keys are compared null-safely by grouping, which is portable.
-#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1

)

select * from grouped

{% endtest %}
