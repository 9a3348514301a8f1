{#-
    FOCUS 1.2 conformance applied at the mart, for every source (found by the FinOps Foundation's
    focus-validator, scripts/validate_focus.py; the source normalizers are the better home, see the yml):
      * Tax rows carry no PricingQuantity / PricingUnit (PricingQuantity-C-004-C: null when ChargeCategory
        is Tax; PricingUnit follows its quantity);
      * provider unit names that are not FOCUS UnitFormat become the FOCUS unit of the same quantity, never
        rescaling a quantity (PricingUnit-C-003-O, ConsumedUnit-C-003-O): AWS Hrs / GB-Mo / Lambda-GB-Second,
        Azure 1 GB/Month and 1/Month (Microsoft's own FOCUS mapping, finops-toolkit PricingUnits.csv), GCP
        byte-seconds, a leading 10K -> 10000;
      * a PricingQuantity delivered without a unit is a count: PricingUnit Units (PricingUnit-C-006-C: not
        null when PricingQuantity is not null), Microsoft's FOCUS unit for a bare count.
-#}
{#- provider unit name -> FOCUS UnitFormat name of the same unit (no rescaling) -#}
{%- set unit_names = {
    'Hrs': 'Hours',
    'GB-Mo': 'GB-Months',
    'Lambda-GB-Second': 'GB-Seconds',
    '1 GB/Month': 'GB/Month',
    '1/Month': 'Units/Month',
    'byte-seconds': 'B-Seconds',
} -%}
{%- set unit_cases -%}
    {%- for provider_name, focus_name in unit_names.items() %}
            when {column} = '{{ provider_name }}' then '{{ focus_name }}'
    {%- endfor %}
            when {column} like '10K %' then '10000 ' || substr({column}, 5)
{%- endset -%}
{%- set fixed = {
    'PricingQuantity': "case when charges.ChargeCategory = 'Tax' then null else charges.PricingQuantity end",
    'PricingUnit': "case
            when charges.ChargeCategory = 'Tax' then null" ~ unit_cases.replace('{column}', 'charges.PricingUnit') ~ "
            when charges.PricingUnit is null and charges.PricingQuantity is not null then 'Units'
            else charges.PricingUnit
        end",
    'ConsumedUnit': "case" ~ unit_cases.replace('{column}', 'charges.ConsumedUnit') ~ "
            else charges.ConsumedUnit
        end",
} -%}

with

charges as (

    select * from {{ ref('int_charges_unioned') }}

),

mapped as (

    select * from {{ ref('int_charges_mapped_to_cost_centers') }}

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

)

select * from final
