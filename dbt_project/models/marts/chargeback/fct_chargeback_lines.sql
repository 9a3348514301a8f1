{#-
    Internal chargeback/showback: department-owned cost recovered at the rate card's recovery rate.
    quantity = allocated effective cost (unrounded), amount = quantity x unit_rate rounded once to the
    currency's minor units with largest remainder per period and currency, so that the lines of a period and
    currency sum exactly to round(sum(quantity x unit_rate)). Showback departments get the same lines; `mode`
    tells finance not to post them.
-#}

with

allocations as (

    select * from {{ ref('int_charges_allocated') }}
    where cost_center_owner_type = 'department'

),

departments as (

    select * from {{ ref('stg_reference__departments') }}

),

policies as (

    select * from {{ ref('stg_reference__chargeback_policies') }}

),

currencies as (

    select * from {{ ref('stg_reference__currencies') }}

),

lines as (

    select
        billing_period_start,
        department_id,
        business_unit_id,
        cost_center_id,
        service_name as service_id,
        service_category,
        'cost_recovery' as rate_item,
        billing_currency,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as quantity,
        count(*) as charge_count
    from allocations
    group by
        billing_period_start,
        department_id,
        business_unit_id,
        cost_center_id,
        service_name,
        service_category,
        billing_currency

),

-- the rate card in force on the first day of the period (latest valid_from if several overlap)
period_policies as (

    select
        periods.billing_period_start,
        policies.rate_card_version,
        policies.recovery_rate
    from (select distinct billing_period_start from lines) as periods
    inner join policies
        on policies.valid_from <= periods.billing_period_start
        and (policies.valid_to is null or periods.billing_period_start < policies.valid_to)
    qualify row_number() over (
        partition by periods.billing_period_start
        order by policies.valid_from desc nulls last, policies.rate_card_version desc nulls last
    ) = 1

),

priced as (

    select
        lines.*,
        departments.department_name,
        departments.chargeback_mode as mode,
        period_policies.rate_card_version,
        period_policies.recovery_rate as unit_rate,
        currencies.minor_units,
        {{ billing.money_multiply('lines.quantity', 'period_policies.recovery_rate') }} as unrounded_amount,
        coalesce(lines.department_id, '') || '|' || coalesce(lines.cost_center_id, '') || '|'
            || coalesce(lines.service_id, '') || '|' || coalesce(lines.service_category, '') || '|'
            || lines.rate_item as line_key
    from lines
    left join departments
        on lines.department_id = departments.department_id
    left join period_policies
        on lines.billing_period_start = period_policies.billing_period_start
    left join currencies
        on lines.billing_currency = currencies.currency_code

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
        department_id,
        department_name,
        business_unit_id,
        cost_center_id,
        service_id,
        service_category,
        rate_item,
        quantity,
        billing_currency || ' of effective cost' as unit,
        unit_rate,
        amount,
        billing_currency,
        mode,
        rate_card_version,
        cast(charge_count as bigint) as charge_count
    from rounded

)

select * from final
