{#-
    Subscription states cut into billing-month segments (issue "External client invoicing", item 3):
      * every change opens a state (plan, quantity) that lasts until the subscription's next change (ties on
        effective_at: change_id order, so the earlier id's state is empty); a terminate state bills nothing;
      * the client's contract in force on the billing month's first day decides the proration basis
        (valid_from <= period < valid_to, empty = open; the latest valid_from, then the highest version, wins);
      * state boundaries are truncated to the unit they fall in (macros/proration.sql): the UTC day on the day
        basis, the UTC clock hour on the hour basis, so the unit of a change belongs to the new state;
      * each state in each month gives the segment [max(state start, month start), min(state end, month end)),
        measured in whole units; a segment of zero units (two changes in one unit) is dropped, so the segments
        of a month never overlap and leave no gap across a change;
      * months are billed from the state's month through the last billed month: the month of var
        `subscriptions_billed_through` (a date), else of env var BILLING_PERIOD_START (the month a close runs
        for, set by orchestration/defs/transform/dbt.py), else the last complete month before today (UTC).
-#}

{%- set billed_through = var('subscriptions_billed_through', billing.closing_period()) or none -%}

with

changes as (

    select * from {{ ref('stg_reference__subscription_changes') }}

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

states as (

    select
        change_id,
        client_id,
        subscription_id,
        change_type,
        price_id,
        quantity,
        effective_at as state_start_at,
        lead(effective_at) over (
            partition by subscription_id order by effective_at asc, change_id asc
        ) as state_end_at,
        lead(change_id) over (
            partition by subscription_id order by effective_at asc, change_id asc
        ) as next_change_id,
        lead(change_type) over (
            partition by subscription_id order by effective_at asc, change_id asc
        ) as next_change_type
    from changes

),

billed_states as (

    select * from states
    where change_type <> 'terminate'

),

digits as (

    select n from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit_values (n)

),

-- 0..999: enough months for any subscription (83 years)
month_offsets as (

    select cast(ones.n + 10 * tens.n + 100 * hundreds.n as integer) as month_offset
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds

),

horizon as (

    select
        {%- if billed_through is none %}
        {{ billing.add_months('cast(' ~ dbt.date_trunc('month', 'current_date') ~ ' as date)', -1) }}
        {%- else %}
        cast({{ dbt.date_trunc('month', "cast('" ~ billed_through ~ "' as date)") }} as date)
        {%- endif %} as last_billed_month

),

state_months as (

    select
        billed_states.*,
        {{ billing.add_months(
            'cast(' ~ dbt.date_trunc('month', 'billed_states.state_start_at') ~ ' as date)',
            'month_offsets.month_offset'
        ) }} as billing_period_start
    from billed_states
    cross join month_offsets
    cross join horizon
    where
        {{ billing.add_months(
            'cast(' ~ dbt.date_trunc('month', 'billed_states.state_start_at') ~ ' as date)',
            'month_offsets.month_offset'
        ) }} <= horizon.last_billed_month
        and (
            billed_states.state_end_at is null
            or {{ billing.add_months(
                'cast(' ~ dbt.date_trunc('month', 'billed_states.state_start_at') ~ ' as date)',
                'month_offsets.month_offset'
            ) }} <= cast({{ dbt.date_trunc('month', 'billed_states.state_end_at') }} as date)
        )

),

client_periods as (

    select distinct client_id, billing_period_start
    from state_months

),

period_contracts as (

    select
        client_periods.client_id,
        client_periods.billing_period_start,
        contracts.contract_id,
        contracts.contract_version,
        contracts.proration_basis
    from client_periods
    left join contracts
        on client_periods.client_id = contracts.client_id
        and contracts.valid_from <= client_periods.billing_period_start
        and (contracts.valid_to is null or client_periods.billing_period_start < contracts.valid_to)
    qualify row_number() over (
        partition by client_periods.client_id, client_periods.billing_period_start
        order by contracts.valid_from desc nulls last, contracts.contract_version desc nulls last
    ) = 1

),

bounded as (

    select
        state_months.*,
        period_contracts.contract_id,
        period_contracts.contract_version,
        coalesce(period_contracts.proration_basis, 'day') as proration_basis,
        cast(state_months.billing_period_start as timestamp) as period_start_at,
        cast({{ billing.add_months('state_months.billing_period_start', 1) }} as timestamp) as period_end_at,
        {{ billing.proration_boundary('state_months.state_start_at', "coalesce(period_contracts.proration_basis, 'day')") }}
            as state_start_boundary,
        case
            when state_months.state_end_at is not null then
                {{ billing.proration_boundary('state_months.state_end_at', "coalesce(period_contracts.proration_basis, 'day')") }}
        end as state_end_boundary
    from state_months
    left join period_contracts
        on state_months.client_id = period_contracts.client_id
        and state_months.billing_period_start = period_contracts.billing_period_start

),

clipped as (

    select
        bounded.*,
        case
            when state_start_boundary > period_start_at then state_start_boundary
            else period_start_at
        end as segment_start_at,
        case
            when state_end_boundary is null or state_end_boundary > period_end_at then period_end_at
            else state_end_boundary
        end as segment_end_at,
        -- the next change ends this segment inside the month (it is one of the change-log rows behind it)
        coalesce(state_end_boundary < period_end_at, false) as is_ended_by_next_change
    from bounded

),

measured as (

    select
        clipped.*,
        {{ billing.proration_unit_index('segment_start_at', 'billing_period_start', 'proration_basis') }}
            as segment_start_unit,
        {{ billing.proration_unit_index('segment_end_at', 'billing_period_start', 'proration_basis') }}
            as segment_end_unit,
        {{ billing.proration_period_units('billing_period_start', 'proration_basis') }} as period_units
    from clipped

),

final as (

    select
        subscription_id,
        client_id,
        billing_period_start,
        contract_id,
        contract_version,
        proration_basis,
        change_id,
        change_type,
        price_id,
        quantity,
        state_start_at,
        state_end_at,
        next_change_id,
        next_change_type,
        segment_start_at,
        segment_end_at,
        segment_start_unit,
        segment_end_unit,
        cast(segment_end_unit - segment_start_unit as bigint) as covered_units,
        period_units,
        cast(1 + case when is_ended_by_next_change then 1 else 0 end as bigint) as source_row_count
    from measured
    where segment_end_unit > segment_start_unit

)

select * from final
