{#-
    The exchange rate in force for every conversion invoicing needs, one row per (billing_period_start,
    invoice_date, from_currency, to_currency).

    Rule (declared):
      * quotes are ECB reference rates (seeds/fx_reference_rates.csv, units per 1 EUR, TARGET business days
        only) and, for currencies the ECB does not quote (KWD, BHD, OMR, JOD, TND, ...), rates finance enters
        from another declared source (seeds/fx_manual_rates.csv). On a date and currency the ECB quotes, the
        ECB wins. EUR is the base: quoted (1) on every date any quote exists;
      * the rate of a pair is that of the last date on or before the invoice date on which BOTH currencies
        are quoted, looking back at most 7 calendar days (rate_date >= invoice_date - 7); an older quote is
        stale, i.e. missing;
      * cross rate A -> B = units_per_eur(B) / units_per_eur(A) to 10 decimals, half up, by integer
        arithmetic (macros/fx.sql fx_cross_rate); EUR -> B is exactly units_per_eur(B) and A -> EUR is
        1 / units_per_eur(A) to 10 decimals;
      * same currency: rate 1 exactly, no rate date, no source (is_conversion false);
      * no rate: rate null and a missing_reason_code / missing_reason (never a 1:1 fallback):
        not_quoted (a currency has no quote at all), stale (latest common quote older than 7 days),
        no_rate_on_or_before (quotes exist, none on or before the invoice date).
-#}

{%- set lookback_days = 7 -%}

with

required as (

    select distinct billing_period_start, invoice_date, from_currency, to_currency
    from {{ ref('int_fx_conversions_required') }}

),

reference_rates as (

    select * from {{ ref('stg_reference__fx_reference_rates') }}

),

manual_rates as (

    select * from {{ ref('stg_reference__fx_manual_rates') }}

),

currency_quotes as (

    select rate_date, currency_code, units_per_eur, source, 1 as source_priority
    from reference_rates

    union all

    select manual_rates.rate_date, manual_rates.currency_code, manual_rates.units_per_eur, manual_rates.source,
        2 as source_priority
    from manual_rates
    left join reference_rates
        on manual_rates.rate_date = reference_rates.rate_date
        and manual_rates.currency_code = reference_rates.currency_code
    where reference_rates.currency_code is null

),

quotes as (

    select rate_date, currency_code, units_per_eur, source, source_priority
    from currency_quotes
    where currency_code <> 'EUR'

    union all

    select distinct
        rate_date,
        'EUR' as currency_code,
        cast(1 as {{ billing.money_type() }}) as units_per_eur,
        cast(null as {{ dbt.type_string() }}) as source,
        1 as source_priority
    from currency_quotes

),

quoted_currencies as (

    select distinct currency_code from quotes

),

conversions as (

    select * from required
    where from_currency <> to_currency

),

candidates as (

    select
        conversions.billing_period_start,
        conversions.invoice_date,
        conversions.from_currency,
        conversions.to_currency,
        from_quotes.rate_date,
        from_quotes.units_per_eur as from_units_per_eur,
        to_quotes.units_per_eur as to_units_per_eur,
        case
            when conversions.from_currency = 'EUR' then to_quotes.source
            when conversions.to_currency = 'EUR' then from_quotes.source
            when from_quotes.source = to_quotes.source then from_quotes.source
            else from_quotes.source || ' / ' || to_quotes.source
        end as source
    from conversions
    inner join quotes as from_quotes
        on conversions.from_currency = from_quotes.currency_code
        and from_quotes.rate_date <= conversions.invoice_date
    inner join quotes as to_quotes
        on conversions.to_currency = to_quotes.currency_code
        and from_quotes.rate_date = to_quotes.rate_date
    qualify row_number() over (
        partition by conversions.billing_period_start, conversions.invoice_date,
            conversions.from_currency, conversions.to_currency
        order by from_quotes.rate_date desc,
            from_quotes.source_priority + to_quotes.source_priority asc,
            from_quotes.source asc nulls first, to_quotes.source asc nulls first
    ) = 1

),

converted as (

    select
        conversions.billing_period_start,
        conversions.invoice_date,
        conversions.from_currency,
        conversions.to_currency,
        true as is_conversion,
        case
            when candidates.rate_date >= {{ billing.add_days('conversions.invoice_date', -lookback_days) }}
                then {{ billing.fx_cross_rate('candidates.from_units_per_eur', 'candidates.to_units_per_eur') }}
        end as rate,
        case
            when candidates.rate_date >= {{ billing.add_days('conversions.invoice_date', -lookback_days) }}
                then candidates.rate_date
        end as rate_date,
        candidates.from_units_per_eur,
        candidates.to_units_per_eur,
        candidates.source,
        case
            when from_quoted.currency_code is null or to_quoted.currency_code is null then 'not_quoted'
            when candidates.rate_date is null then 'no_rate_on_or_before'
            when candidates.rate_date < {{ billing.add_days('conversions.invoice_date', -lookback_days) }}
                then 'stale'
        end as missing_reason_code,
        case
            when from_quoted.currency_code is null or to_quoted.currency_code is null then
                coalesce(case when from_quoted.currency_code is null then conversions.from_currency end,
                    conversions.to_currency)
                || ' has no ECB reference rate and no manual rate (seeds/fx_manual_rates.csv)'
            when candidates.rate_date is null then
                'no common quote of ' || conversions.from_currency || ' and ' || conversions.to_currency
                || ' on or before the invoice date ' || cast(conversions.invoice_date as {{ dbt.type_string() }})
            when candidates.rate_date < {{ billing.add_days('conversions.invoice_date', -lookback_days) }} then
                'latest common quote of ' || conversions.from_currency || ' and ' || conversions.to_currency
                || ' is of ' || cast(candidates.rate_date as {{ dbt.type_string() }}) || ', more than '
                || '{{ lookback_days }} days before the invoice date '
                || cast(conversions.invoice_date as {{ dbt.type_string() }})
        end as missing_reason
    from conversions
    left join candidates
        on conversions.billing_period_start = candidates.billing_period_start
        and conversions.invoice_date = candidates.invoice_date
        and conversions.from_currency = candidates.from_currency
        and conversions.to_currency = candidates.to_currency
    left join quoted_currencies as from_quoted
        on conversions.from_currency = from_quoted.currency_code
    left join quoted_currencies as to_quoted
        on conversions.to_currency = to_quoted.currency_code

),

same_currency as (

    select
        billing_period_start,
        invoice_date,
        from_currency,
        to_currency,
        false as is_conversion,
        cast(1 as {{ billing.money_type() }}) as rate,
        cast(null as date) as rate_date,
        cast(null as {{ billing.money_type() }}) as from_units_per_eur,
        cast(null as {{ billing.money_type() }}) as to_units_per_eur,
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as missing_reason_code,
        cast(null as {{ dbt.type_string() }}) as missing_reason
    from required
    where from_currency = to_currency

),

unioned as (

    select * from converted
    union all
    select * from same_currency

),

final as (

    select
        billing_period_start,
        invoice_date,
        from_currency,
        to_currency,
        is_conversion,
        cast(rate as {{ billing.money_type() }}) as rate,
        rate_date,
        from_units_per_eur,
        to_units_per_eur,
        source,
        missing_reason_code,
        missing_reason
    from unioned

)

select * from final
