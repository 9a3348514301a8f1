with

source as (

    select * from {{ source('ops', 'ops_disputes') }}

),

final as (

    select
        cast(dispute_id as {{ dbt.type_string() }}) as dispute_id,
        cast(opened_at as timestamp) as opened_at,
        cast(opened_by as {{ dbt.type_string() }}) as opened_by,
        cast(target_type as {{ dbt.type_string() }}) as target_type,
        -- invoice_line: the issued document's number and line
        cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
        cast(line_number as integer) as line_number,
        -- chargeback_line: the line's key; invoice_line: null (the period comes from the invoice)
        cast(billing_period_start as date) as billing_period_start,
        cast(department_id as {{ dbt.type_string() }}) as department_id,
        cast(cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
        cast(service_id as {{ dbt.type_string() }}) as service_id,
        cast(disputed_amount as {{ billing.money_type() }}) as disputed_amount,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(acknowledge_due_at as timestamp) as acknowledge_due_at,
        cast(investigate_due_at as timestamp) as investigate_due_at,
        cast(resolve_due_at as timestamp) as resolve_due_at
    from source

)

select * from final
