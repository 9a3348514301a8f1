{#-
    Activity drivers per billing period and cost center, the quantities `driver` allocation rules weigh by.
    Usage drivers are measured on the FOCUS charges of the period, credited to the cost center each charge is
    directly mapped to (int_charges_mapped_to_cost_centers), so a pool's own consumption counts for the pool:
      compute_hours      Compute charges consumed in Hours (instance and VM hours)
      vcpu_hours         charges consumed in vCPU-Hours (on-premises virtual machines)
      storage_gb_months  Storage charges consumed in GB-Months
      egress_gb          data transferred out, in GB: Networking charges in GB, and charges in GB whose
                         description says "data transfer out" (AWS books it under the compute service)
    The unit is the FOCUS name of ConsumedUnit (seeds/unit_of_measure_mappings.csv: `Hrs` and `1 Hour` are
    Hours, `GB-Mo` and `1 GB/Month` are GB-Months); quantities in other units (GCP seconds, byte-seconds) are
    not drivers, because no quantity is ever rescaled.
    Reference drivers come from seeds finance maintains:
      headcount          seeds/headcount.csv, the row in force on the period's first day
    Incremental by billing period (macros/incremental_by_period.sql): a close measures its own period's drivers; the
    other periods keep those their own close allocated by.
-#}
{{ config(billing.incremental_by_period('billing_period_start')) }}

with

charges as (

    select
        x_ChargeId as charge_id,
        x_BillingPeriodStartDate as billing_period_start,
        ServiceCategory as service_category,
        ConsumedUnit as consumed_unit,
        ConsumedQuantity as consumed_quantity,
        lower(ChargeDescription) as charge_description
    from {{ ref('int_charges_unioned') }}
    where {{ billing.in_closing_period('x_BillingPeriodStartDate') }}

),

units as (

    select * from {{ ref('stg_reference__unit_of_measure_mappings') }}

),

mapped as (

    select * from {{ ref('int_charges_mapped_to_cost_centers') }}
    where {{ billing.in_closing_period('billing_period_start') }}

),

headcount as (

    select * from {{ ref('stg_reference__headcount') }}

),

usage_drivers as (

    select
        charges.billing_period_start,
        case
            when charges.service_category = 'Compute' and coalesce(units.focus_unit, charges.consumed_unit) = 'Hours'
                then 'compute_hours'
            when coalesce(units.focus_unit, charges.consumed_unit) = 'vCPU-Hours' then 'vcpu_hours'
            when
                charges.service_category = 'Storage'
                and coalesce(units.focus_unit, charges.consumed_unit) = 'GB-Months'
                then 'storage_gb_months'
            when
                coalesce(units.focus_unit, charges.consumed_unit) = 'GB'
                and (charges.service_category = 'Networking' or charges.charge_description like '%data transfer out%')
                then 'egress_gb'
        end as driver_type,
        mapped.cost_center_id,
        cast(charges.consumed_quantity as decimal(38,10)) as driver_quantity
    from charges
    inner join mapped
        on charges.charge_id = mapped.charge_id
    left join units
        on charges.consumed_unit = units.provider_unit
    where charges.consumed_quantity is not null

),

usage_totals as (

    select
        billing_period_start,
        driver_type,
        cost_center_id,
        cast(sum(driver_quantity) as decimal(38,10)) as driver_quantity,
        'usage' as driver_source
    from usage_drivers
    where driver_type is not null
    group by billing_period_start, driver_type, cost_center_id

),

periods as (

    select distinct billing_period_start
    from charges

),

headcount_in_force as (

    select
        periods.billing_period_start,
        'headcount' as driver_type,
        headcount.cost_center_id,
        cast(headcount.headcount as decimal(38,10)) as driver_quantity,
        'seeds/headcount.csv' as driver_source
    from periods
    inner join headcount
        on headcount.valid_from <= periods.billing_period_start
        and (headcount.valid_to is null or periods.billing_period_start < headcount.valid_to)

),

final as (

    select * from usage_totals
    union all
    select * from headcount_in_force

)

select * from final
{{ billing.periods_in_order('billing_period_start') }}
