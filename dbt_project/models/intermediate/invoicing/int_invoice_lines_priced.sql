{{ config(materialized='view') }}

{#-
    Cost-plus pricing of client-owned cost (owner_type 'client'), one line per
    client x billing period x currency x service category:
      * the contract is the client's version in force on the first day of the period
        (valid_from <= period < valid_to, empty = open; the latest valid_from, then the highest version, wins);
      * quantity = cost basis = sum of allocated effective cost (unrounded); unit_price = 1 + markup_rate;
      * amount = cost basis x unit_price, rounded once to the currency's minor units with the largest-remainder
        method per invoice, so that the lines of an invoice sum exactly to round(sum(cost x (1 + markup)));
        a net-negative category (credits exceeding cost) is a negative line;
      * tax_amount = round(amount x tax_rate) per line, half away from zero, to minor units.
    Charges are never converted: a currency other than the contract's makes an invoice of its own, and the
    test assert_client_allocations_match_contract_currency fails the build.
-#}

with

client_allocations as (

    select * from {{ ref('int_charges_allocated') }}
    where cost_center_owner_type = 'client'

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

currencies as (

    select * from {{ ref('stg_reference__currencies') }}

),

lines as (

    select
        client_id,
        billing_period_start,
        billing_currency as currency,
        service_category,
        cast(sum(allocated_effective_cost) as {{ billing.money_type() }}) as cost_basis,
        count(*) as charge_count
    from client_allocations
    group by
        client_id,
        billing_period_start,
        billing_currency,
        service_category

),

client_periods as (

    select distinct client_id, billing_period_start
    from lines

),

period_contracts as (

    select
        client_periods.client_id,
        client_periods.billing_period_start,
        contracts.contract_id,
        contracts.contract_version,
        contracts.currency as contract_currency,
        contracts.markup_rate,
        contracts.tax_code,
        contracts.tax_rate,
        contracts.payment_terms_days
    from client_periods
    inner join contracts
        on client_periods.client_id = contracts.client_id
        and contracts.valid_from <= client_periods.billing_period_start
        and (contracts.valid_to is null or client_periods.billing_period_start < contracts.valid_to)
    qualify row_number() over (
        partition by client_periods.client_id, client_periods.billing_period_start
        order by contracts.valid_from desc nulls last, contracts.contract_version desc nulls last
    ) = 1

),

priced as (

    select
        lines.client_id
            || '-' || substr(cast(lines.billing_period_start as {{ dbt.type_string() }}), 1, 7)
            || '-' || lines.currency as invoice_id,
        lines.client_id,
        lines.billing_period_start,
        lines.currency,
        lines.service_category,
        lines.cost_basis,
        lines.charge_count,
        period_contracts.contract_id,
        period_contracts.contract_version,
        period_contracts.payment_terms_days,
        period_contracts.markup_rate,
        period_contracts.tax_code,
        period_contracts.tax_rate,
        currencies.minor_units,
        {{ billing.money_add(['1', 'period_contracts.markup_rate']) }} as unit_price,
        {{ billing.money_multiply(
            'lines.cost_basis',
            billing.money_add(['1', 'period_contracts.markup_rate'])
        ) }} as unrounded_amount
    from lines
    inner join period_contracts
        on lines.client_id = period_contracts.client_id
        and lines.billing_period_start = period_contracts.billing_period_start
    left join currencies
        on lines.currency = currencies.currency_code

),

rounded as (

    {{ billing.largest_remainder_round(
        relation='priced',
        amount_column='unrounded_amount',
        minor_units_column='minor_units',
        partition_by='invoice_id',
        order_by='service_category asc nulls last',
        rounded_column='amount'
    ) }}

),

final as (

    select
        invoice_id,
        cast(row_number() over (
            partition by invoice_id
            order by service_category asc nulls last
        ) as integer) as line_number,
        coalesce(service_category, 'Other') || ' services at cost plus '
            || {{ billing.format_percent('markup_rate') }} || '%' as description,
        service_category,
        cost_basis as quantity,
        currency as unit,
        unit_price,
        amount,
        tax_code,
        tax_rate,
        {{ billing.round_to_minor_units(billing.money_multiply('amount', 'tax_rate'), 'minor_units') }} as tax_amount,
        client_id,
        billing_period_start,
        currency,
        cost_basis,
        cast(charge_count as bigint) as charge_count,
        contract_id,
        contract_version,
        payment_terms_days,
        unrounded_amount
    from rounded

)

select * from final
