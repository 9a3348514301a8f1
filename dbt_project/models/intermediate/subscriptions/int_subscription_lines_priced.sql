{#-
    Subscription fees, one priced line per segment (int_subscription_segments) in the priced-line shape
    (line_type and pricing_model 'subscription'):
      * the plan is the price row of the segment's contract version with the change's price_id
        (seeds/contract_subscription_plans.csv); its fee is per unit of quantity and full billing month;
      * unrounded_amount = fee_per_period x quantity x covered units / units in the month, rounded half away
        from zero to 10 decimals by integer division (macros/proration.sql); units are UTC days, or UTC hours
        when the contract's proration_basis is 'hour';
      * unit_price = fee_per_period x covered units / units in the month (the prorated fee per unit of
        quantity, same rounding); quantity = the subscribed quantity;
      * sku_id = subscription_id@segment start (day, or day and hour): a plan can have several segments in a
        month (a quantity change, two subscriptions to one plan), and the priced-line key is
        (client, period, line_type, price_id, sku_id);
      * tax category: the plan's, else the contract header's; line_sort 2 (after usage, before credits).
-#}

with

segments as (

    select * from {{ ref('int_subscription_segments') }}

),

plans as (

    select * from {{ ref('stg_reference__contract_subscription_plans') }}

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

priced as (

    select
        segments.*,
        plans.service_id,
        plans.plan_name,
        plans.unit,
        plans.fee_per_period,
        coalesce(plans.tax_category, contracts.tax_category) as tax_category,
        contracts.currency as price_currency,
        {{ billing.prorate(
            billing.money_multiply('plans.fee_per_period', 'segments.quantity'),
            'segments.covered_units',
            'segments.period_units'
        ) }} as unrounded_amount,
        {{ billing.prorate('plans.fee_per_period', 'segments.covered_units', 'segments.period_units') }}
            as unit_price,
        case
            when segments.proration_basis = 'hour' then
                substr(cast(segments.segment_start_at as {{ dbt.type_string() }}), 1, 16)
            else substr(cast(segments.segment_start_at as {{ dbt.type_string() }}), 1, 10)
        end as segment_start_text,
        case
            when segments.proration_basis = 'hour' then
                substr(cast(segments.segment_end_at as {{ dbt.type_string() }}), 1, 16) || ' UTC'
            -- the last day covered (the segment end is exclusive)
            else substr(cast({{ billing.add_days('cast(segments.segment_end_at as date)', -1) }} as {{ dbt.type_string() }}), 1, 10)
        end as segment_end_text
    from segments
    left join plans
        on segments.contract_id = plans.contract_id
        and segments.contract_version = plans.contract_version
        and segments.price_id = plans.price_id
    left join contracts
        on segments.contract_id = contracts.contract_id
        and segments.contract_version = contracts.contract_version

),

final as (

    select
        client_id,
        contract_id,
        cast(contract_version as integer) as contract_version,
        billing_period_start,
        cast('subscription' as {{ dbt.type_string() }}) as line_type,
        cast('subscription' as {{ dbt.type_string() }}) as pricing_model,
        price_id,
        service_id,
        subscription_id || '@' || segment_start_text as sku_id,
        coalesce(plan_name, price_id)
            || ', quantity ' || {{ billing.decimal_text('quantity') }}
            || ', ' || segment_start_text || ' to ' || segment_end_text
            || ': ' || cast(covered_units as {{ dbt.type_string() }})
            || ' of ' || cast(period_units as {{ dbt.type_string() }})
            || case when proration_basis = 'hour' then ' hours' else ' days' end
            as description,
        cast(quantity as {{ billing.money_type() }}) as quantity,
        unit,
        cast(unit_price as {{ billing.money_type() }}) as unit_price,
        price_currency,
        cast(unrounded_amount as {{ billing.money_type() }}) as unrounded_amount,
        cast(segment_start_at as date) as service_period_start,
        case
            when hour(segment_end_at) = 0 then cast(segment_end_at as date)
            else {{ billing.add_days('cast(segment_end_at as date)', 1) }}
        end as service_period_end,
        subscription_id || ': ' || change_id || ' (' || change_type || ' '
            || substr(cast(state_start_at as {{ dbt.type_string() }}), 1, 19) || ' UTC)'
            || case
                when source_row_count > 1 then
                    ' until ' || next_change_id || ' (' || next_change_type || ' '
                    || substr(cast(state_end_at as {{ dbt.type_string() }}), 1, 19) || ' UTC)'
                else ''
            end as reference,
        tax_category,
        cast(2 as integer) as line_sort,
        cast(source_row_count as bigint) as source_row_count
    from priced

)

select * from final
