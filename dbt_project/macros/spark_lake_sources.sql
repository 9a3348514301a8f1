{#-
    On Spark, every dbt source (schemas raw and audit) is an external Parquet table over the raw lake that
    orchestration mirrors from the DuckDB warehouse before dbt runs (orchestration/engines/lake.py). Declared
    again on every invocation so that columns delivered since the last run (schema drift) are seen; dropping
    an external table never deletes its files. On DuckDB the sources are the warehouse's own tables and this
    hook does nothing.
-#}
{% macro register_lake_sources() %}
    {%- if target.type == 'spark' and execute -%}
        {%- set lake_dir = env_var('BILLING_LAKE_DIR', '../data/lake') -%}
        {%- for source_node in graph.sources.values() -%}
            {%- set relation = source_node.schema ~ '.' ~ source_node.identifier -%}
            {%- set location = lake_dir ~ '/' ~ source_node.schema ~ '/' ~ source_node.identifier -%}
            {%- do run_query('create database if not exists ' ~ source_node.schema) -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query(
                'create table ' ~ relation ~ ' using parquet options ('
                ~ "path '" ~ location ~ "', recursiveFileLookup 'true', mergeSchema 'true')"
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
