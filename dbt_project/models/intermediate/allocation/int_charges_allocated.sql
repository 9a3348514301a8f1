{#-
    One row per charge x receiving cost center with the amounts it receives. Today every rule is direct
    (share_ratio 1, no driver), so each charge appears once with its whole cost; shared-cost rules will
    add rows per receiving cost center whose shares sum to 1.
-#}

with

charges as (

    select * from {{ ref('int_charges_unioned') }}

),

mapped as (

    select * from {{ ref('int_charges_mapped_to_cost_centers') }}

),

cost_centers as (

    select * from {{ ref('stg_reference__cost_centers') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

final as (

    select
        charges.x_BillingPeriodStartDate as billing_period_start,
        charges.x_ChargeId as charge_id,
        charges.x_Source as source,
        charges.BillingAccountId as billing_account_id,
        charges.SubAccountId as sub_account_id,
        charges.ServiceName as service_name,
        charges.ServiceCategory as service_category,
        mapped.cost_center_id,
        cost_centers.owner_type as cost_center_owner_type,
        cost_centers.department_id,
        departments.business_unit_id,
        cost_centers.client_id,
        cast(charges.EffectiveCost as {{ billing.money_type() }}) as allocated_effective_cost,
        cast(charges.BilledCost as {{ billing.money_type() }}) as allocated_billed_cost,
        charges.BillingCurrency as billing_currency,
        mapped.allocation_rule_id,
        mapped.allocation_method,
        cast(null as {{ billing.money_type() }}) as driver_quantity,
        cast(1 as {{ billing.money_type() }}) as share_ratio
    from charges
    inner join mapped
        on charges.x_ChargeId = mapped.charge_id
    left join cost_centers
        on mapped.cost_center_id = cost_centers.cost_center_id
    left join departments
        on cost_centers.department_id = departments.department_id

)

select * from final
