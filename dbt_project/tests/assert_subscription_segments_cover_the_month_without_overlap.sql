-- Business rule (issue "External client invoicing", item 3, proration): in every billed month, every unit (UTC
-- day, or UTC hour on a contract with proration_basis 'hour') in which a subscription is subscribed is covered
-- by exactly one of its segments, and that segment is the state of the latest change at or before the unit
-- (a change counts from the start of the unit it falls in; ties on effective_at by change_id); a unit before
-- the first change or after a terminate is covered by none. So the covered units of a month's segments sum to
-- the subscribed units: no gap and no overlap across a change. Recomputed here unit by unit from the change
-- log and the contracts, independently of the segment arithmetic; segments must also lie within their month
-- (0 <= start < end <= units in the month). Returns the offending units and segments.

with

changes as (

    select * from {{ ref('stg_reference__subscription_changes') }}

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

segments as (

    select * from {{ ref('int_subscription_segments') }}

),

digits as (

    select n from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit_values (n)

),

-- 0..999 covers the 744 hours of a 31-day month
unit_numbers as (

    select cast(ones.n + 10 * tens.n + 100 * hundreds.n as integer) as unit_number
    from digits as ones
    cross join digits as tens
    cross join digits as hundreds

),

billed_months as (

    select distinct billing_period_start
    from segments

),

subscription_months as (

    select
        subscriptions.subscription_id,
        subscriptions.client_id,
        billed_months.billing_period_start
    from (select distinct subscription_id, client_id from changes) as subscriptions
    cross join billed_months

),

month_bases as (

    select
        subscription_months.*,
        coalesce(contracts.proration_basis, 'day') as proration_basis
    from subscription_months
    left join contracts
        on subscription_months.client_id = contracts.client_id
        and contracts.valid_from <= subscription_months.billing_period_start
        and (contracts.valid_to is null or subscription_months.billing_period_start < contracts.valid_to)
    qualify row_number() over (
        partition by subscription_months.subscription_id, subscription_months.billing_period_start
        order by contracts.valid_from desc nulls last, contracts.contract_version desc nulls last
    ) = 1

),

units as (

    select
        month_bases.*,
        unit_numbers.unit_number,
        case
            when month_bases.proration_basis = 'hour' then
                {{ dbt.dateadd('hour', 'unit_numbers.unit_number', 'cast(month_bases.billing_period_start as timestamp)') }}
            else
                cast({{ billing.add_days('month_bases.billing_period_start', 'unit_numbers.unit_number') }} as timestamp)
        end as unit_start_at
    from month_bases
    inner join unit_numbers
        on unit_numbers.unit_number
        < {{ billing.proration_period_units('month_bases.billing_period_start', 'month_bases.proration_basis') }}

),

unit_states as (

    select
        units.*,
        changes.change_id,
        changes.change_type
    from units
    left join changes
        on units.subscription_id = changes.subscription_id
        and {{ billing.proration_boundary('changes.effective_at', 'units.proration_basis') }} <= units.unit_start_at
    qualify row_number() over (
        partition by units.subscription_id, units.billing_period_start, units.unit_number
        order by changes.effective_at desc nulls last, changes.change_id desc nulls last
    ) = 1

),

unit_coverage as (

    select
        unit_states.subscription_id,
        unit_states.billing_period_start,
        unit_states.unit_number,
        unit_states.change_id as expected_change_id,
        coalesce(unit_states.change_type <> 'terminate', false) as is_subscribed,
        count(segments.change_id) as covering_segments,
        min(segments.change_id) as covering_change_id
    from unit_states
    left join segments
        on unit_states.subscription_id = segments.subscription_id
        and unit_states.billing_period_start = segments.billing_period_start
        and segments.segment_start_unit <= unit_states.unit_number
        and unit_states.unit_number < segments.segment_end_unit
    group by
        unit_states.subscription_id,
        unit_states.billing_period_start,
        unit_states.unit_number,
        unit_states.change_id,
        unit_states.change_type

)

select
    subscription_id,
    billing_period_start,
    unit_number,
    expected_change_id,
    covering_change_id,
    'unit covered wrongly' as problem
from unit_coverage
where
    (is_subscribed and (covering_segments <> 1 or covering_change_id <> expected_change_id))
    or (not is_subscribed and covering_segments > 0)

union all

select
    subscription_id,
    billing_period_start,
    segment_start_unit as unit_number,
    change_id as expected_change_id,
    change_id as covering_change_id,
    'segment outside its month' as problem
from segments
where
    segment_start_unit < 0
    or segment_end_unit <= segment_start_unit
    or segment_end_unit > period_units
