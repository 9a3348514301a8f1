with

readings as (

    select * from {{ ref('stg_onprem__meter_readings') }}

),

services as (

    select * from {{ ref('stg_reference__service_categories') }}
    where source = 'onprem'

),

mapped as (

    select
        'On-Premises' as ProviderName,
        'On-Premises' as PublisherName,
        'On-Premises' as InvoiceIssuerName,
        cast(null as {{ dbt.type_string() }}) as InvoiceId,
        readings.datacenter_id as BillingAccountId,
        readings.datacenter_name as BillingAccountName,
        'Datacenter' as BillingAccountType,
        readings.cluster_id as SubAccountId,
        readings.cluster_name as SubAccountName,
        'Cluster' as SubAccountType,
        readings.billing_period_start_at as BillingPeriodStart,
        cast(
            {{ billing.add_months('cast(readings.billing_period_start_at as date)', 1) }} as timestamp
        ) as BillingPeriodEnd,
        readings.usage_start_at as ChargePeriodStart,
        readings.usage_end_at as ChargePeriodEnd,
        'Usage' as ChargeCategory,
        cast(null as {{ dbt.type_string() }}) as ChargeClass,
        coalesce(services.service_name, readings.service_key) || ' metered at internal rates' as ChargeDescription,
        'Usage-Based' as ChargeFrequency,
        -- priced at internal rates: billed = effective = list = contracted
        readings.cost as BilledCost,
        readings.cost as EffectiveCost,
        readings.cost as ListCost,
        readings.cost as ContractedCost,
        readings.rate_vcpu_hour as ListUnitPrice,
        readings.rate_vcpu_hour as ContractedUnitPrice,
        'Standard' as PricingCategory,
        readings.vcpu_hours as PricingQuantity,
        case when readings.vcpu_hours is not null then 'vCPU-Hours' end as PricingUnit,
        readings.currency as PricingCurrency,
        readings.rate_vcpu_hour as PricingCurrencyContractedUnitPrice,
        readings.cost as PricingCurrencyEffectiveCost,
        readings.rate_vcpu_hour as PricingCurrencyListUnitPrice,
        readings.currency as BillingCurrency,
        readings.vcpu_hours as ConsumedQuantity,
        case when readings.vcpu_hours is not null then 'vCPU-Hours' end as ConsumedUnit,
        coalesce(services.service_name, readings.service_key) as ServiceName,
        coalesce(services.service_category, 'Other') as ServiceCategory,
        coalesce(services.service_subcategory, 'Other (' || coalesce(services.service_category, 'Other') || ')')
            as ServiceSubcategory,
        readings.service_key as SkuId,
        cast(null as {{ dbt.type_string() }}) as SkuMeter,
        cast(null as {{ dbt.type_string() }}) as SkuPriceId,
        cast(null as {{ dbt.type_string() }}) as SkuPriceDetails,
        readings.vm_id as ResourceId,
        readings.vm_name as ResourceName,
        'Virtual Machine' as ResourceType,
        readings.datacenter_id as RegionId,
        readings.datacenter_name as RegionName,
        cast(null as {{ dbt.type_string() }}) as AvailabilityZone,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountId,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountName,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountCategory,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountType,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountStatus,
        cast(null as {{ billing.money_type() }}) as CommitmentDiscountQuantity,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountUnit,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationId,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationStatus,
        readings.tags as Tags,
        'On-Premises' as ServiceProviderName,
        'On-Premises' as HostProviderName,

        readings.charge_id as x_ChargeId,
        readings.source as x_Source,
        readings.source_file as x_SourceFile,
        readings.source_row as x_SourceRow,
        readings.project as x_ProjectId,
        readings.billing_period_start as x_BillingPeriodStartDate,
        readings.x_unmapped_columns as x_UnmappedColumns

    from readings
    left join services
        on readings.service_key = services.service_key

),

final as (

    select
        {{ billing.focus_select_list('mapped') }}
    from mapped

)

select * from final
