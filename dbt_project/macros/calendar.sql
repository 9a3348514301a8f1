{#-
    Calendar arithmetic for billing operations (dispute SLA clocks, receivables aging), portable and null-safe.
-#}

{#-
    Whole calendar days from one date (or timestamp's UTC date) to another; negative when the end is earlier;
    null when either is null. dbt.datediff raises on a null input on Spark (its assert_not_null), so each
    engine gets its own form.
-#}
{% macro days_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('days_between', 'billing')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__days_between(start_expr, end_expr) -%}
    cast(date_diff('day', cast({{ start_expr }} as date), cast({{ end_expr }} as date)) as bigint)
{%- endmacro %}

{% macro spark__days_between(start_expr, end_expr) -%}
    cast(datediff(cast({{ end_expr }} as date), cast({{ start_expr }} as date)) as bigint)
{%- endmacro %}

{#-
    Day of the week, 0 = Monday .. 6 = Sunday, for dates from 1900-01-01 (a Monday). dayofweek() numbers
    differ between engines (DuckDB 0 = Sunday, Spark 1 = Sunday), so it is counted from a known Monday.
-#}
{% macro weekday_index(date_expr) -%}
    cast({{ billing.days_between("cast('1900-01-01' as date)", date_expr) }} % 7 as integer)
{%- endmacro %}

{#-
    A derived table of the whole numbers 0 .. 10^digits - 1 in column `n` (a portable spine: cross joins of
    ten digits, no generate_series / sequence, which differ by engine).
-#}
{% macro integer_series(digits) -%}
    select
        {% for position in range(digits) -%}
        digits_{{ position }}.digit * {{ 10 ** position }}{{ ' +' if not loop.last else ' as n' }}
        {% endfor -%}
    from
        {% for position in range(digits) -%}
        (
            select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4
            union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
        ) as digits_{{ position }}{{ ' cross join' if not loop.last }}
        {% endfor %}
{%- endmacro %}

{#-
    A date moved by a whole number of days or months, as a date; null when the date is null. billing.add_days
    and add_months (dbt.dateadd) raise on a null date on Spark, which an empty table's min() gives.
-#}
{% macro shift_days(date_expr, days_expr) -%}
    {{ return(adapter.dispatch('shift_days', 'billing')(date_expr, days_expr)) }}
{%- endmacro %}

{% macro default__shift_days(date_expr, days_expr) -%}
    cast(cast({{ date_expr }} as date) + cast({{ days_expr }} as integer) as date)
{%- endmacro %}

{% macro spark__shift_days(date_expr, days_expr) -%}
    cast(date_add(cast({{ date_expr }} as date), cast({{ days_expr }} as integer)) as date)
{%- endmacro %}

{% macro shift_months(date_expr, months_expr) -%}
    {{ return(adapter.dispatch('shift_months', 'billing')(date_expr, months_expr)) }}
{%- endmacro %}

{% macro default__shift_months(date_expr, months_expr) -%}
    cast(cast({{ date_expr }} as date) + to_months(cast({{ months_expr }} as integer)) as date)
{%- endmacro %}

{% macro spark__shift_months(date_expr, months_expr) -%}
    cast(add_months(cast({{ date_expr }} as date), cast({{ months_expr }} as integer)) as date)
{%- endmacro %}
