{#-
    Internal chargeback and showback: what each department pays (or is shown) for the IT services it used,
    priced by the published rate card in force and governed by the chargeback policy in force.

    Grain (int_chargeback_pieces_scoped gives service, mode, granularity and bundle per piece of cost):
      period x policy x department x cost center x IT service x currency x mode, further split by SKU when
      the scope's granularity is service_sku and by SKU and resource when it is resource.

    Price (only published rate cards charge: stg_ops__published_rate_cards, frozen by `billing rates publish`;
    the version in force on the period's first day, the latest valid_from and then the latest publication if
    several are):
      unit_price     quantity = the cost center's driver quantity of the pool that provides the service in the
                     period (int_allocation_shares: vCPU-hours, GB-months, GB, people), unit = the rate's unit,
                     whatever the grain setting (a driver has no SKU);
      cost_recovery  quantity = the allocated effective cost, unit = '<currency> of allocated cost', so a rate
                     of 1 recovers cost exactly;
      a service the card does not price in the line's currency is not charged: unit_rate and amount are null
      and pricing_status is `no_published_rate` (assert_chargeback_lines_are_priced_by_a_published_rate_card
      refuses that for chargeback lines).
    Bundles: a scope subscribed to a bundle of the card gets the bundle's discount on each member service's
    line, so the bundle price is the members' standalone prices less the discount and each service keeps its
    share of the bundle revenue in proportion to its standalone price (list_amount).

    Money: list_amount = quantity x unit_rate, unrounded = list_amount x (100 - discount) / 100, and amount is
    that rounded once to the currency's minor units by largest remainder per period and currency, so that the
    lines of a period and currency sum exactly to round(sum of unrounded amounts)
    (assert_chargeback_amounts_sum_to_rounded_recovered_cost). allocated_cost keeps the exact cost behind each
    line, so over- or under-recovery is amount - allocated_cost (fct_service_recovery).
-#}

with

pieces as (

    select * from {{ ref('int_chargeback_pieces_scoped') }}

),

rate_cards as (

    select * from {{ ref('stg_ops__published_rate_cards') }}

),

bundles as (

    select * from {{ ref('stg_ops__published_rate_card_bundles') }}

),

driver_quantities as (

    select
        billing_period_start,
        billing_currency,
        pool_cost_center_id,
        target_cost_center_id as cost_center_id,
        cast(sum(driver_quantity) as {{ billing.money_type() }}) as driver_quantity
    from {{ ref('int_allocation_shares') }}
    where applied_method = 'driver'
    group by billing_period_start, billing_currency, pool_cost_center_id, target_cost_center_id

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

currencies as (

    select * from {{ ref('stg_reference__currencies') }}

),

period_rate_cards as (

    select
        periods.billing_period_start,
        versions.rate_card_version
    -- the periods read from the table, not from `pieces`: a CTE read twice is materialized, and at ten million lines
    -- that held 20.8 million pieces (spilled 4.9 GB; the model's select took 9.7 s, 2.7 s without)
    from (select distinct billing_period_start from {{ ref('int_chargeback_pieces_scoped') }}) as periods
    inner join (
        select distinct rate_card_version, valid_from, valid_to, published_event_id from rate_cards
    ) as versions
        on versions.valid_from <= periods.billing_period_start
        and (versions.valid_to is null or periods.billing_period_start < versions.valid_to)
    qualify row_number() over (
        partition by periods.billing_period_start
        order by versions.valid_from desc, versions.published_event_id desc
    ) = 1

),

rated_pieces as (

    select
        pieces.*,
        period_rate_cards.rate_card_version,
        rate_cards.rate_type,
        rate_cards.unit as rate_unit,
        rate_cards.unit_rate,
        bundles.bundle_id as applied_bundle_id,
        bundles.discount_percent as bundle_discount_percent,
        -- a driver has no SKU or resource: unit-priced services stay at service grain
        case
            when coalesce(rate_cards.rate_type, '') <> 'unit_price' and pieces.granularity in ('service_sku', 'resource')
                then pieces.sku_id
        end as line_sku_id,
        case
            when coalesce(rate_cards.rate_type, '') <> 'unit_price' and pieces.granularity = 'resource'
                then pieces.resource_id
        end as line_resource_id
    from pieces
    left join period_rate_cards
        on pieces.billing_period_start = period_rate_cards.billing_period_start
    left join rate_cards
        on period_rate_cards.rate_card_version = rate_cards.rate_card_version
        and pieces.it_service_id = rate_cards.it_service_id
        and pieces.billing_currency = rate_cards.billing_currency
    left join bundles
        on period_rate_cards.rate_card_version = bundles.rate_card_version
        and pieces.bundle_id = bundles.bundle_id
        and pieces.it_service_id = bundles.it_service_id

),

lines as (

    select
        billing_period_start,
        policy_version,
        department_id,
        business_unit_id,
        cost_center_id,
        it_service_id,
        it_service_name,
        service_family,
        pool_cost_center_id,
        line_sku_id as sku_id,
        line_resource_id as resource_id,
        billing_currency,
        mode,
        granularity,
        rate_card_version,
        rate_type,
        rate_unit,
        unit_rate,
        applied_bundle_id as bundle_id,
        bundle_discount_percent,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as allocated_cost,
        count(*) as charge_count
    from rated_pieces
    group by
        billing_period_start,
        policy_version,
        department_id,
        business_unit_id,
        cost_center_id,
        it_service_id,
        it_service_name,
        service_family,
        pool_cost_center_id,
        line_sku_id,
        line_resource_id,
        billing_currency,
        mode,
        granularity,
        rate_card_version,
        rate_type,
        rate_unit,
        unit_rate,
        applied_bundle_id,
        bundle_discount_percent

),

quantified as (

    select
        lines.*,
        case
            when lines.rate_type = 'unit_price' then coalesce(driver_quantities.driver_quantity, 0)
            else lines.allocated_cost
        end as quantity,
        case
            when lines.rate_type = 'unit_price' then lines.rate_unit
            else lines.billing_currency || ' of allocated cost'
        end as unit
    from lines
    left join driver_quantities
        on lines.rate_type = 'unit_price'
        and lines.billing_period_start = driver_quantities.billing_period_start
        and lines.billing_currency = driver_quantities.billing_currency
        and lines.pool_cost_center_id = driver_quantities.pool_cost_center_id
        and lines.cost_center_id = driver_quantities.cost_center_id

),

priced as (

    select
        quantified.*,
        departments.department_name,
        currencies.minor_units,
        {{ billing.money_multiply('quantified.quantity', 'quantified.unit_rate') }} as list_amount,
        {{ billing.money_multiply(
            billing.money_multiply('quantified.quantity', 'quantified.unit_rate'),
            'cast(100 - coalesce(quantified.bundle_discount_percent, 0) as decimal(18,10)) * cast(0.01 as decimal(3,2))'
        ) }} as unrounded_amount,
        coalesce(quantified.department_id, '') || '|' || coalesce(quantified.cost_center_id, '') || '|'
            || coalesce(quantified.it_service_id, '') || '|' || coalesce(quantified.mode, '') || '|'
            || coalesce(quantified.sku_id, '') || '|' || coalesce(quantified.resource_id, '') || '|'
            || coalesce(quantified.bundle_id, '') as line_key
    from quantified
    left join departments
        on quantified.department_id = departments.department_id
    left join currencies
        on quantified.billing_currency = currencies.currency_code

),

rounded as (

    {{ billing.largest_remainder_round(
        relation='priced',
        amount_column='unrounded_amount',
        minor_units_column='minor_units',
        partition_by='billing_period_start, billing_currency',
        order_by='line_key asc',
        rounded_column='amount'
    ) }}

),

final as (

    select
        billing_period_start,
        {{ billing.fiscal_year('billing_period_start') }} as fiscal_year,
        policy_version,
        department_id,
        department_name,
        business_unit_id,
        cost_center_id,
        it_service_id as service_id,
        it_service_name as service_name,
        service_family,
        sku_id,
        resource_id,
        coalesce(rate_type, 'unpriced') as rate_item,
        quantity,
        unit,
        unit_rate,
        bundle_id,
        bundle_discount_percent,
        list_amount,
        allocated_cost,
        amount,
        billing_currency,
        mode,
        granularity,
        rate_card_version,
        case when unit_rate is null then 'no_published_rate' else 'priced' end as pricing_status,
        cast(charge_count as bigint) as charge_count
    from rounded

)

select * from final
