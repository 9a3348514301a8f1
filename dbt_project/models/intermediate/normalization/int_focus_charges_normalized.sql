{%- set defaulted = ['ServiceCategory', 'ServiceSubcategory', 'ServiceProviderName', 'HostProviderName'] -%}

with

charges as (

    select * from {{ ref('stg_focus__charges') }}

),

-- a FOCUS file is already FOCUS: columns pass through; only columns a 1.2 file cannot carry (the 1.3
-- provider names) or that a sparse file left empty get a documented default
mapped as (

    select
        {%- for column in billing.focus_columns() if column.name not in defaulted %}
        charges.{{ column.name }},
        {%- endfor %}
        coalesce(charges.ServiceCategory, 'Other') as ServiceCategory,
        coalesce(charges.ServiceSubcategory, 'Other (' || coalesce(charges.ServiceCategory, 'Other') || ')')
            as ServiceSubcategory,
        coalesce(charges.ServiceProviderName, charges.PublisherName, charges.ProviderName) as ServiceProviderName,
        coalesce(charges.HostProviderName, charges.ProviderName) as HostProviderName,

        charges.charge_id as x_ChargeId,
        charges.source as x_Source,
        charges.source_file as x_SourceFile,
        charges.source_row as x_SourceRow,
        {{ billing.json_value('charges.Tags', "'" ~ var('project_tag_key') ~ "'") }} as x_ProjectId,
        charges.billing_period_start as x_BillingPeriodStartDate,
        charges.x_unmapped_columns as x_UnmappedColumns

    from charges

),

final as (

    select
        {{ billing.focus_select_list('mapped') }}
    from mapped

)

select * from final
