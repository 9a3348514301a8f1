with

charges as (

    select * from {{ ref('int_charges_unioned') }}

),

mapped as (

    select * from {{ ref('int_charges_mapped_to_cost_centers') }}

),

final as (

    select
        {{ billing.focus_select_list('charges') }},
        cast(mapped.cost_center_id as {{ dbt.type_string() }}) as x_CostCenterId
    from charges
    inner join mapped
        on charges.x_ChargeId = mapped.charge_id

)

select * from final
