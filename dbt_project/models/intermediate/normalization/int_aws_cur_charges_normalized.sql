with

line_items as (

    select * from {{ ref('stg_aws_cur__line_items') }}

),

services as (

    select * from {{ ref('stg_reference__service_categories') }}
    where source = 'aws_cur'

),

regions as (

    select * from {{ ref('stg_reference__region_mappings') }}
    where provider = 'aws'

),

-- SavingsPlanNegation lines are not FOCUS charges: they cancel the on-demand cost of covered usage, which
-- FOCUS expresses by billing covered usage at 0 instead (docs/raw-layer.md).
charges as (

    select * from line_items
    where line_item_type <> 'SavingsPlanNegation'

),

mapped as (

    select
        'AWS' as ProviderName,
        coalesce(charges.billing_entity, 'AWS') as PublisherName,
        coalesce(charges.invoicing_entity, 'AWS') as InvoiceIssuerName,
        charges.invoice_id as InvoiceId,
        charges.payer_account_id as BillingAccountId,
        charges.payer_account_name as BillingAccountName,
        'Payer Account' as BillingAccountType,
        charges.usage_account_id as SubAccountId,
        charges.usage_account_name as SubAccountName,
        'Linked Account' as SubAccountType,
        charges.billing_period_start_at as BillingPeriodStart,
        charges.billing_period_end_at as BillingPeriodEnd,
        charges.usage_start_at as ChargePeriodStart,
        charges.usage_end_at as ChargePeriodEnd,

        case
            when charges.line_item_type in (
                'Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'RIFee'
            ) then 'Usage'
            when charges.line_item_type in ('SavingsPlanUpfrontFee', 'Fee') then 'Purchase'
            when charges.line_item_type = 'Tax' then 'Tax'
            when charges.line_item_type in (
                'Credit', 'Refund', 'EdpDiscount', 'PrivateRateDiscount', 'BundledDiscount',
                'SppDiscount', 'DistributorDiscount'
            ) then 'Credit'
            else 'Adjustment'
        end as ChargeCategory,
        case when charges.line_item_type = 'Refund' then 'Correction' end as ChargeClass,
        charges.line_item_description as ChargeDescription,
        case
            when charges.line_item_type in ('SavingsPlanRecurringFee', 'RIFee') then 'Recurring'
            when charges.line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage') then 'Usage-Based'
            else 'One-Time'
        end as ChargeFrequency,

        -- FOCUS commitment semantics: covered usage is billed through the commitment's fees, not itself
        case
            when charges.line_item_type = 'SavingsPlanCoveredUsage' then cast(0 as {{ billing.money_type() }})
            else charges.unblended_cost
        end as BilledCost,
        case
            when charges.line_item_type = 'SavingsPlanCoveredUsage' then charges.savings_plan_effective_cost
            -- the upfront payment is amortized into covered usage, so the purchase itself costs 0
            when charges.line_item_type = 'SavingsPlanUpfrontFee' then cast(0 as {{ billing.money_type() }})
            -- the recurring fee line carries the commitment nobody used
            when charges.line_item_type = 'SavingsPlanRecurringFee'
                then {{ billing.money_add([
                    'charges.savings_plan_total_commitment_to_date',
                    '-coalesce(charges.savings_plan_used_commitment, 0)',
                ]) }}
            when charges.line_item_type = 'DiscountedUsage' then charges.reservation_effective_cost
            when charges.line_item_type = 'RIFee'
                then {{ billing.money_add([
                    'coalesce(charges.reservation_unused_amortized_upfront_fee, 0)',
                    'coalesce(charges.reservation_unused_recurring_fee, 0)',
                ]) }}
            else charges.unblended_cost
        end as EffectiveCost,
        coalesce(charges.public_on_demand_cost, charges.unblended_cost) as ListCost,
        charges.unblended_cost as ContractedCost,
        charges.public_on_demand_rate as ListUnitPrice,
        charges.unblended_rate as ContractedUnitPrice,

        case
            when charges.line_item_type in ('SavingsPlanCoveredUsage', 'DiscountedUsage') then 'Committed'
            when charges.line_item_type in ('SavingsPlanRecurringFee', 'RIFee') then 'Committed'
            when charges.line_item_type in ('Usage', 'SavingsPlanUpfrontFee', 'Fee')
                then case when charges.pricing_term = 'Spot' then 'Dynamic' else 'Standard' end
        end as PricingCategory,
        charges.usage_amount as PricingQuantity,
        charges.pricing_unit as PricingUnit,
        charges.currency_code as PricingCurrency,
        charges.unblended_rate as PricingCurrencyContractedUnitPrice,
        case
            when charges.line_item_type = 'SavingsPlanCoveredUsage' then charges.savings_plan_effective_cost
            when charges.line_item_type = 'SavingsPlanUpfrontFee' then cast(0 as {{ billing.money_type() }})
            when charges.line_item_type = 'SavingsPlanRecurringFee'
                then {{ billing.money_add([
                    'charges.savings_plan_total_commitment_to_date',
                    '-coalesce(charges.savings_plan_used_commitment, 0)',
                ]) }}
            when charges.line_item_type = 'DiscountedUsage' then charges.reservation_effective_cost
            when charges.line_item_type = 'RIFee'
                then {{ billing.money_add([
                    'coalesce(charges.reservation_unused_amortized_upfront_fee, 0)',
                    'coalesce(charges.reservation_unused_recurring_fee, 0)',
                ]) }}
            else charges.unblended_cost
        end as PricingCurrencyEffectiveCost,
        charges.public_on_demand_rate as PricingCurrencyListUnitPrice,
        charges.currency_code as BillingCurrency,
        case
            when charges.line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
                then charges.usage_amount
        end as ConsumedQuantity,
        case
            when charges.line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
                then charges.pricing_unit
        end as ConsumedUnit,

        coalesce(services.service_name, charges.product_name, charges.product_code) as ServiceName,
        coalesce(services.service_category, 'Other') as ServiceCategory,
        coalesce(services.service_subcategory, 'Other (' || coalesce(services.service_category, 'Other') || ')')
            as ServiceSubcategory,
        charges.product_sku as SkuId,
        charges.usage_type as SkuMeter,
        charges.pricing_rate_code as SkuPriceId,
        cast(null as {{ dbt.type_string() }}) as SkuPriceDetails,
        charges.resource_id as ResourceId,
        cast(null as {{ dbt.type_string() }}) as ResourceName,
        cast(null as {{ dbt.type_string() }}) as ResourceType,
        -- region code -> FOCUS id and name through seeds/region_mappings.csv; an unlisted code keeps AWS's values
        coalesce(regions.region_id, charges.region_code) as RegionId,
        coalesce(regions.region_name, charges.region_name) as RegionName,
        charges.availability_zone as AvailabilityZone,

        case
            when charges.line_item_type in (
                'SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee'
            ) then charges.savings_plan_arn
            when charges.line_item_type in ('DiscountedUsage', 'RIFee') then charges.reservation_arn
        end as CommitmentDiscountId,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountName,
        case
            when charges.line_item_type in (
                'SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee'
            ) then 'Spend'
            when charges.line_item_type in ('DiscountedUsage', 'RIFee') then 'Usage'
        end as CommitmentDiscountCategory,
        case
            when charges.line_item_type in (
                'SavingsPlanCoveredUsage', 'SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee'
            ) then 'Savings Plan'
            when charges.line_item_type in ('DiscountedUsage', 'RIFee') then 'Reserved Instance'
        end as CommitmentDiscountType,
        case
            when charges.line_item_type in ('SavingsPlanCoveredUsage', 'DiscountedUsage') then 'Used'
            when charges.line_item_type in ('SavingsPlanRecurringFee', 'RIFee') then 'Unused'
        end as CommitmentDiscountStatus,
        cast(null as {{ billing.money_type() }}) as CommitmentDiscountQuantity,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountUnit,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationId,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationStatus,
        charges.tags as Tags,
        'AWS' as ServiceProviderName,
        'AWS' as HostProviderName,

        charges.charge_id as x_ChargeId,
        charges.source as x_Source,
        charges.source_file as x_SourceFile,
        charges.source_row as x_SourceRow,
        {{ billing.json_value('charges.tags', "'" ~ var('project_tag_key') ~ "'") }} as x_ProjectId,
        charges.billing_period_start as x_BillingPeriodStartDate,
        charges.x_unmapped_columns as x_UnmappedColumns

    from charges
    left join services
        on charges.product_code = services.service_key
    left join regions
        on lower(trim(charges.region_code)) = regions.provider_region

),

final as (

    select
        {{ billing.focus_select_list('mapped') }}
    from mapped

)

select * from final
