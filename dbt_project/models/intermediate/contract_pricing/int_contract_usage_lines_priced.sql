{#-
    Invoice lines priced by the client's contract (the priced-line shape: one row per line, every amount in
    the contract's price currency, unrounded). Usage comes from int_contract_usage_resolved (rows resolved
    `priced`; excluded, unpriced and mismatched usage bills nothing and is reported by
    int_contract_compliance_violations / int_contract_usage_excluded). Per price of the contract version in
    force, over the period's usage the price resolved (its quantity = usage quantity in the price's unit):
      usage             one line: quantity x unit_price
      tiered_graduated  one line per tier the quantity reaches (price_id <price_id>-T<tier_number>): the
                        quantity inside [from, to) x the tier's unit_price
      tiered_volume     one line: the whole quantity x the unit_price of the tier with from <= quantity < to
      package           one line: ceil(quantity / package_size) packages (a started package counts) x
                        package_price; quantity = packages (C62)
      hybrid            a subscription line (period_fee, quantity 1 MON, billed every period the contract is in
                        force, used or not) and, when quantity > included_quantity, an overage line
                        (quantity - included_quantity) x unit_price
      cost_plus         one line: allocated effective cost in the price currency x (1 + markup_rate);
                        quantity = cost (C62); cost in another currency is never converted (a violation)
      excluded          nothing
    Then, in this order:
      cap_adjustment       per price with cap_amount: when its lines total more, cap_amount - total (negative)
      discount             per discount ladder of the contract version: the highest threshold reached by the
                           basis (spend = the amount of the usage lines above incl. cap adjustments, of
                           service_id or all; volume = the priced quantity of service_id) applies
                           discount_percent to the whole spend of the ladder's scope, as a negative line.
                           Ladders stack; each is computed on the undiscounted spend.
      commitment_true_up   when the contract has a minimum_commitment and the period's lines AFTER caps and
                           discounts total less: commitment - total (one whole-contract line)
    line_sort numbers the lines of a client's period: subscriptions, usage, caps, discounts, true-up.
-#}

