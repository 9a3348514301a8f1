with

source as (

    select * from {{ source('ops', 'ops_adjustments') }}

),

final as (

    select
        cast(adjustment_id as {{ dbt.type_string() }}) as adjustment_id,
        cast(proposed_at as timestamp) as proposed_at,
        cast(proposed_by as {{ dbt.type_string() }}) as proposed_by,
        cast(kind as {{ dbt.type_string() }}) as kind,
        cast(dispute_id as {{ dbt.type_string() }}) as dispute_id,
        cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
        cast(line_number as integer) as line_number,
        cast(currency as {{ dbt.type_string() }}) as currency,
        -- positive; the note's sign comes from its kind
        cast(net_amount as {{ billing.money_type() }}) as net_amount,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(required_approvals as integer) as required_approvals
    from source

)

select * from final
