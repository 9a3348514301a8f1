{#-
    Money is DECIMAL(38,10) everywhere (DESIGN.md §4, shared/PORTABILITY.md trap 3): dbt.type_numeric() is
    decimal(28,6) on Spark and would silently drop digits.
-#}
{% macro money_type() -%}
    decimal(38,10)
{%- endmacro %}

{#- Raw text -> money. try_cast, not dbt.safe_cast (trap 7); empty text is null. -#}
{% macro to_money(text_expr) -%}
    cast(try_cast(nullif(trim({{ text_expr }}), '') as {{ money_type() }}) as {{ money_type() }})
{%- endmacro %}

{#-
    Exact product of two money/rate values. Both operands are narrowed to decimal(18,10) first: Spark types
    (38,10) x (38,10) as decimal(38,6) and loses digits, (18,10) x (18,10) is decimal(37,20) on both engines
    (trap 4). Values up to 99,999,999.9999999999 fit; bigger ones fail loudly on DuckDB and become null on
    Spark, which the not_null tests on every money column catch (trap 6).
-#}
{% macro money_multiply(left_expr, right_expr) -%}
    cast(cast({{ left_expr }} as decimal(18,10)) * cast({{ right_expr }} as decimal(18,10)) as {{ money_type() }})
{%- endmacro %}

{#-
    Round a money value half away from zero (round() on DECIMAL behaves so on both engines) to a number of
    minor units held in a column. round(x, <column>) is not portable (DuckDB falls back to DOUBLE), so each
    supported scale is its own branch with a literal scale. Every branch is cast back to money: a CASE over
    decimals of different scales takes one common type, which DuckDB makes decimal(38,0) here.
-#}
{% macro round_to_minor_units(amount_expr, minor_units_expr) -%}
    cast(
        case {{ minor_units_expr }}
            when 0 then cast(round(cast({{ amount_expr }} as {{ money_type() }}), 0) as {{ money_type() }})
            when 1 then cast(round(cast({{ amount_expr }} as {{ money_type() }}), 1) as {{ money_type() }})
            when 2 then cast(round(cast({{ amount_expr }} as {{ money_type() }}), 2) as {{ money_type() }})
            when 3 then cast(round(cast({{ amount_expr }} as {{ money_type() }}), 3) as {{ money_type() }})
            when 4 then cast(round(cast({{ amount_expr }} as {{ money_type() }}), 4) as {{ money_type() }})
        end
        as {{ money_type() }}
    )
{%- endmacro %}

{#- 10 ^ minor_units as an exact decimal (no power(), which is DOUBLE). -#}
{% macro minor_unit_factor(minor_units_expr) -%}
    cast(
        case {{ minor_units_expr }}
            when 0 then 1
            when 1 then 10
            when 2 then 100
            when 3 then 1000
            when 4 then 10000
        end
        as decimal(18,0)
    )
{%- endmacro %}

{#- One minor unit (0.01 for USD, 1 for JPY, 0.001 for KWD) as an exact decimal. -#}
{% macro minor_unit(minor_units_expr) -%}
    cast(
        case {{ minor_units_expr }}
            when 0 then cast(1 as decimal(12,10))
            when 1 then cast(0.1 as decimal(12,10))
            when 2 then cast(0.01 as decimal(12,10))
            when 3 then cast(0.001 as decimal(12,10))
            when 4 then cast(0.0001 as decimal(12,10))
        end
        as decimal(12,10)
    )
{%- endmacro %}

{#-
    Exact sum or difference of money values. Spark types (38,10) + (38,10) as decimal(38,9) (the sum needs
    precision 39, so Spark drops a digit of scale); operands narrowed to decimal(28,10) add exactly on both
    engines. Pass the terms as a list; subtraction is addition of `-(x)`.
      {{ billing.money_add(['subtotal', 'discount_total', 'credit_total', 'tax_total']) }}
      {{ billing.money_add(['total_commitment', '-coalesce(used_commitment, 0)']) }}
-#}
{% macro money_add(terms) -%}
    cast(
        {%- for term in terms %}
        {% if not loop.first %}+ {% endif %}cast({{ term }} as decimal(28,10))
        {%- endfor %}
        as {{ money_type() }}
    )
{%- endmacro %}
