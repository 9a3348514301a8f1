with

staged as (

    select * from {{ ref('stg_azure_cost__cost_details') }}

),

-- One export of an account and period alone: every row is a charge. Both exports loaded (is_paired_export,
-- docs/raw-layer.md): the amortized export carries every charge except the reservation and savings-plan
-- purchases and refunds, which only the actual export carries; so the charges are every amortized row plus the
-- actual export's commitment purchases and refunds, and the actual export's other rows (the same charges at
-- actual cost) are left out.
charges as (

    select
        staged.*,
        coalesce(
            staged.pricing_model in ('Reservation', 'SavingsPlan') and staged.charge_type in ('Purchase', 'Refund'),
            false
        ) as is_commitment_purchase
    from staged
    where
        not staged.is_paired_export
        or staged.cost_dataset = 'AmortizedCost'
        or (staged.pricing_model in ('Reservation', 'SavingsPlan') and staged.charge_type in ('Purchase', 'Refund'))

),

-- FOCUS billed and effective cost of each charge
cost_details as (

    select
        charges.*,
        case
            -- an actual-cost row: what was billed (alone, or a commitment purchase or refund of a pair)
            when charges.cost_dataset = 'ActualCost' then charges.cost_in_billing_currency
            -- amortized rows: covered usage and unused commitment were billed through the purchase ...
            when charges.charge_type in ('UnusedReservation', 'UnusedSavingsPlan')
                then cast(0 as {{ billing.money_type() }})
            when
                charges.pricing_model in ('Reservation', 'SavingsPlan')
                and coalesce(charges.charge_type, 'Usage') = 'Usage'
                then cast(0 as {{ billing.money_type() }})
            -- ... which, in a pair, the actual export's row bills
            when charges.is_paired_export and charges.is_commitment_purchase
                then cast(0 as {{ billing.money_type() }})
            else charges.cost_in_billing_currency
        end as billed_cost,
        case
            -- FOCUS: an amortized commitment purchase has EffectiveCost 0 (its cost is in the covered usage)
            when charges.is_paired_export and charges.cost_dataset = 'ActualCost'
                then cast(0 as {{ billing.money_type() }})
            else charges.cost_in_billing_currency
        end as effective_cost
    from charges

),

services as (

    select * from {{ ref('stg_reference__service_categories') }}
    where source = 'azure_cost'

),

regions as (

    select * from {{ ref('stg_reference__region_mappings') }}
    where provider = 'azure'

),

