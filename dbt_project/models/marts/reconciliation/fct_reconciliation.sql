{#-
    Three independent totals per billing period, source, billing account and currency:
      source      the provider's own billed and amortized totals, from the typed raw rows
      normalized  sum of BilledCost / EffectiveCost in marts.focus_cost_and_usage
      allocated   sum of allocated_effective_cost in marts.fct_cost_allocations, UNALLOCATED included
    billed_difference     = normalized_billed_total - source_billed_total
    effective_difference  = normalized_effective_total - source_amortized_total
    allocation_difference = allocated_total - normalized_effective_total
    difference            = |billed_difference| + |effective_difference| + |allocation_difference|
    status is 'balanced' only when all three differences are exactly 0 (DECIMAL, no tolerance).
    Full outer joins keep a key that one side lost entirely; the missing side counts as 0.
-#}

with

source_totals as (

    select * from {{ ref('int_source_costs_summarized') }}

),

normalized_totals as (

    select
        x_BillingPeriodStartDate as billing_period_start,
        x_Source as source,
        BillingAccountId as billing_account_id,
        BillingCurrency as currency,
        cast(sum(BilledCost) as {{ billing.money_type() }}) as normalized_billed_total,
        cast(sum(EffectiveCost) as {{ billing.money_type() }}) as normalized_effective_total
    from {{ ref('focus_cost_and_usage') }}
    group by 1, 2, 3, 4

),

allocated_totals as (

    select
        billing_period_start,
        source,
        billing_account_id,
        billing_currency as currency,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as allocated_total,
        cast(
            sum(case when cost_center_id = 'UNALLOCATED' then allocated_effective_cost else 0 end)
            as {{ billing.money_type() }}
        ) as unallocated_total
    from {{ ref('fct_cost_allocations') }}
    group by 1, 2, 3, 4

),

source_and_normalized as (

    select
        coalesce(source_totals.billing_period_start, normalized_totals.billing_period_start)
            as billing_period_start,
        coalesce(source_totals.source, normalized_totals.source) as source,
        coalesce(source_totals.billing_account_id, normalized_totals.billing_account_id) as billing_account_id,
        coalesce(source_totals.currency, normalized_totals.currency) as currency,
        source_totals.source_row_count,
        source_totals.source_billed_total,
        source_totals.source_amortized_total,
        normalized_totals.normalized_billed_total,
        normalized_totals.normalized_effective_total
    from source_totals
    full outer join normalized_totals
        on source_totals.billing_period_start is not distinct from normalized_totals.billing_period_start
        and source_totals.source is not distinct from normalized_totals.source
        and source_totals.billing_account_id is not distinct from normalized_totals.billing_account_id
        and source_totals.currency is not distinct from normalized_totals.currency

),

joined as (

    select
        coalesce(source_and_normalized.billing_period_start, allocated_totals.billing_period_start)
            as billing_period_start,
        coalesce(source_and_normalized.source, allocated_totals.source) as source,
        coalesce(source_and_normalized.billing_account_id, allocated_totals.billing_account_id)
            as billing_account_id,
        coalesce(source_and_normalized.currency, allocated_totals.currency) as currency,
        coalesce(source_and_normalized.source_row_count, 0) as source_row_count,
        coalesce(source_and_normalized.source_billed_total, 0) as source_billed_total,
        coalesce(source_and_normalized.source_amortized_total, 0) as source_amortized_total,
        coalesce(source_and_normalized.normalized_billed_total, 0) as normalized_billed_total,
        coalesce(source_and_normalized.normalized_effective_total, 0) as normalized_effective_total,
        coalesce(allocated_totals.allocated_total, 0) as allocated_total,
        coalesce(allocated_totals.unallocated_total, 0) as unallocated_total
    from source_and_normalized
    full outer join allocated_totals
        on source_and_normalized.billing_period_start is not distinct from allocated_totals.billing_period_start
        and source_and_normalized.source is not distinct from allocated_totals.source
        and source_and_normalized.billing_account_id is not distinct from allocated_totals.billing_account_id
        and source_and_normalized.currency is not distinct from allocated_totals.currency

),

differences as (

    select
        joined.*,
        {{ billing.money_add(['normalized_billed_total', '-source_billed_total']) }} as billed_difference,
        {{ billing.money_add(['normalized_effective_total', '-source_amortized_total']) }} as effective_difference,
        {{ billing.money_add(['allocated_total', '-normalized_effective_total']) }} as allocation_difference
    from joined

),

final as (

    select
        cast(billing_period_start as date) as billing_period_start,
        cast(source as {{ dbt.type_string() }}) as source,
        cast(billing_account_id as {{ dbt.type_string() }}) as billing_account_id,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(source_row_count as bigint) as source_row_count,
        cast(source_billed_total as {{ billing.money_type() }}) as source_billed_total,
        cast(source_amortized_total as {{ billing.money_type() }}) as source_amortized_total,
        cast(normalized_billed_total as {{ billing.money_type() }}) as normalized_billed_total,
        cast(normalized_effective_total as {{ billing.money_type() }}) as normalized_effective_total,
        cast(allocated_total as {{ billing.money_type() }}) as allocated_total,
        cast(unallocated_total as {{ billing.money_type() }}) as unallocated_total,
        billed_difference,
        effective_difference,
        allocation_difference,
        {{ billing.money_add(['abs(billed_difference)', 'abs(effective_difference)', 'abs(allocation_difference)']) }}
            as difference,
        case
            when billed_difference = 0 and effective_difference = 0 and allocation_difference = 0
                then 'balanced'
            else 'out_of_balance'
        end as status
    from differences

)

select * from final
