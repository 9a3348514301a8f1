{#-
    Raw tables always have the columns the parsers require; every other delivered column is added when a
    file first carries it (schema drift, docs/raw-layer.md). Staging models therefore read raw columns
    through `optional_column`, which falls back to a typed null when the column has not been delivered yet.

    Usage in a staging model:
        {%- set cols = billing.relation_column_names(source('raw', 'aws_cur')) %}
        {%- set opt = billing.optional_column %}
        {{ opt(cols, 'savings_plan_used_commitment') }} as savings_plan_used_commitment,
        ...
        {{ billing.unmapped_columns_json(cols) }} as x_unmapped_columns

    `cols` maps each column name of the relation (lower-case) to whether the model has read it: every raw
    column a staging model reads goes through `opt` (a required column renders as its bare name), which marks
    it read, so `unmapped_columns_json` at the end of the select list knows, at compile time, exactly which
    delivered columns the model left unread.

    The warehouse is only asked at execution time, so `dbt parse` stays offline and fast.
-#}
{% macro relation_column_names(relation) -%}
    {%- set names = {} -%}
    {%- if not execute -%}
        {{ return(names) }}
    {%- endif -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do names.update({column.name | lower: false}) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{% macro optional_column(available_columns, column_name) -%}
    {%- set name = column_name | lower -%}
    {%- if name in available_columns -%}
        {%- do available_columns.update({name: true}) -%}
        {{ column_name }}
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#-
    The delivered columns a staging model did not read, as one JSON object text {raw column name: value} of
    the row's non-null values (null when there are none), so that a new or unmapped column reaches FOCUS
    (x_UnmappedColumns) instead of being dropped. Left out: lineage columns (`_source_file`, ...) and the
    columns named in `exclude`, which the staging model leaves out on purpose (an entry ending in `*` is a
    prefix; each source's list is documented in docs/raw-layer.md). Call it after every `opt(...)` of the
    model. Keys are sorted so that the text is the same on every engine.
-#}
{% macro unmapped_columns_json(available_columns, exclude=[]) -%}
    {%- set unread = [] -%}
    {%- for name, read in available_columns.items() | sort -%}
        {%- set ns = namespace(excluded=(read or name.startswith('_'))) -%}
        {%- for pattern in exclude -%}
            {%- if name == pattern or (pattern.endswith('*') and name.startswith(pattern[:-1])) -%}
                {%- set ns.excluded = true -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not ns.excluded -%}
            {%- do unread.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if unread | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        {{ billing.json_object_of_text_columns(unread) }}
    {%- endif -%}
{%- endmacro %}