mapped as (

    select
        'Microsoft' as ProviderName,
        coalesce(cost_details.publisher_name, 'Microsoft') as PublisherName,
        'Microsoft' as InvoiceIssuerName,
        cost_details.invoice_id as InvoiceId,
        cost_details.billing_account_id as BillingAccountId,
        cost_details.billing_account_name as BillingAccountName,
        'Billing Account' as BillingAccountType,
        cost_details.subscription_id as SubAccountId,
        cost_details.subscription_name as SubAccountName,
        'Subscription' as SubAccountType,
        cost_details.billing_period_start_at as BillingPeriodStart,
        -- Azure states the inclusive last day; FOCUS periods are [start, end)
        cast({{ billing.add_days('cost_details.billing_period_last_day', 1) }} as timestamp) as BillingPeriodEnd,
        cast(cost_details.usage_date as timestamp) as ChargePeriodStart,
        cast({{ billing.add_days('cost_details.usage_date', 1) }} as timestamp) as ChargePeriodEnd,

        case
            when cost_details.charge_type is null or cost_details.charge_type = 'Usage' then 'Usage'
            when cost_details.charge_type in ('UnusedReservation', 'UnusedSavingsPlan') then 'Usage'
            when cost_details.charge_type = 'Purchase' then 'Purchase'
            when cost_details.charge_type = 'Tax' then 'Tax'
            when cost_details.charge_type in ('Refund', 'Credit') then 'Credit'
            else 'Adjustment'
        end as ChargeCategory,
        case when cost_details.charge_type = 'Refund' then 'Correction' end as ChargeClass,
        coalesce(cost_details.product_name, cost_details.meter_name) as ChargeDescription,
        case
            when cost_details.frequency = 'Recurring' then 'Recurring'
            when cost_details.frequency = 'OneTime' then 'One-Time'
            when cost_details.charge_type = 'Purchase' then 'One-Time'
            else 'Usage-Based'
        end as ChargeFrequency,

        cost_details.billed_cost as BilledCost,
        cost_details.effective_cost as EffectiveCost,
        case
            when cost_details.payg_price > 0 and cost_details.quantity is not null
                then {{ billing.money_multiply('cost_details.payg_price', 'cost_details.quantity') }}
            else cost_details.cost_in_billing_currency
        end as ListCost,
        case
            when cost_details.unit_price > 0 and cost_details.quantity is not null
                then {{ billing.money_multiply('cost_details.unit_price', 'cost_details.quantity') }}
            else cost_details.cost_in_billing_currency
        end as ContractedCost,
        cost_details.payg_price as ListUnitPrice,
        cost_details.unit_price as ContractedUnitPrice,

        case
            when cost_details.charge_type in ('Tax', 'Refund', 'Credit', 'RoundingAdjustment', 'Adjustment') then null
            when cost_details.pricing_model = 'Spot' then 'Dynamic'
            when cost_details.pricing_model in ('Reservation', 'SavingsPlan') then 'Committed'
            else 'Standard'
        end as PricingCategory,
        cost_details.quantity as PricingQuantity,
        cost_details.unit_of_measure as PricingUnit,
        cost_details.billing_currency as PricingCurrency,
        cost_details.unit_price as PricingCurrencyContractedUnitPrice,
        cost_details.effective_cost as PricingCurrencyEffectiveCost,
        cost_details.payg_price as PricingCurrencyListUnitPrice,
        cost_details.billing_currency as BillingCurrency,
        case when coalesce(cost_details.charge_type, 'Usage') = 'Usage' then cost_details.quantity end
            as ConsumedQuantity,
        case when coalesce(cost_details.charge_type, 'Usage') = 'Usage' then cost_details.unit_of_measure end
            as ConsumedUnit,

        coalesce(services.service_name, cost_details.meter_category, cost_details.consumed_service, 'Other')
            as ServiceName,
        coalesce(services.service_category, 'Other') as ServiceCategory,
        coalesce(services.service_subcategory, 'Other (' || coalesce(services.service_category, 'Other') || ')')
            as ServiceSubcategory,
        cost_details.sku_id as SkuId,
        cost_details.meter_name as SkuMeter,
        cast(null as {{ dbt.type_string() }}) as SkuPriceId,
        cast(null as {{ dbt.type_string() }}) as SkuPriceDetails,
        cost_details.resource_id as ResourceId,
        cost_details.resource_name as ResourceName,
        cast(null as {{ dbt.type_string() }}) as ResourceType,
        -- resource location (any spelling: EastUS, US East, eastus) -> FOCUS id and name through
        -- seeds/region_mappings.csv (Microsoft's Regions.csv); an unlisted location keeps its own value, and the
        -- meter region names the row only when no location is delivered
        coalesce(regions.region_id, lower(cost_details.resource_location)) as RegionId,
        coalesce(regions.region_name, cost_details.resource_location, cost_details.meter_region) as RegionName,
        cost_details.availability_zone as AvailabilityZone,

        case when cost_details.pricing_model in ('Reservation', 'SavingsPlan') then cost_details.benefit_id end
            as CommitmentDiscountId,
        case when cost_details.pricing_model in ('Reservation', 'SavingsPlan') then cost_details.benefit_name end
            as CommitmentDiscountName,
        case
            when cost_details.pricing_model = 'Reservation' then 'Usage'
            when cost_details.pricing_model = 'SavingsPlan' then 'Spend'
        end as CommitmentDiscountCategory,
        case
            when cost_details.pricing_model = 'Reservation' then 'Reservation'
            when cost_details.pricing_model = 'SavingsPlan' then 'Savings Plan'
        end as CommitmentDiscountType,
        case
            when cost_details.charge_type in ('UnusedReservation', 'UnusedSavingsPlan') then 'Unused'
            when coalesce(cost_details.charge_type, 'Usage') = 'Usage'
                and cost_details.pricing_model in ('Reservation', 'SavingsPlan') then 'Used'
        end as CommitmentDiscountStatus,
        cast(null as {{ billing.money_type() }}) as CommitmentDiscountQuantity,
        cast(null as {{ dbt.type_string() }}) as CommitmentDiscountUnit,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationId,
        cast(null as {{ dbt.type_string() }}) as CapacityReservationStatus,
        cost_details.tags as Tags,
        coalesce(cost_details.publisher_name, 'Microsoft') as ServiceProviderName,
        'Microsoft' as HostProviderName,

        cost_details.charge_id as x_ChargeId,
        cost_details.source as x_Source,
        cost_details.source_file as x_SourceFile,
        cost_details.source_row as x_SourceRow,
        {{ billing.json_value('cost_details.tags', "'" ~ var('project_tag_key') ~ "'") }} as x_ProjectId,
        cost_details.billing_period_start as x_BillingPeriodStartDate,
        cost_details.x_unmapped_columns as x_UnmappedColumns

    from cost_details
    left join services
        on cost_details.meter_category = services.service_key
    left join regions
        on lower(trim(cost_details.resource_location)) = regions.provider_region

),

final as (

    select
        {{ billing.focus_select_list('mapped') }}
    from mapped

)

select * from final
