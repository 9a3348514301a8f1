{#-
    A view on DuckDB, as row-level steps are. On Spark it is written as a table: a Hive metastore keeps a
    view's SQL in a 32,700-character column, and the union of every source's typed FOCUS columns is longer. Its
    tests check the closing period only when every other was tested (macros/incremental_by_period.sql).
-#}
{{ config(materialized=('table' if target.type == 'spark' else 'view'), period_column='x_BillingPeriodStartDate') }}

{%- set normalized = [
    'int_aws_cur_charges_normalized',
    'int_azure_cost_charges_normalized',
    'int_gcp_billing_charges_normalized',
    'int_focus_charges_normalized',
    'int_onprem_charges_normalized',
    'int_oci_cost_charges_normalized',
] -%}

with

{% for model_name in normalized %}
{{ model_name }} as (

    select * from {{ ref(model_name) }}

),

{% endfor -%}

unioned as (

    {%- for model_name in normalized %}
    select
        {{ billing.focus_select_list(model_name) }}
    from {{ model_name }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select * from unioned

)

select * from final
