with

source as (

    select * from {{ source('audit', 'closed_allocations') }}

),

final as (

    select
        cast(billing_period_start as date) as billing_period_start,
        cast(cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
        cast(billing_currency as {{ dbt.type_string() }}) as billing_currency,
        cast(allocated_effective_cost as {{ billing.money_type() }}) as allocated_effective_cost,
        cast(allocated_billed_cost as {{ billing.money_type() }}) as allocated_billed_cost,
        cast(allocation_rows as bigint) as allocation_rows,
        cast(closed_at as timestamp) as closed_at,
        cast(closed_by as {{ dbt.type_string() }}) as closed_by
    from source

)

select * from final
