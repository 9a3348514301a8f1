-- Business rule (issue 7, cost transparency): every chargeback and showback line (fct_chargeback_lines) has at
-- least one row in fct_chargeback_line_lineage, and every lineage row names a source: a file and a row number
-- (provider export) or a file and a key (seed row). Returns the lines without lineage and the rows without a
-- source.
-- In a close on DuckDB, checked for the period being closed (macros/incremental_by_period.sql).

with

lines as (

    select * from {{ ref('fct_chargeback_lines') }}
    where {{ billing.in_tested_period('billing_period_start') }}

),

lineage as (

    select * from {{ ref('fct_chargeback_line_lineage') }}
    where {{ billing.in_tested_period('billing_period_start') }}

),

lines_without_lineage as (

    select
        'line without lineage' as problem,
        lines.department_id || '|' || lines.cost_center_id || '|' || lines.service_id || '|'
            || coalesce(lines.sku_id, '') || '|' || coalesce(lines.resource_id, '') as line_key
    from lines
    left join (
        select distinct
            billing_period_start, department_id, cost_center_id, service_id, sku_id, resource_id,
            billing_currency, mode
        from lineage
    ) as drilled
        on lines.billing_period_start = drilled.billing_period_start
        and lines.department_id = drilled.department_id
        and lines.cost_center_id = drilled.cost_center_id
        and lines.service_id = drilled.service_id
        and coalesce(lines.sku_id, '') = coalesce(drilled.sku_id, '')
        and coalesce(lines.resource_id, '') = coalesce(drilled.resource_id, '')
        and lines.billing_currency = drilled.billing_currency
        and lines.mode = drilled.mode
    where drilled.department_id is null

),

rows_without_source as (

    select 'lineage row without source' as problem, department_id || '|' || piece_key as line_key
    from lineage
    where source_file is null or (source_row is null and source_key is null)

),

final as (

    select * from lines_without_lineage
    union all
    select * from rows_without_source

)

select * from final
