{#-
    Charge x receiving cost center: every charge's effective and billed cost, carried from the cost center it
    is directly mapped to (int_charges_mapped_to_cost_centers) through the allocation cascade.

    Cascade (seeds/allocation_rules.csv): step 1 spreads the shared services, step 2 the platforms, step 3 the
    business services. At each step every piece of a charge held by a pool with a rule in force at that step
    is split over the rule's targets by the period's shares (int_allocation_shares); pieces held elsewhere pass
    unchanged. A target may be a pool of a later step (security monitoring -> container platform -> developer
    tooling -> departments), never of the same or an earlier one (assert_allocation_cascade_flows_forward).

    Exactness: effective cost, billed cost and the cumulative share of the origin charge are each split in
    whole units of 10^-10 (macros/exact_split.sql, largest remainder per piece, ties by target cost center),
    so at every step the pieces of a charge sum exactly to the charge and its shares to exactly 1. Credits
    (negative costs) split by the same shares. Cost left in a pool (no rule in force), in UNALLOCATED or in
    IDLE stays visible as a row of that center: nothing vanishes.

    Computed once per amount: a charge's pieces depend only on its period, currency, direct cost center and
    amounts (the shares are the period's, the splits whole-unit arithmetic on the amounts), so the cascade runs
    over the distinct combinations of those ("amount classes") and every charge takes the pieces of its class.
    A month's lines repeat amounts (the same instance hour, the same request price); charges that share nothing
    cost one class each, as before.

    Incremental by billing period (macros/incremental_by_period.sql): a close allocates its own period.
-#}

{{ config(billing.incremental_by_period('billing_period_start')) }}

{%- set steps = [1, 2, 3] -%}
{#- No piece id travels through the cascade: a piece is its charge and its allocation path (the origin cost center,
    then each cost center it was passed to), and its id, the charge id followed by the path after the origin, is
    written once at the end (long text ids carried through every step and window were most of the memory). -#}
{#- A piece belongs to an amount class (period, currency, origin cost center and the class's amounts), not to a
    charge: `class_*_units` are the amounts the class started with, kept to hand the pieces back to its charges. -#}
{%- set piece_columns = [
    'class_effective_units', 'class_billed_units', 'billing_period_start', 'billing_currency', 'cost_center_id',
    'effective_units', 'billed_units', 'cumulative_units', 'allocation_path', 'allocation_rule_id',
    'allocation_rule_version', 'allocation_method', 'allocation_step', 'driver_type', 'driver_quantity',
    'is_fallback', 'step_share_ratio', 'origin_cost_center_id', 'provider_pool_cost_center_id'
] -%}
{%- set class_partition = 'billing_period_start, billing_currency, class_effective_units, class_billed_units, parent_path' -%}

with

charges as (

    select * from {{ ref('int_charges_unioned') }}
    where {{ billing.in_closing_period('x_BillingPeriodStartDate') }}

),

mapped as (

    select * from {{ ref('int_charges_mapped_to_cost_centers') }}
    where {{ billing.in_closing_period('billing_period_start') }}

),

shares as (

    select * from {{ ref('int_allocation_shares') }}
    where share_units > 0
        and {{ billing.in_closing_period('billing_period_start') }}

),

cost_centers as (

    select * from {{ ref('stg_reference__cost_centers') }}

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

charged as (

    select
        charges.x_ChargeId as charge_id,
        charges.x_BillingPeriodStartDate as billing_period_start,
        charges.BillingCurrency as billing_currency,
        charges.x_Source as source,
        charges.BillingAccountId as billing_account_id,
        charges.SubAccountId as sub_account_id,
        charges.ServiceName as service_name,
        charges.ServiceCategory as service_category,
        charges.x_ProjectId as project_id,
        charges.SkuId as sku_id,
        charges.ResourceId as resource_id,
        mapped.cost_center_id as origin_cost_center_id,
        mapped.allocation_rule_id as direct_rule_id,
        mapped.allocation_method as direct_method,
        {{ billing.to_units('charges.EffectiveCost') }} as effective_units,
        {{ billing.to_units('charges.BilledCost') }} as billed_units
    from charges
    inner join mapped
        on charges.x_ChargeId = mapped.charge_id

),

amount_classes as (

    select distinct billing_period_start, billing_currency, origin_cost_center_id, effective_units, billed_units
    from charged

),

level_0 as (

    select
        effective_units as class_effective_units,
        billed_units as class_billed_units,
        billing_period_start,
        billing_currency,
        origin_cost_center_id as cost_center_id,
        effective_units,
        billed_units,
        cast(10000000000 as decimal(38,0)) as cumulative_units,
        origin_cost_center_id as allocation_path,
        -- a piece still held where the charge was mapped carries the charge's own mapping rule (final)
        cast(null as {{ dbt.type_string() }}) as allocation_rule_id,
        cast(null as integer) as allocation_rule_version,
        cast(null as {{ dbt.type_string() }}) as allocation_method,
        0 as allocation_step,
        cast(null as {{ dbt.type_string() }}) as driver_type,
        cast(null as {{ billing.money_type() }}) as driver_quantity,
        false as is_fallback,
        cast(1 as {{ billing.money_type() }}) as step_share_ratio,
        origin_cost_center_id,
        cast(null as {{ dbt.type_string() }}) as provider_pool_cost_center_id
    from amount_classes

),

{% for step in steps %}
step_{{ step }}_pools as (

    select distinct billing_period_start, billing_currency, pool_cost_center_id
    from shares
    where cascade_step = {{ step }}

),

step_{{ step }}_joined as (

    select
        held.class_effective_units,
        held.class_billed_units,
        held.billing_period_start,
        held.billing_currency,
        held.allocation_path as parent_path,
        shares.target_cost_center_id as cost_center_id,
        held.effective_units,
        held.billed_units,
        held.cumulative_units,
        shares.share_units,
        held.allocation_path || '>' || shares.target_cost_center_id as allocation_path,
        shares.rule_id as allocation_rule_id,
        shares.rule_version as allocation_rule_version,
        shares.applied_method as allocation_method,
        shares.cascade_step as allocation_step,
        shares.driver_type,
        shares.driver_quantity,
        shares.is_fallback,
        shares.share_ratio as step_share_ratio,
        held.origin_cost_center_id,
        -- the pool this piece was last spread from: the IT service its receiver consumed
        held.cost_center_id as provider_pool_cost_center_id
    from level_{{ step - 1 }} as held
    inner join shares
        on held.billing_period_start = shares.billing_period_start
        and held.billing_currency = shares.billing_currency
        and held.cost_center_id = shares.pool_cost_center_id
        and shares.cascade_step = {{ step }}

),

step_{{ step }}_effective_split as (

    {{ billing.split_units('step_' ~ step ~ '_joined', 'effective', class_partition, 'cost_center_id asc') }}

),

step_{{ step }}_billed_split as (

    {{ billing.split_units('step_' ~ step ~ '_effective_split', 'billed', class_partition, 'cost_center_id asc') }}

),

step_{{ step }}_cumulative_split as (

    {{ billing.split_units('step_' ~ step ~ '_billed_split', 'cumulative', class_partition, 'cost_center_id asc') }}

),

level_{{ step }} as (

    select
        {%- for column in piece_columns %}
        {% if column in ['effective_units', 'billed_units', 'cumulative_units'] -%}
        {{ column | replace('_units', '_split_units') }} as {{ column }}
        {%- else -%}
        {{ column }}
        {%- endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from step_{{ step }}_cumulative_split

    union all

    select
        {%- for column in piece_columns %}
        held.{{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from level_{{ step - 1 }} as held
    left join step_{{ step }}_pools as pools
        on held.billing_period_start = pools.billing_period_start
        and held.billing_currency = pools.billing_currency
        and held.cost_center_id = pools.pool_cost_center_id
    where pools.pool_cost_center_id is null

),

{% endfor %}
final as (

    select
        charged.billing_period_start,
        charged.charge_id,
        charged.charge_id || substring(pieces.allocation_path, length(pieces.origin_cost_center_id) + 1)
            as allocation_id,
        charged.source,
        charged.billing_account_id,
        charged.sub_account_id,
        charged.service_name,
        charged.service_category,
        charged.project_id,
        charged.sku_id,
        charged.resource_id,
        pieces.cost_center_id,
        cost_centers.owner_type as cost_center_owner_type,
        cost_centers.department_id,
        departments.business_unit_id,
        cost_centers.client_id,
        {{ billing.from_units('pieces.effective_units') }} as allocated_effective_cost,
        {{ billing.from_units('pieces.billed_units') }} as allocated_billed_cost,
        charged.billing_currency,
        case when pieces.allocation_step = 0 then charged.direct_rule_id else pieces.allocation_rule_id end
            as allocation_rule_id,
        cast(pieces.allocation_rule_version as integer) as allocation_rule_version,
        case when pieces.allocation_step = 0 then charged.direct_method else pieces.allocation_method end
            as allocation_method,
        cast(pieces.allocation_step as integer) as allocation_step,
        pieces.is_fallback,
        pieces.driver_type,
        pieces.driver_quantity,
        {{ billing.from_units('pieces.cumulative_units') }} as share_ratio,
        pieces.step_share_ratio,
        pieces.origin_cost_center_id,
        charged.direct_rule_id,
        charged.direct_method,
        pieces.provider_pool_cost_center_id,
        pieces.allocation_path
    from charged
    -- null-safe: a charge without a currency or an amount keeps its pieces (held where it was mapped)
    inner join level_{{ steps | last }} as pieces
        on charged.billing_period_start is not distinct from pieces.billing_period_start
        and charged.billing_currency is not distinct from pieces.billing_currency
        and charged.origin_cost_center_id is not distinct from pieces.origin_cost_center_id
        and charged.effective_units is not distinct from pieces.class_effective_units
        and charged.billed_units is not distinct from pieces.class_billed_units
    left join cost_centers
        on pieces.cost_center_id = cost_centers.cost_center_id
    left join departments
        on cost_centers.department_id = departments.department_id

)

select * from final
{{ billing.periods_in_order('billing_period_start') }}
