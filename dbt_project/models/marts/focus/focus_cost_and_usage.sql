{#-
    FOCUS 1.2 conformance applied at the mart, for every source (found by the FinOps Foundation's
    focus-validator, scripts/validate_focus.py; the source normalizers are the better home, see the yml):
      * Tax rows carry no PricingQuantity / PricingUnit (PricingQuantity-C-004-C: null when ChargeCategory
        is Tax; PricingUnit follows its quantity);
      * provider unit names that are not FOCUS UnitFormat become the FOCUS unit of the same quantity, never
        rescaling a quantity (PricingUnit-C-003-O, ConsumedUnit-C-003-O), through the reference seed
        unit_of_measure_mappings (Microsoft's PricingUnits.csv for Azure; AWS Hrs / GB-Mo / Lambda-GB-Second;
        GCP byte-seconds), and a leading 10K -> 10000 for units the seed does not list;
      * a PricingQuantity delivered without a unit is a count: PricingUnit Units (PricingUnit-C-006-C: not
        null when PricingQuantity is not null), Microsoft's FOCUS unit for a bare count.
    Incremental by billing period (macros/incremental_by_period.sql): a close writes its own period's charges.
-#}
{{ config(billing.incremental_by_period('x_BillingPeriodStartDate')) }}
{#- a provider unit the reference seed does not list keeps its name, except a leading 10K -> 10000 -#}
{%- set unit_cases %}
            when {alias}.focus_unit is not null then {alias}.focus_unit
            when charges.{column} like '10K %' then '10000 ' || substr(charges.{column}, 5)
{%- endset -%}
{%- set fixed = {
    'PricingQuantity': "case when charges.ChargeCategory = 'Tax' then null else charges.PricingQuantity end",
    'PricingUnit': "case
            when charges.ChargeCategory = 'Tax' then null" ~ unit_cases.replace('{alias}', 'pricing_units').replace('{column}', 'PricingUnit') ~ "
            when charges.PricingUnit is null and charges.PricingQuantity is not null then 'Units'
            else charges.PricingUnit
        end",
    'ConsumedUnit': "case" ~ unit_cases.replace('{alias}', 'consumed_units').replace('{column}', 'ConsumedUnit') ~ "
            else charges.ConsumedUnit
        end",
} -%}

with

charges as (

    select * from {{ ref('int_charges_unioned') }}
    where {{ billing.in_closing_period('x_BillingPeriodStartDate') }}

),

mapped as (

    select * from {{ ref('int_charges_mapped_to_cost_centers') }}
    where {{ billing.in_closing_period('billing_period_start') }}

),

units as (

    select * from {{ ref('stg_reference__unit_of_measure_mappings') }}

),

final as (

    select
        {%- for column in billing.focus_columns() %}
        cast({{ fixed.get(column.name, 'charges.' ~ column.name) }} as {{ billing.focus_column_type(column.kind) }})
            as {{ column.name }},
        {%- endfor %}
        {%- for column in billing.focus_extension_columns() %}
        cast(charges.{{ column.name }} as {{ column.type }}) as {{ column.name }},
        {%- endfor %}
        cast(mapped.cost_center_id as {{ dbt.type_string() }}) as x_CostCenterId
    from charges
    inner join mapped
        on charges.x_ChargeId = mapped.charge_id
    left join units as pricing_units
        on trim(charges.PricingUnit) = pricing_units.provider_unit
    left join units as consumed_units
        on trim(charges.ConsumedUnit) = consumed_units.provider_unit

)

select * from final
{{ billing.periods_in_order('x_BillingPeriodStartDate') }}
