with

cost_lines as (

    select * from {{ ref('stg_oci_cost__cost_lines') }}

),

services as (

    select * from {{ ref('stg_reference__service_categories') }}
    where source = 'oci_cost'

),

regions as (

    select * from {{ ref('stg_reference__region_mappings') }}
    where provider = 'oci'

),

mapped as (

    select
        'Oracle' as ProviderName,
        'Oracle' as PublisherName,
        'Oracle' as InvoiceIssuerName,
        cast(null as {{ dbt.type_string() }}) as InvoiceId,
        cost_lines.billing_account_id as BillingAccountId,
        cast(null as {{ dbt.type_string() }}) as BillingAccountName,
        'Tenancy' as BillingAccountType,
        cost_lines.compartment_id as SubAccountId,
        cost_lines.compartment_name as SubAccountName,
        'Compartment' as SubAccountType,
        -- a cost report has no billing period: the calendar month of the usage (parser, docs/raw-layer.md)
        cost_lines.billing_period_start_at as BillingPeriodStart,
        cast(
            {{ billing.add_months('cast(cost_lines.billing_period_start_at as date)', 1) }} as timestamp
        ) as BillingPeriodEnd,
        cost_lines.usage_start_at as ChargePeriodStart,
        cost_lines.usage_end_at as ChargePeriodEnd,
        'Usage' as ChargeCategory,
        case when cost_lines.is_correction then 'Correction' end as ChargeClass,
        coalesce(cost_lines.product_description, services.service_name, cost_lines.service_key) as ChargeDescription,
        'Usage-Based' as ChargeFrequency,

        -- cost/myCost is inclusive of overage and a cost report carries no commitment amortization:
        -- billed = effective (staging, docs/raw-layer.md). The report has no list price: the unit price billed
        -- to the tenancy stands for list and contracted alike.
        cost_lines.x_billed_cost as BilledCost,
        cost_lines.x_amortized_cost as EffectiveCost,
        cost_lines.my_cost as ListCost,
        cost_lines.my_cost as ContractedCost,
        cost_lines.unit_price as ListUnitPrice,
        cost_lines.unit_price as ContractedUnitPrice,
        'Standard' as PricingCategory,
        cost_lines.billed_quantity as PricingQuantity,
        cost_lines.unit_description as PricingUnit,
        cost_lines.currency as PricingCurrency,
        cost_lines.unit_price as PricingCurrencyContractedUnitPrice,
        cost_lines.x_amortized_cost as PricingCurrencyEffectiveCost,
        cost_lines.unit_price as PricingCurrencyListUnitPrice,
        cost_lines.currency as BillingCurrency,
        cost_lines.billed_quantity as ConsumedQuantity,
        cost_lines.unit_description as ConsumedUnit,

        coalesce(services.service_name, cost_lines.service_key) as ServiceName,
        coalesce(services.service_category, 'Other') as ServiceCategory,
        coalesce(services.service_subcategory, 'Other (' || coalesce(services.service_category, 'Other') || ')')
            as ServiceSubcategory,
        cost_lines.sku_id as SkuId,
        cost_lines.product_description as SkuMeter,
        cast(null as {{ dbt.type_string() }}) as SkuPriceId,
        cast(null as {{ dbt.type_string() }}) as SkuPriceDetails,
        cost_lines.resource_id as ResourceId,
        cast(null as {{ dbt.type_string() }}) as ResourceName,
        cast(null as {{ dbt.type_string() }}) as ResourceType,
        -- region identifier -> FOCUS id and name through seeds/region_mappings.csv; an unlisted one keeps its value
        coalesce(regions.region_id, cost_lines.region) as RegionId,
        coalesce(regions.region_name, cost_lines.region) as RegionName,
        cost_lines.availability_domain as AvailabilityZone,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountId,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountName,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountCategory,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountType,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountStatus,
        cast(null as {{ billing.money_type() }}) as CommitmentDiscountQuantity,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountUnit,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationId,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationStatus,
        cost_lines.tags as Tags,
        'Oracle' as ServiceProviderName,
        'Oracle' as HostProviderName,

        cost_lines.charge_id as x_ChargeId,
        cost_lines.source as x_Source,
        cost_lines.source_file as x_SourceFile,
        cost_lines.source_row as x_SourceRow,
        {{ billing.json_value('cost_lines.tags', "'" ~ var('project_tag_key') ~ "'") }} as x_ProjectId,
        cost_lines.billing_period_start as x_BillingPeriodStartDate,
        cost_lines.x_unmapped_columns as x_UnmappedColumns

    from cost_lines
    left join services
        on cost_lines.service_key = services.service_key
    left join regions
        on lower(trim(cost_lines.region)) = regions.provider_region

),

final as (

    select
        {{ billing.focus_select_list('mapped') }}
    from mapped

)

select * from final