{%- set money = billing.money_type() -%}
{%- set string = dbt.type_string() -%}
{#- a decimal as short text for descriptions (6 decimals, no trailing zeros): txt | format('column') -#}
{%- set txt = "regexp_replace(cast(cast(%s as decimal(38,6)) as " ~ string ~ "), '[.]?0+$', '')" -%}

with

resolved as (

    select * from {{ ref('int_contract_usage_resolved') }}
    where resolution = 'priced'

),

periods_in_force as (

    select * from {{ ref('int_contract_periods_in_force') }}

),

prices as (

    select * from {{ ref('stg_reference__contract_prices') }}

),

tiers as (

    select * from {{ ref('stg_reference__contract_price_tiers') }}

),

discount_tiers as (

    select * from {{ ref('stg_reference__contract_discount_tiers') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

price_usage as (

    select
        client_id,
        billing_period_start,
        contract_id,
        contract_version,
        price_id,
        -- the quantity in the price's unit (rows without a quantity add none)
        cast(sum(case when unit_code = price_unit then quantity else 0 end) as {{ money }}) as quantity,
        max(case when unit_code = price_unit then unit end) as unit_name,
        -- cost in the price currency only (cost_plus); other currencies are violations
        cast(sum(case when currency = price_currency then allocated_effective_cost else 0 end) as {{ money }})
            as cost,
        cast(sum(source_row_count) as bigint) as source_row_count
    from resolved
    group by client_id, billing_period_start, contract_id, contract_version, price_id

),

priced as (

    select
        price_usage.client_id,
        price_usage.billing_period_start,
        price_usage.contract_id,
        price_usage.contract_version,
        price_usage.quantity,
        coalesce(price_usage.unit_name, prices.unit) as unit_name,
        price_usage.cost,
        price_usage.source_row_count,
        periods_in_force.price_currency,
        periods_in_force.billing_period_end,
        coalesce(prices.tax_category, periods_in_force.tax_category) as tax_category,
        coalesce(it_services.it_service_name, prices.service_id) as service_name,
        prices.price_id,
        prices.service_id,
        prices.sku_id,
        prices.pricing_model,
        prices.unit,
        prices.unit_price,
        prices.included_quantity,
        prices.package_size,
        prices.package_price,
        prices.markup_rate
    from price_usage
    inner join periods_in_force
        on price_usage.client_id = periods_in_force.client_id
        and price_usage.billing_period_start = periods_in_force.billing_period_start
    inner join prices
        on price_usage.contract_id = prices.contract_id
        and price_usage.contract_version = prices.contract_version
        and price_usage.price_id = prices.price_id
    left join it_services
        on prices.service_id = it_services.it_service_id

),

usage_lines as (

    select
        client_id, contract_id, contract_version, billing_period_start,
        'usage' as line_type,
        'usage' as pricing_model,
        price_id, service_id, sku_id,
        service_name || ' usage ' || {{ txt | format('quantity') }} || ' ' || unit_name || ' at '
            || {{ txt | format('unit_price') }} as description,
        quantity,
        unit,
        unit_price,
        price_currency,
        {{ billing.money_multiply('quantity', 'unit_price') }} as unrounded_amount,
        billing_period_end,
        'price ' || price_id as reference,
        tax_category,
        source_row_count,
        price_id as base_price_id,
        2 as sort_group,
        0 as sort_sub
    from priced
    where pricing_model = 'usage'

),

graduated_tiers as (

    select
        priced.*,
        tiers.tier_number,
        tiers.from_quantity,
        tiers.to_quantity,
        tiers.unit_price as tier_unit_price,
        -- the part of the quantity inside [from, to)
        case
            when priced.quantity <= tiers.from_quantity then cast(0 as {{ money }})
            when tiers.to_quantity is null or priced.quantity < tiers.to_quantity
                then {{ billing.money_add(['priced.quantity', '-tiers.from_quantity']) }}
            else {{ billing.money_add(['tiers.to_quantity', '-tiers.from_quantity']) }}
        end as tier_quantity
    from priced
    inner join tiers
        on priced.contract_id = tiers.contract_id
        and priced.contract_version = tiers.contract_version
        and priced.price_id = tiers.price_id
    where priced.pricing_model = 'tiered_graduated'
        -- tiers the quantity reaches; the first tier also when nothing was used
        and (priced.quantity > tiers.from_quantity or tiers.from_quantity = 0)

),

graduated_lines as (

    select
        client_id, contract_id, contract_version, billing_period_start,
        'usage' as line_type,
        'tiered_graduated' as pricing_model,
        price_id || '-T' || cast(tier_number as {{ string }}) as price_id,
        service_id, sku_id,
        service_name || ' usage ' || {{ txt | format('tier_quantity') }} || ' ' || unit_name
            || ', tier ' || cast(tier_number as {{ string }}) || ' (' || {{ txt | format('from_quantity') }}
            || coalesce('-' || {{ txt | format('to_quantity') }}, '+') || ') at ' || {{ txt | format('tier_unit_price') }}
            as description,
        tier_quantity as quantity,
        unit,
        tier_unit_price as unit_price,
        price_currency,
        {{ billing.money_multiply('tier_quantity', 'tier_unit_price') }} as unrounded_amount,
        billing_period_end,
        'price ' || price_id || ' graduated: ' || {{ txt | format('quantity') }} || ' ' || unit_name
            || ' in total' as reference,
        tax_category,
        source_row_count,
        price_id as base_price_id,
        2 as sort_group,
        tier_number as sort_sub
    from graduated_tiers

),

volume_lines as (

    select
        priced.client_id, priced.contract_id, priced.contract_version, priced.billing_period_start,
        'usage' as line_type,
        'tiered_volume' as pricing_model,
        priced.price_id, priced.service_id, priced.sku_id,
        priced.service_name || ' usage ' || {{ txt | format('priced.quantity') }} || ' ' || priced.unit_name
            || ', tier ' || cast(tiers.tier_number as {{ string }}) || ' (' || {{ txt | format('tiers.from_quantity') }}
            || coalesce('-' || {{ txt | format('tiers.to_quantity') }}, '+') || ') at ' || {{ txt | format('tiers.unit_price') }}
            as description,
        priced.quantity,
        priced.unit,
        tiers.unit_price,
        priced.price_currency,
        {{ billing.money_multiply('priced.quantity', 'tiers.unit_price') }} as unrounded_amount,
        priced.billing_period_end,
        'price ' || priced.price_id || ' volume tier ' || cast(tiers.tier_number as {{ string }}) as reference,
        priced.tax_category,
        priced.source_row_count,
        priced.price_id as base_price_id,
        2 as sort_group,
        0 as sort_sub
    from priced
    inner join tiers
        on priced.contract_id = tiers.contract_id
        and priced.contract_version = tiers.contract_version
        and priced.price_id = tiers.price_id
        and tiers.from_quantity <= priced.quantity
        and (tiers.to_quantity is null or priced.quantity < tiers.to_quantity)
    where priced.pricing_model = 'tiered_volume'
    -- overlapping tiers (a compliance violation) must not duplicate the line
    qualify row_number() over (
        partition by priced.client_id, priced.billing_period_start, priced.price_id
        order by tiers.tier_number desc
    ) = 1

),

package_counts as (

    select
        priced.*,
        -- ceil(quantity / package_size) in whole units of 10^-10, no decimal division
        cast(
            {{ billing.integer_divide(
                billing.to_units('priced.quantity') ~ ' + ' ~ billing.to_units('priced.package_size') ~ ' - 1',
                billing.to_units('priced.package_size')
            ) }}
            as {{ money }}
        ) as packages
    from priced
    where pricing_model = 'package'

),

package_lines as (

    select
        client_id, contract_id, contract_version, billing_period_start,
        'usage' as line_type,
        'package' as pricing_model,
        price_id, service_id, sku_id,
        service_name || ' ' || {{ txt | format('quantity') }} || ' ' || unit_name || ' in ' || {{ txt | format('packages') }}
            || ' package(s) of ' || {{ txt | format('package_size') }} || ' at ' || {{ txt | format('package_price') }}
            as description,
        packages as quantity,
        'C62' as unit,
        package_price as unit_price,
        price_currency,
        {{ billing.money_multiply('packages', 'package_price') }} as unrounded_amount,
        billing_period_end,
        'price ' || price_id || ': ' || {{ txt | format('quantity') }} || ' ' || unit_name || ', a started package counts'
            as reference,
        tax_category,
        source_row_count,
        price_id as base_price_id,
        2 as sort_group,
        0 as sort_sub
    from package_counts

),

subscription_lines as (

    select
        periods_in_force.client_id,
        periods_in_force.contract_id,
        periods_in_force.contract_version,
        periods_in_force.billing_period_start,
        'subscription' as line_type,
        'hybrid' as pricing_model,
        prices.price_id, prices.service_id, prices.sku_id,
        coalesce(it_services.it_service_name, prices.service_id) || ' subscription including '
            || {{ txt | format('prices.included_quantity') }} || ' ' || coalesce(priced.unit_name, prices.unit)
            || ' (used ' || {{ txt | format('coalesce(priced.quantity, 0)') }} || ')' as description,
        cast(1 as {{ money }}) as quantity,
        'MON' as unit,
        prices.period_fee as unit_price,
        periods_in_force.price_currency,
        cast(prices.period_fee as {{ money }}) as unrounded_amount,
        periods_in_force.billing_period_end,
        'price ' || prices.price_id || ' period fee' as reference,
        coalesce(prices.tax_category, periods_in_force.tax_category) as tax_category,
        cast(0 as bigint) as source_row_count,
        prices.price_id as base_price_id,
        1 as sort_group,
        0 as sort_sub
    from periods_in_force
    inner join prices
        on periods_in_force.contract_id = prices.contract_id
        and periods_in_force.contract_version = prices.contract_version
        and prices.pricing_model = 'hybrid'
    left join priced
        on periods_in_force.client_id = priced.client_id
        and periods_in_force.billing_period_start = priced.billing_period_start
        and prices.price_id = priced.price_id
    left join it_services
        on prices.service_id = it_services.it_service_id

),

overage_lines as (

    select
        client_id, contract_id, contract_version, billing_period_start,
        'overage' as line_type,
        'hybrid' as pricing_model,
        price_id, service_id, sku_id,
        service_name || ' overage ' || {{ txt | format('overage_quantity') }} || ' ' || unit_name || ' above '
            || {{ txt | format('included_quantity') }} || ' included at ' || {{ txt | format('unit_price') }} as description,
        overage_quantity as quantity,
        unit,
        unit_price,
        price_currency,
        {{ billing.money_multiply('overage_quantity', 'unit_price') }} as unrounded_amount,
        billing_period_end,
        'price ' || price_id || ': used ' || {{ txt | format('quantity') }} || ' ' || unit_name as reference,
        tax_category,
        source_row_count,
        price_id as base_price_id,
        2 as sort_group,
        0 as sort_sub
    from (
        select
            priced.*,
            {{ billing.money_add(['priced.quantity', '-coalesce(priced.included_quantity, 0)']) }} as overage_quantity
        from priced
        where priced.pricing_model = 'hybrid'
    ) as hybrid_usage
    where overage_quantity > 0

),

cost_plus_lines as (

    select
        client_id, contract_id, contract_version, billing_period_start,
        'cost_plus' as line_type,
        'cost_plus' as pricing_model,
        price_id, service_id, sku_id,
        service_name || ' at cost ' || {{ txt | format('cost') }} || ' ' || price_currency || ' plus '
            || {{ billing.format_percent('markup_rate') }} || '%' as description,
        cost as quantity,
        'C62' as unit,
        {{ billing.money_add(['1', 'markup_rate']) }} as unit_price,
        price_currency,
        {{ billing.money_multiply('cost', billing.money_add(['1', 'markup_rate'])) }} as unrounded_amount,
        billing_period_end,
        'price ' || price_id || ': allocated effective cost' as reference,
        tax_category,
        source_row_count,
        price_id as base_price_id,
        2 as sort_group,
        0 as sort_sub
    from priced
    where pricing_model = 'cost_plus'

),

base_lines as (

    select * from usage_lines
    union all
    select * from graduated_lines
    union all
    select * from volume_lines
    union all
    select * from package_lines
    union all
    select * from subscription_lines
    union all
    select * from overage_lines
    union all
    select * from cost_plus_lines

),

price_totals as (

    select
        client_id, contract_id, contract_version, billing_period_start, base_price_id,
        max(price_currency) as price_currency,
        max(billing_period_end) as billing_period_end,
        max(tax_category) as tax_category,
        cast(sum(unrounded_amount) as {{ money }}) as amount,
        cast(sum(source_row_count) as bigint) as source_row_count
    from base_lines
    group by client_id, contract_id, contract_version, billing_period_start, base_price_id

),

cap_lines as (

    select
        price_totals.client_id, price_totals.contract_id, price_totals.contract_version,
        price_totals.billing_period_start,
        'cap_adjustment' as line_type,
        'cap' as pricing_model,
        prices.price_id, prices.service_id, prices.sku_id,
        coalesce(it_services.it_service_name, prices.service_id) || ' capped at ' || {{ txt | format('prices.cap_amount') }}
            || ' ' || price_totals.price_currency || ' (charged ' || {{ txt | format('price_totals.amount') }} || ')'
            as description,
        cast(1 as {{ money }}) as quantity,
        'C62' as unit,
        {{ billing.money_add(['prices.cap_amount', '-price_totals.amount']) }} as unit_price,
        price_totals.price_currency,
        {{ billing.money_add(['prices.cap_amount', '-price_totals.amount']) }} as unrounded_amount,
        price_totals.billing_period_end,
        'price ' || prices.price_id || ' cap_amount ' || {{ txt | format('prices.cap_amount') }} as reference,
        price_totals.tax_category,
        price_totals.source_row_count,
        prices.price_id as base_price_id,
        3 as sort_group,
        0 as sort_sub
    from price_totals
    inner join prices
        on price_totals.contract_id = prices.contract_id
        and price_totals.contract_version = prices.contract_version
        and price_totals.base_price_id = prices.price_id
    left join it_services
        on prices.service_id = it_services.it_service_id
    where prices.cap_amount is not null
        and price_totals.amount > prices.cap_amount

),

charged_lines as (

    select * from base_lines
    union all
    select * from cap_lines

),

service_spend as (

    select
        client_id, billing_period_start, service_id,
        cast(sum(unrounded_amount) as {{ money }}) as spend,
        cast(sum(source_row_count) as bigint) as source_row_count
    from charged_lines
    group by client_id, billing_period_start, service_id

),

service_volume as (

    select
        client_id, billing_period_start, service_id,
        cast(sum(quantity) as {{ money }}) as volume
    from priced
    where pricing_model in ('usage', 'tiered_graduated', 'tiered_volume', 'package', 'hybrid')
    group by client_id, billing_period_start, service_id

),

ladders as (

    select
        periods_in_force.client_id,
        periods_in_force.billing_period_start,
        periods_in_force.billing_period_end,
        periods_in_force.price_currency,
        periods_in_force.tax_category,
        discount_tiers.*,
        case
            when discount_tiers.basis = 'volume' then coalesce(volumes.volume, 0)
            else coalesce(spends.spend, 0)
        end as basis_value,
        coalesce(spends.spend, 0) as discounted_spend,
        coalesce(spends.source_row_count, 0) as source_row_count
    from periods_in_force
    inner join discount_tiers
        on periods_in_force.contract_id = discount_tiers.contract_id
        and periods_in_force.contract_version = discount_tiers.contract_version
    left join (
        select client_id, billing_period_start, cast(null as {{ string }}) as service_id, spend, source_row_count
        from (
            select
                client_id, billing_period_start,
                cast(sum(spend) as {{ money }}) as spend,
                cast(sum(source_row_count) as bigint) as source_row_count
            from service_spend
            group by client_id, billing_period_start
        ) as totals
        union all
        select client_id, billing_period_start, service_id, spend, source_row_count
        from service_spend
    ) as spends
        on periods_in_force.client_id = spends.client_id
        and periods_in_force.billing_period_start = spends.billing_period_start
        and coalesce(discount_tiers.service_id, '') = coalesce(spends.service_id, '')
    left join service_volume as volumes
        on periods_in_force.client_id = volumes.client_id
        and periods_in_force.billing_period_start = volumes.billing_period_start
        and discount_tiers.service_id = volumes.service_id

),

reached as (

    select *
    from ladders
    where basis_value >= threshold
    qualify row_number() over (
        partition by client_id, billing_period_start, discount_id
        order by threshold desc
    ) = 1

),

discount_lines as (

    select
        client_id, contract_id, contract_version, billing_period_start,
        'discount' as line_type,
        'discount_tier' as pricing_model,
        discount_id as price_id,
        service_id,
        cast(null as {{ string }}) as sku_id,
        'Discount ' || {{ txt | format('discount_percent') }} || '% on ' || {{ txt | format('discounted_spend') }} || ' '
            || price_currency || ' (' || basis || ' ' || {{ txt | format('basis_value') }} || ' reached '
            || {{ txt | format('threshold') }} || ')' as description,
        discounted_spend as quantity,
        'C62' as unit,
        discount_rate as unit_price,
        price_currency,
        {{ billing.money_multiply('discounted_spend', 'discount_rate') }} as unrounded_amount,
        billing_period_end,
        'discount ' || discount_id || ' threshold ' || {{ txt | format('threshold') }} || ' on '
            || coalesce(service_id, 'all usage') as reference,
        tax_category,
        source_row_count,
        discount_id as base_price_id,
        4 as sort_group,
        0 as sort_sub
    from (
        select
            reached.*,
            cast(-cast(discount_percent as decimal(18,10)) * cast(0.01 as decimal(3,2)) as {{ money }})
                as discount_rate
        from reached
    ) as rated

),

period_totals as (

    select
        client_id, billing_period_start,
        cast(sum(unrounded_amount) as {{ money }}) as amount,
        cast(sum(source_row_count) as bigint) as source_row_count
    from (
        select client_id, billing_period_start, unrounded_amount, source_row_count from charged_lines
        union all
        select client_id, billing_period_start, unrounded_amount, cast(0 as bigint) from discount_lines
    ) as all_lines
    group by client_id, billing_period_start

),

true_up_lines as (

    select
        periods_in_force.client_id,
        periods_in_force.contract_id,
        periods_in_force.contract_version,
        periods_in_force.billing_period_start,
        'commitment_true_up' as line_type,
        'minimum_commitment' as pricing_model,
        periods_in_force.contract_id as price_id,
        cast(null as {{ string }}) as service_id,
        cast(null as {{ string }}) as sku_id,
        'Minimum commitment ' || {{ txt | format('periods_in_force.minimum_commitment') }} || ' '
            || periods_in_force.price_currency || ': usage after discounts '
            || {{ txt | format('coalesce(period_totals.amount, 0)') }} as description,
        cast(1 as {{ money }}) as quantity,
        'C62' as unit,
        {{ billing.money_add(['periods_in_force.minimum_commitment', '-coalesce(period_totals.amount, 0)']) }}
            as unit_price,
        periods_in_force.price_currency,
        {{ billing.money_add(['periods_in_force.minimum_commitment', '-coalesce(period_totals.amount, 0)']) }}
            as unrounded_amount,
        periods_in_force.billing_period_end,
        'contract ' || periods_in_force.contract_id || ' version '
            || cast(periods_in_force.contract_version as {{ string }})
            || ' minimum_commitment, compared with the lines after caps and discounts' as reference,
        periods_in_force.tax_category,
        cast(coalesce(period_totals.source_row_count, 0) as bigint) as source_row_count,
        periods_in_force.contract_id as base_price_id,
        5 as sort_group,
        0 as sort_sub
    from periods_in_force
    left join period_totals
        on periods_in_force.client_id = period_totals.client_id
        and periods_in_force.billing_period_start = period_totals.billing_period_start
    where periods_in_force.minimum_commitment is not null
        and coalesce(period_totals.amount, 0) < periods_in_force.minimum_commitment

),

all_lines as (

    select * from charged_lines
    union all
    select * from discount_lines
    union all
    select * from true_up_lines

),

final as (

    select
        client_id,
        contract_id,
        cast(contract_version as integer) as contract_version,
        billing_period_start,
        line_type,
        pricing_model,
        price_id,
        service_id,
        sku_id,
        description,
        cast(quantity as {{ money }}) as quantity,
        unit,
        cast(unit_price as {{ money }}) as unit_price,
        price_currency,
        cast(unrounded_amount as {{ money }}) as unrounded_amount,
        billing_period_start as service_period_start,
        billing_period_end as service_period_end,
        reference,
        tax_category,
        cast(row_number() over (
            partition by client_id, billing_period_start
            order by sort_group, service_id asc nulls last, sku_id asc nulls first, base_price_id, sort_sub, line_type
        ) as integer) as line_sort,
        cast(source_row_count as bigint) as source_row_count
    from all_lines

)

select * from final
