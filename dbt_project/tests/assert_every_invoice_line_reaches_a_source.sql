-- Business rule (issue 7, cost transparency): every invoice and note line (fct_invoice_lines) has at least one
-- row in fct_invoice_line_lineage, and every lineage row names a source: a file and a row number (provider
-- export, SLA extract) or a file and a key (seed row, invoice line). Reads only models built after
-- finalization. Returns the lines without lineage and the lineage rows without a source.

with

lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

lineage as (

    select * from {{ ref('fct_invoice_line_lineage') }}

),

lines_without_lineage as (

    select
        'line without lineage' as problem,
        lines.invoice_id || '#' || cast(lines.line_number as {{ dbt.type_string() }}) as line_key
    from lines
    left join (select distinct invoice_id, line_number from lineage) as drilled
        on lines.invoice_id = drilled.invoice_id
        and lines.line_number = drilled.line_number
    where drilled.invoice_id is null

),

rows_without_source as (

    select
        'lineage row without source' as problem,
        invoice_id || '#' || cast(line_number as {{ dbt.type_string() }}) || ' ' || piece_key as line_key
    from lineage
    where source_file is null or (source_row is null and source_key is null)

),

final as (

    select * from lines_without_lineage
    union all
    select * from rows_without_source

)

select * from final
