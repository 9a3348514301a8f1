{#-
    Tax rounding (models/intermediate/tax). A tax amount is rounded once per invoice line to the invoice
    currency's minor units by the rounding mode of the jurisdiction whose tax it is (seeds/tax_jurisdictions.csv):
      * half_up:   half away from zero (-0.125 EUR -> -0.13), the same result as billing.round_to_minor_units;
      * half_even: a half goes to the even neighbour (0.125 -> 0.12, 0.135 -> 0.14, -0.125 -> -0.12);
      * down:      toward zero (0.129 -> 0.12, -0.129 -> -0.12).
    Computed on whole minor units, identically on DuckDB and Spark: s = amount x 10^minor_units (exact),
    t = s truncated toward zero, r = |s - t| in [0, 1); the rounded value is t, or t + sign(s) when the mode
    says so, times one minor unit. Amounts up to 10^14; an unknown mode or minor-unit count gives null
    (the not_null tests on tax amounts catch it).
-#}
{% macro round_tax(amount_expr, minor_units_expr, rounding_mode_expr) -%}
    {#- The factor narrowed to decimal(5,0): (24,10) x (18,0) would need precision 43, and Spark would cut the
        product's scale to 6 (2.4999999999 -> 2.500000, rounded up); (24,10) x (5,0) fits in (30,10). -#}
    {%- set scaled = 'cast(cast(' ~ amount_expr ~ ' as decimal(24,10)) * cast('
        ~ billing.minor_unit_factor(minor_units_expr) | trim ~ ' as decimal(5,0)) as decimal(30,10))' -%}
    {%- set truncated = 'cast(case when ' ~ scaled ~ ' < 0 then ceil(' ~ scaled ~ ') else floor(' ~ scaled
        ~ ') end as decimal(24,0))' -%}
    {%- set remainder = 'abs(cast(' ~ scaled ~ ' - ' ~ truncated ~ ' as decimal(30,10)))' -%}
    {%- set is_odd = '(abs(' ~ truncated ~ ') - cast(2 as decimal(1,0)) * floor(abs(' ~ truncated
        ~ ') * cast(0.5 as decimal(2,1))) = 1)' -%}
    cast(
        cast(
            {{ truncated }}
            + case when {{ scaled }} < 0 then -1 else 1 end
            * case
                when {{ rounding_mode_expr }} = 'half_up' and {{ remainder }} >= cast(0.5 as decimal(2,1)) then 1
                when {{ rounding_mode_expr }} = 'half_even' and {{ remainder }} > cast(0.5 as decimal(2,1)) then 1
                when {{ rounding_mode_expr }} = 'half_even' and {{ remainder }} = cast(0.5 as decimal(2,1))
                    and {{ is_odd }} then 1
                when {{ rounding_mode_expr }} in ('half_up', 'half_even', 'down') then 0
            end
            as decimal(24,0)
        )
        * {{ billing.minor_unit(minor_units_expr) }}
        as {{ billing.money_type() }}
    )
{%- endmacro %}

{#- Tax of one invoice line: round_tax(line amount x tax rate) (rate a fraction: 0.19 = 19 %). -#}
{% macro tax_amount(amount_expr, tax_rate_expr, minor_units_expr, rounding_mode_expr) -%}
    {{ billing.round_tax(billing.money_multiply(amount_expr, tax_rate_expr), minor_units_expr, rounding_mode_expr) }}
{%- endmacro %}
