{#-
    Incremental by billing period (README "Incremental closes"): the row-level models, whose size grows with every
    month loaded, rebuild only the period being closed. A close sets BILLING_PERIOD_START (orchestration/defs/
    transform/dbt.py); the model reads its inputs through `billing.in_closing_period(column)`, and the strategy
    below deletes that period's rows and inserts what the model computed, so a period whose rows all vanished
    keeps none (dbt's delete+insert deletes only the keys the new rows carry). Other periods keep what their own
    last close computed. A model's first build, a build without a period (tests, `dbt build` by hand) and a build
    after the model's SQL changed (orchestration/defs/transform/incremental.py drops the table first) compute
    every period. Spark writes plain Parquet tables (no Delta/Iceberg offline): there the models stay tables.
-#}

{#- DuckDB only: Spark writes plain Parquet tables (no Delta/Iceberg offline), so there these models are tables. -#}
{% macro period_models_are_incremental() -%}
    {{ return(target.type == 'duckdb') }}
{%- endmacro %}

{% macro incremental_by_period(period_column) -%}
    {{ return({
        'materialized': 'incremental' if billing.period_models_are_incremental() else 'table',
        'incremental_strategy': 'replace_period',
        'period_column': period_column,
        'on_schema_change': 'fail',
    }) }}
{%- endmacro %}

{#- Read only when executing: dbt records every environment variable a file reads while parsing and re-parses the
    file when its value changes, so reading it at parse time made each close re-parse every file with a data test
    (~5 s a close). Nothing parsing needs depends on the period. -#}
{% macro closing_period() -%}
    {{ return(env_var('BILLING_PERIOD_START', '') if execute else '') }}
{%- endmacro %}

{% macro period_equals(column) -%}
    {{ return(column ~ " = cast('" ~ billing.closing_period() ~ "' as date)") }}
{%- endmacro %}

{#- A predicate: `column` is the closing period on an incremental build, true otherwise (and in a dbt unit test,
    which has no relation of its own: `this` is none there). -#}
{% macro in_closing_period(column) -%}
    {%- if billing.closing_period() and this is not none and is_incremental() -%}
        {{ billing.period_equals(column) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#-
    A build of every period writes them one after another (`order by` the period column): a later close of one
    period then deletes whole row groups. Rows of every period mixed in each row group would make each period's first
    re-close rewrite the whole table at DuckDB's next checkpoint (it compacts row groups with deleted rows), stalling
    every model running beside it (a million-line re-close among three months: a 23 s stall). A close of one period
    needs no order: its rows are appended together; nor does a build when the raw layer holds a single period (a
    data directory's first close), where sorting a million-line month's allocations cost ~8 s of ~14.
-#}
{% macro periods_in_order(column) -%}
    {%- if billing.period_models_are_incremental() and this is not none
            and not (billing.closing_period() and is_incremental())
            and billing.raw_layer_holds_several_periods() -%}
        order by {{ column }}
    {%- endif -%}
{%- endmacro %}

{#- Whether the provider exports loaded (the raw tables with a `_billing_period_start` lineage column,
    docs/raw-layer.md) span more than one billing period. Read from the warehouse when executing: every row-level
    model's period is its delivery's. True while parsing and when unsure, which only keeps the order. -#}
{% macro raw_layer_holds_several_periods() -%}
    {%- if not execute -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set raw_schemas = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' and node.schema not in raw_schemas -%}
        {%- do raw_schemas.append(node.schema) -%}
    {%- endfor -%}
    {%- if raw_schemas | length != 1 -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set tables = run_query(
        "select table_name from information_schema.columns where table_catalog = current_database()"
        ~ " and table_schema = '" ~ raw_schemas[0] ~ "' and column_name = '_billing_period_start'"
    ).columns[0].values() -%}
    {%- if not tables -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set periods_sql -%}
        select count(distinct period) from (
        {%- for table in tables %}
            select _billing_period_start as period from {{ adapter.quote(raw_schemas[0]) }}.{{ adapter.quote(table) }}
            {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
        ) as loaded
    {%- endset -%}
    {{ return(run_query(periods_sql).columns[0].values()[0] > 1) }}
{%- endmacro %}

{#- dbt's custom incremental strategy `replace_period`: get_incremental_<strategy>_sql. -#}
{% macro get_incremental_replace_period_sql(arg_dict) -%}
    {%- set period_column = config.get('period_column') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- if not period_column -%}
        {{ exceptions.raise_compiler_error(
            "incremental_strategy 'replace_period' needs the config period_column (billing.incremental_by_period)"
        ) }}
    {%- endif -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ billing.in_closing_period(period_column) }};

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }};

    {#- dbt-duckdb leaves a temporary relation to the end of the connection: a month of rows per model, held in
        DuckDB's memory while every later model runs (dropping it took a million-line re-close's dbt time from
        162 s to 113 s, README "Benchmarks"). -#}
    drop table {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#-
    The data tests of a model holding rows by billing period check the period being closed when orchestration says
    every other period was tested already (BILLING_TEST_CLOSING_PERIOD_ONLY=1, orchestration/defs/transform/
    period_tests.py): their rows are what their own closes computed and tested with this same project, unchanged since.
    A release's first close, a close that rebuilt a model for every period, a run by hand and Spark (whose models are
    tables rebuilt whole) test every row. Ids are unique across periods when unique within one: a charge id names its
    delivered file's SHA-256 and row, and a row is one period's (a file spanning several is loaded period by period).
    Such a model is period-incremental (billing.incremental_by_period) or a view of one period's rows per period
    (config `period_column`: a provider's staged rows, whose raw rows only their own period's ingest replaces, and
    views over period-incremental models).
-#}
{% macro closing_period_tests_only() -%}
    {{ return(billing.closing_period() != '' and billing.period_models_are_incremental()
              and env_var('BILLING_TEST_CLOSING_PERIOD_ONLY', '') == '1') }}
{%- endmacro %}

{#- `period_column_of(relation)`: the relation's period column when its tests check the closing period only (above),
    none otherwise. -#}
{% macro period_column_of(relation) -%}
    {#- Models here are named as their relations (no aliases), so the node is found by name. -#}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ relation.identifier) if execute else none -%}
    {%- if node and node.schema == relation.schema and node.config.period_column
        and billing.closing_period_tests_only() -%}
        {%- if node.config.materialized == 'view'
            or (node.config.materialized == 'incremental' and node.config.incremental_strategy == 'replace_period') -%}
            {{ return(node.config.period_column) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- Generic tests: dbt's get_where_subquery (the `where` config), keeping any `where` a test sets. -#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where', '') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set column = billing.period_column_of(relation) -%}
    {%- if column -%}
        {%- do conditions.append(billing.period_equals(column)) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- For a singular test over period-incremental models and what is derived from them: `column` is the period being
    closed when its tests check that period only (see closing_period_tests_only), true otherwise. -#}
{% macro in_tested_period(column) -%}
    {%- if billing.closing_period_tests_only() -%}
        {{ billing.period_equals(column) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
