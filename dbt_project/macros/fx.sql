{#-
    Currency conversion helpers (models/intermediate/fx). Rates are ECB reference rates, units of a currency
    per 1 EUR (seeds/fx_reference_rates.csv, fx_manual_rates.csv); a cross rate is derived, never stored.
-#}

{#-
    The billing periods invoices are prepared for: every period present in int_charges_allocated or billed by a
    subscription (int_subscription_lines_priced), plus the
    periods declared in the var `invoice_billing_periods` (a list of 'YYYY-MM-01' texts; default none), for a
    period that has a contract in force but no charges yet. One column: billing_period_start.
-#}
{% macro invoice_periods() -%}
    select distinct billing_period_start from {{ ref('int_charges_allocated') }}
    union
    -- a subscription bills months without any charge (a close of one month bills its earlier months too)
    select distinct billing_period_start from {{ ref('int_subscription_lines_priced') }}
    {%- for period in var('invoice_billing_periods', []) %}
    union
    select cast('{{ period }}' as date) as billing_period_start
    {%- endfor %}
{%- endmacro %}

{#- The invoice date of a billing period: its month's last day (the period starts on the 1st). -#}
{% macro period_invoice_date(period_start_expr) -%}
    {{ billing.add_days(billing.add_months(period_start_expr, 1), -1) }}
{%- endmacro %}

{#-
    Cross rate from currency A to currency B (units of B per 1 A) from both currencies' units per EUR:
    units_per_eur(B) / units_per_eur(A), to 10 decimals, rounded half up (rates are positive). No decimal
    division (shared/PORTABILITY.md trap 5): with a = units_per_eur(A) x 10^10 and b = units_per_eur(B) x
    10^10 as whole numbers, rate x 10^10 = floor((2 x b x 10^10 + a) / (2 x a)), an integer division.
    Units per EUR below 10^10 (b x 2 x 10^10 < 2 x 10^30 fits decimal(38,0)); null unless both are > 0.
-#}
{% macro fx_cross_rate(from_units_per_eur_expr, to_units_per_eur_expr) -%}
    {%- set a = billing.to_units(from_units_per_eur_expr) -%}
    {%- set b = billing.to_units(to_units_per_eur_expr) -%}
    case
        when cast({{ from_units_per_eur_expr }} as {{ billing.money_type() }}) > 0
            and cast({{ to_units_per_eur_expr }} as {{ billing.money_type() }}) > 0 then
            {{ billing.from_units(billing.integer_divide(
                'cast(' ~ b ~ ' as decimal(21,0)) * cast(20000000000 as decimal(11,0)) + ' ~ a,
                'cast(' ~ a ~ ' as decimal(21,0)) * cast(2 as decimal(1,0))'
            )) }}
    end
{%- endmacro %}

{#-
    An amount converted at a rate: amount x rate, exact to 20 decimals, then rounded half away from zero to
    the money scale (10 decimals); still unrounded in the invoice currency's sense (rounding to minor units
    happens once per line, later). Operands narrowed so that the product is decimal(38,20) on both engines
    (trap 4): amounts up to 10^10, rates up to 10^7 (IDR per KWD is about 6 x 10^4).
-#}
{% macro convert_amount(amount_expr, rate_expr) -%}
    cast(
        round(cast({{ amount_expr }} as decimal(20,10)) * cast({{ rate_expr }} as decimal(17,10)), 10)
        as {{ billing.money_type() }}
    )
{%- endmacro %}
