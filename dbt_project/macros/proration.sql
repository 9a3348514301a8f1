{#-
    Proration of a monthly fee over the units (UTC calendar days, or UTC clock hours) a subscription state
    covers, exact without decimal division (shared/PORTABILITY.md trap 5): every quantity here is a whole number
    of units, and the fraction is applied by integer division on amounts counted in 10^-10 units.

    The unit a timestamp falls in is the whole day (basis 'day') or clock hour (basis 'hour') containing it: a
    change effective at 2026-10-12 09:00:00 applies from 2026-10-12 00:00 (day basis) or from 09:00 (hour
    basis), 09:30 from 09:00. So the unit in which a change happens belongs entirely to the state after it.
-#}

{#- The start of the day or clock hour (UTC) that a timestamp falls in, as a timestamp. -#}
{% macro proration_boundary(timestamp_expr, basis_expr) -%}
    case
        when {{ basis_expr }} = 'hour' then cast({{ dbt.date_trunc('hour', timestamp_expr) }} as timestamp)
        else cast(cast({{ timestamp_expr }} as date) as timestamp)
    end
{%- endmacro %}

{#-
    Whole units from the billing period's first day 00:00 to a unit boundary (negative before the period):
    days, or days x 24 + the boundary's hour. Whole numbers on both engines (datediff of dates, hour()).
-#}
{% macro proration_unit_index(boundary_expr, period_start_expr, basis_expr) -%}
    cast(
        case
            when {{ basis_expr }} = 'hour' then
                {{ dbt.datediff(period_start_expr, 'cast(' ~ boundary_expr ~ ' as date)', 'day') }} * 24
                + hour({{ boundary_expr }})
            else {{ dbt.datediff(period_start_expr, 'cast(' ~ boundary_expr ~ ' as date)', 'day') }}
        end
        as bigint
    )
{%- endmacro %}

{#- Units in the calendar month starting at period_start: its days, or its days x 24 hours (UTC, no DST). -#}
{% macro proration_period_units(period_start_expr, basis_expr) -%}
    cast(
        {{ dbt.datediff(period_start_expr, billing.add_months(period_start_expr, 1), 'day') }}
        * case when {{ basis_expr }} = 'hour' then 24 else 1 end
        as bigint
    )
{%- endmacro %}

{#-
    amount x numerator / denominator, rounded half away from zero to 10 decimals (the money scale), exact:
    |amount| in 10^-10 units times the numerator is a whole number N, and round(N / D) = (2N + D) div 2D for
    N >= 0, D > 0; the amount's sign is applied afterwards. Null unless the denominator is positive. The
    numerator and denominator are whole numbers below 10^12 (units covered / units in the month, or a
    percentage in millionths / 10^8); amounts below 10^10, so 2N stays far inside decimal(38,0).
-#}
{% macro prorate(amount_expr, numerator_expr, denominator_expr) -%}
    {%- set product = 'cast(cast(abs(' ~ billing.to_units(amount_expr) ~ ') as decimal(24,0)) * cast('
        ~ numerator_expr ~ ' as decimal(12,0)) as decimal(38,0))' -%}
    {%- set denominator = 'cast(' ~ denominator_expr ~ ' as decimal(12,0))' -%}
    case
        when {{ denominator }} > 0 then
            {{ billing.from_units(
                '(case when ' ~ amount_expr ~ ' < 0 then -1 else 1 end) * '
                ~ billing.integer_divide(
                    'cast(2 as decimal(1,0)) * ' ~ product ~ ' + ' ~ denominator,
                    'cast(2 as decimal(1,0)) * ' ~ denominator
                )
            ) }}
    end
{%- endmacro %}
