with

costs as (

    select * from {{ ref('stg_gcp_billing__costs') }}

),

credits as (

    select * from {{ ref('stg_gcp_billing__credits') }}

),

services as (

    select * from {{ ref('stg_reference__service_categories') }}
    where source = 'gcp_billing'

),

regions as (

    select * from {{ ref('stg_reference__region_mappings') }}
    where provider = 'gcp'

),

cost_charges as (

    select
        'Google Cloud' as ProviderName,
        coalesce(costs.seller_name, 'Google Cloud') as PublisherName,
        'Google Cloud' as InvoiceIssuerName,
        cast(null as {{ dbt.type_string() }}) as InvoiceId,
        costs.billing_account_id as BillingAccountId,
        cast(null as {{ dbt.type_string() }}) as BillingAccountName,
        'Billing Account' as BillingAccountType,
        costs.project_id as SubAccountId,
        costs.project_name as SubAccountName,
        'Project' as SubAccountType,
        cast(costs.invoice_month_start as timestamp) as BillingPeriodStart,
        cast({{ billing.add_months('costs.invoice_month_start', 1) }} as timestamp) as BillingPeriodEnd,
        costs.usage_start_at as ChargePeriodStart,
        costs.usage_end_at as ChargePeriodEnd,
        case costs.cost_type
            when 'regular' then 'Usage'
            when 'tax' then 'Tax'
            else 'Adjustment'
        end as ChargeCategory,
        cast(null as {{ dbt.type_string() }}) as ChargeClass,
        costs.sku_description as ChargeDescription,
        case when costs.cost_type = 'regular' then 'Usage-Based' else 'One-Time' end as ChargeFrequency,
        costs.cost as BilledCost,
        costs.cost as EffectiveCost,
        coalesce(costs.cost_at_list, costs.cost) as ListCost,
        costs.cost as ContractedCost,
        cast(null as {{ billing.money_type() }}) as ListUnitPrice,
        cast(null as {{ billing.money_type() }}) as ContractedUnitPrice,
        case when costs.cost_type = 'regular' then 'Standard' end as PricingCategory,
        costs.usage_amount_in_pricing_units as PricingQuantity,
        costs.usage_pricing_unit as PricingUnit,
        costs.currency as PricingCurrency,
        cast(null as {{ billing.money_type() }}) as PricingCurrencyContractedUnitPrice,
        costs.cost as PricingCurrencyEffectiveCost,
        cast(null as {{ billing.money_type() }}) as PricingCurrencyListUnitPrice,
        costs.currency as BillingCurrency,
        case when costs.cost_type = 'regular' then costs.usage_amount end as ConsumedQuantity,
        case when costs.cost_type = 'regular' then costs.usage_unit end as ConsumedUnit,
        coalesce(services.service_name, costs.service_description) as ServiceName,
        coalesce(services.service_category, 'Other') as ServiceCategory,
        coalesce(services.service_subcategory, 'Other (' || coalesce(services.service_category, 'Other') || ')')
            as ServiceSubcategory,
        costs.sku_id as SkuId,
        costs.sku_description as SkuMeter,
        cast(null as {{ dbt.type_string() }}) as SkuPriceId,
        cast(null as {{ dbt.type_string() }}) as SkuPriceDetails,
        coalesce(costs.resource_global_name, costs.resource_name) as ResourceId,
        costs.resource_name as ResourceName,
        cast(null as {{ dbt.type_string() }}) as ResourceType,
        -- region -> FOCUS id and name through seeds/region_mappings.csv; an unlisted region keeps its own value
        coalesce(regions.region_id, costs.region) as RegionId,
        coalesce(regions.region_name, costs.region) as RegionName,
        costs.zone as AvailabilityZone,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountId,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountName,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountCategory,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountType,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountStatus,
        cast(null as {{ billing.money_type() }}) as CommitmentDiscountQuantity,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountUnit,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationId,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationStatus,
        costs.labels as Tags,
        coalesce(costs.seller_name, 'Google Cloud') as ServiceProviderName,
        'Google Cloud' as HostProviderName,

        costs.charge_id as x_ChargeId,
        costs.source as x_Source,
        costs.source_file as x_SourceFile,
        costs.source_row as x_SourceRow,
        costs.project_id as x_ProjectId,
        costs.billing_period_start as x_BillingPeriodStartDate,
        costs.x_unmapped_columns as x_UnmappedColumns

    from costs
    left join services
        on costs.service_description = services.service_key
    left join regions
        on lower(trim(costs.region)) = regions.provider_region

),

