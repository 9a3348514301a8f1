{#-
    Exact integer division of two non-negative whole numbers (decimal(38,0) values), truncated. No common
    form exists: `/` on decimals is DOUBLE on DuckDB and decimal(38,6) on Spark (shared/PORTABILITY.md trap 5),
    so each engine gets its own integer operator. Spark's `div` takes decimals and returns a bigint;
    DuckDB's `//` on HUGEINT is exact to 38 digits. Callers pass non-negative operands (truncation and floor
    then agree) and a non-zero divisor.
-#}
{% macro integer_divide(numerator_expr, denominator_expr) -%}
    {{ return(adapter.dispatch('integer_divide', 'billing')(numerator_expr, denominator_expr)) }}
{%- endmacro %}

{% macro duckdb__integer_divide(numerator_expr, denominator_expr) -%}
    cast(cast({{ numerator_expr }} as hugeint) // cast({{ denominator_expr }} as hugeint) as decimal(38,0))
{%- endmacro %}

{% macro spark__integer_divide(numerator_expr, denominator_expr) -%}
    cast(
        cast({{ numerator_expr }} as decimal(38,0)) div cast({{ denominator_expr }} as decimal(38,0))
        as decimal(38,0)
    )
{%- endmacro %}

{% macro default__integer_divide(numerator_expr, denominator_expr) -%}
    {{ exceptions.raise_compiler_error(
        "billing.integer_divide has no form for adapter " ~ adapter.type()
        ~ "; add " ~ adapter.type() ~ "__integer_divide to macros/percentages.sql"
    ) }}
{%- endmacro %}

{#-
    part / whole x 100 as a percentage, exact, truncated toward zero to 4 decimals (decimal(38,4)); null
    unless whole > 0. Truncation, not rounding: the percentage shown reaches a threshold only when the
    amounts really do (79.99996 % shows 79.9999, never 80.0000). Both amounts are money (scale 10), so
    part x 10^16 and whole x 10^10 are whole numbers whose quotient is the percentage x 10^4. Parts up to
    10^12 (DuckDB) / 10^16 (Spark) fit.
-#}
{% macro percent_truncated(part_expr, whole_expr) -%}
    {%- set part = 'cast(' ~ part_expr ~ ' as ' ~ billing.money_type() ~ ')' -%}
    {%- set whole = 'cast(' ~ whole_expr ~ ' as ' ~ billing.money_type() ~ ')' -%}
    {%- set quotient = billing.integer_divide(
        'cast(abs(' ~ part ~ ') * cast(10000000000000000 as decimal(17,0)) as decimal(38,0))',
        'cast(' ~ whole ~ ' * cast(10000000000 as decimal(11,0)) as decimal(38,0))'
    ) -%}
    case
        when {{ whole }} > 0 then
            cast(
                case when {{ part }} < 0 then -{{ quotient }} else {{ quotient }} end
                * cast(0.0001 as decimal(5,4))
                as decimal(38,4)
            )
    end
{%- endmacro %}

{#-
    A decimal as short text without trailing zeros: 80.0000000000 -> '80', 121.9932 -> '121.9932',
    0 -> '0'. Rounded to 6 decimals first; decimal(18,6) prints in plain notation on both engines. The
    pattern has no backslash (trap 12) and is anchored, so DuckDB (first match) and Spark (all matches)
    replace the same text. Used in stable keys (alert ids) and human-readable reasons.
-#}
{% macro decimal_text(expr) -%}
    regexp_replace(cast(cast({{ expr }} as decimal(18,6)) as {{ dbt.type_string() }}), '[.]?0+$', '')
{%- endmacro %}
