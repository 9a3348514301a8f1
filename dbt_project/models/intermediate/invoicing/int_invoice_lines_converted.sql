{#-
    Each priced line in the client's invoice currency, rounded once, and taxed:
      * invoice = client x billing period (invoice_id CLIENT-YYYY-MM), issued by the client's legal entity, dated
        the last day of the billing period;
      * conversion: price currency -> invoice currency at the rate in force on the invoice date
        (int_fx_rates_in_force: the last day on or before it with a reference rate); the rate, its date and
        source are kept on the line; the same currency converts at exactly 1 with no rate date. No rate = the
        line is kept unconverted with a blocking issue, never converted at 1:1;
      * amount = round(price_amount x rate) to the invoice currency's minor units, half away from zero, once;
      * tax per line: the determination for client, period and tax category (int_tax_determination) gives the
        jurisdiction, EN 16931 category code and rate; tax_amount = the jurisdiction's rounding of amount x rate.
-#}

with

priced as (

    select * from {{ ref('int_invoice_lines_priced') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

currencies as (

    select * from {{ ref('stg_reference__currencies') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_in_force') }}

),

tax as (

    select * from {{ ref('int_tax_determination') }}

),

with_currency as (

    select
        priced.*,
        clients.legal_entity_id,
        clients.invoice_currency as currency,
        clients.delivery_method,
        {{ billing.period_invoice_date('priced.billing_period_start') }} as invoice_date,
        currencies.minor_units
    from priced
    inner join clients
        on priced.client_id = clients.client_id
    left join currencies
        on clients.invoice_currency = currencies.currency_code

),

converted as (

    select
        with_currency.*,
        case
            when with_currency.price_currency = with_currency.currency then cast(1 as {{ billing.money_type() }})
            else fx_rates.rate
        end as fx_rate,
        case when with_currency.price_currency <> with_currency.currency then fx_rates.rate_date end as fx_rate_date,
        case when with_currency.price_currency <> with_currency.currency then fx_rates.source end as fx_source
    from with_currency
    left join fx_rates
        on with_currency.billing_period_start = fx_rates.billing_period_start
        and with_currency.price_currency = fx_rates.from_currency
        and with_currency.currency = fx_rates.to_currency

),

rounded as (

    select
        converted.*,
        coalesce(converted.tax_category, 'it_services') as effective_tax_category,
        {{ billing.round_to_minor_units(
            billing.convert_amount('converted.price_amount', 'converted.fx_rate'),
            'converted.minor_units'
        ) }} as amount,
        {{ billing.money_multiply('converted.unit_price', 'converted.fx_rate') }} as converted_unit_price
    from converted

),

final as (

    select
        rounded.client_id || '-' || substr(cast(rounded.billing_period_start as {{ dbt.type_string() }}), 1, 7)
            as invoice_id,
        rounded.client_id,
        rounded.legal_entity_id,
        rounded.contract_id,
        rounded.contract_version,
        rounded.billing_period_start,
        rounded.invoice_date,
        rounded.currency,
        rounded.minor_units,
        rounded.delivery_method,
        rounded.line_type,
        rounded.pricing_model,
        rounded.price_id,
        rounded.service_id,
        rounded.sku_id,
        rounded.description,
        rounded.quantity,
        rounded.unit,
        rounded.converted_unit_price as unit_price,
        rounded.price_currency,
        rounded.price_amount,
        rounded.fx_rate,
        rounded.fx_rate_date,
        rounded.fx_source,
        rounded.amount,
        rounded.effective_tax_category as tax_category,
        tax.jurisdiction_id as tax_jurisdiction_id,
        tax.tax_category_code,
        tax.tax_rate,
        {{ billing.tax_amount('rounded.amount', 'tax.tax_rate', 'rounded.minor_units', 'tax.rounding_mode') }}
            as tax_amount,
        tax.exemption_reason,
        tax.exemption_reason_code,
        rounded.service_period_start,
        rounded.service_period_end,
        rounded.reference,
        rounded.source_row_count,
        rounded.line_sort
    from rounded
    left join tax
        on rounded.client_id = tax.client_id
        and rounded.billing_period_start = tax.billing_period_start
        and rounded.effective_tax_category = tax.tax_category

)

select * from final