-- every element of a row's credits array is a FOCUS charge of its own (ChargeCategory Credit) that keeps
-- the parent's account, project, service, period, currency and tags
credit_charges as (

    select
        parent.ProviderName,
        parent.PublisherName,
        parent.InvoiceIssuerName,
        parent.InvoiceId,
        parent.BillingAccountId,
        parent.BillingAccountName,
        parent.BillingAccountType,
        parent.SubAccountId,
        parent.SubAccountName,
        parent.SubAccountType,
        parent.BillingPeriodStart,
        parent.BillingPeriodEnd,
        parent.ChargePeriodStart,
        parent.ChargePeriodEnd,
        'Credit' as ChargeCategory,
        cast(null as {{ dbt.type_string() }}) as ChargeClass,
        coalesce(credits.credit_full_name, credits.credit_name) as ChargeDescription,
        'One-Time' as ChargeFrequency,
        credits.amount as BilledCost,
        credits.amount as EffectiveCost,
        credits.amount as ListCost,
        credits.amount as ContractedCost,
        cast(null as {{ billing.money_type() }}) as ListUnitPrice,
        cast(null as {{ billing.money_type() }}) as ContractedUnitPrice,
        cast(null as {{ dbt.type_string() }}) as PricingCategory,
        cast(null as {{ billing.money_type() }}) as PricingQuantity,
        cast(null as {{ dbt.type_string() }}) as PricingUnit,
        parent.PricingCurrency,
        cast(null as {{ billing.money_type() }}) as PricingCurrencyContractedUnitPrice,
        credits.amount as PricingCurrencyEffectiveCost,
        cast(null as {{ billing.money_type() }}) as PricingCurrencyListUnitPrice,
        parent.BillingCurrency,
        cast(null as {{ billing.money_type() }}) as ConsumedQuantity,
        cast(null as {{ dbt.type_string() }}) as ConsumedUnit,
        parent.ServiceName,
        parent.ServiceCategory,
        parent.ServiceSubcategory,
        parent.SkuId,
        parent.SkuMeter,
        parent.SkuPriceId,
        parent.SkuPriceDetails,
        parent.ResourceId,
        parent.ResourceName,
        parent.ResourceType,
        parent.RegionId,
        parent.RegionName,
        parent.AvailabilityZone,
        case when credits.credit_type like 'COMMITTED_USAGE_DISCOUNT%' then credits.credit_id end
            as CommitmentDiscountId,
        case when credits.credit_type like 'COMMITTED_USAGE_DISCOUNT%' then credits.credit_name end
            as CommitmentDiscountName,
        case
            when credits.credit_type = 'COMMITTED_USAGE_DISCOUNT' then 'Usage'
            when credits.credit_type = 'COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE' then 'Spend'
        end as CommitmentDiscountCategory,
        case when credits.credit_type like 'COMMITTED_USAGE_DISCOUNT%' then 'Committed Use Discount' end
            as CommitmentDiscountType,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountStatus,
        cast(null as {{ billing.money_type() }}) as CommitmentDiscountQuantity,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountUnit,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationId,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationStatus,
        parent.Tags,
        parent.ServiceProviderName,
        parent.HostProviderName,

        credits.charge_id as x_ChargeId,
        credits.source as x_Source,
        credits.source_file as x_SourceFile,
        credits.source_row as x_SourceRow,
        parent.x_ProjectId,
        credits.billing_period_start as x_BillingPeriodStartDate,
        credits.x_unmapped_columns as x_UnmappedColumns

    from credits
    inner join cost_charges as parent
        on credits.parent_charge_id = parent.x_ChargeId

),

unioned as (

    select * from cost_charges
    union all
    select * from credit_charges

),

final as (

    select
        {{ billing.focus_select_list('unioned') }}
    from unioned

)

select * from final
