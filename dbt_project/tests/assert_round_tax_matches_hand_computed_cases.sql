{#-
    billing.round_tax (macros/tax.sql) on hand-computed cases: .5 ties under half_up (away from zero),
    half_even (to the even neighbour) and down (toward zero), with 0, 2 and 3 minor units (JPY, EUR, KWD),
    negative amounts included; plus billing.tax_amount on a line (EUR 12.34 at 8.875 % = 1.095175 -> 1.10).
    Returns the cases whose result differs (or is null); none = pass. Runs on both engines.
-#}

with

cases as (

    select cast(2.5 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'half_up' as rounding_mode,
        cast(3 as {{ billing.money_type() }}) as expected, 'JPY half away from zero' as note
    union all
    select cast(2.5 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'half_even' as rounding_mode,
        cast(2 as {{ billing.money_type() }}) as expected, 'JPY half to even (2)' as note
    union all
    select cast(3.5 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'half_even' as rounding_mode,
        cast(4 as {{ billing.money_type() }}) as expected, 'JPY half to even (4)' as note
    union all
    select cast(2.5 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'down' as rounding_mode,
        cast(2 as {{ billing.money_type() }}) as expected, 'JPY toward zero' as note
    union all
    select cast(-2.5 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'half_up' as rounding_mode,
        cast(-3 as {{ billing.money_type() }}) as expected, 'JPY negative half away from zero' as note
    union all
    select cast(-2.5 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'half_even' as rounding_mode,
        cast(-2 as {{ billing.money_type() }}) as expected, 'JPY negative half to even' as note
    union all
    select cast(-3.5 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'half_even' as rounding_mode,
        cast(-4 as {{ billing.money_type() }}) as expected, 'JPY negative half to even (4)' as note
    union all
    select cast(-2.5 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'down' as rounding_mode,
        cast(-2 as {{ billing.money_type() }}) as expected, 'JPY negative toward zero' as note
    union all
    select cast(2.4999999999 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'half_up' as rounding_mode,
        cast(2 as {{ billing.money_type() }}) as expected, 'JPY just below half' as note
    union all
    select cast(123.4 as {{ billing.money_type() }}) as amount, 0 as minor_units, 'down' as rounding_mode,
        cast(123 as {{ billing.money_type() }}) as expected, 'JPY 1234 x 10 % consumption tax, rounded down' as note
    union all
    select cast(0.125 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'half_up' as rounding_mode,
        cast(0.13 as {{ billing.money_type() }}) as expected, 'EUR half away from zero' as note
    union all
    select cast(0.125 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'half_even' as rounding_mode,
        cast(0.12 as {{ billing.money_type() }}) as expected, 'EUR half to even (2)' as note
    union all
    select cast(0.135 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'half_even' as rounding_mode,
        cast(0.14 as {{ billing.money_type() }}) as expected, 'EUR half to even (4)' as note
    union all
    select cast(0.125 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'down' as rounding_mode,
        cast(0.12 as {{ billing.money_type() }}) as expected, 'EUR toward zero' as note
    union all
    select cast(-0.125 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'half_up' as rounding_mode,
        cast(-0.13 as {{ billing.money_type() }}) as expected, 'EUR negative half away from zero' as note
    union all
    select cast(-0.125 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'half_even' as rounding_mode,
        cast(-0.12 as {{ billing.money_type() }}) as expected, 'EUR negative half to even' as note
    union all
    select cast(-0.125 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'down' as rounding_mode,
        cast(-0.12 as {{ billing.money_type() }}) as expected, 'EUR negative toward zero' as note
    union all
    select cast(1.129 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'down' as rounding_mode,
        cast(1.12 as {{ billing.money_type() }}) as expected, 'EUR down drops 0.009' as note
    union all
    select cast(-1.129 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'down' as rounding_mode,
        cast(-1.12 as {{ billing.money_type() }}) as expected, 'EUR negative down' as note
    union all
    select cast(0.1251 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'half_even' as rounding_mode,
        cast(0.13 as {{ billing.money_type() }}) as expected, 'EUR above half goes up under half_even' as note
    union all
    select cast(19.0095 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'half_up' as rounding_mode,
        cast(19.01 as {{ billing.money_type() }}) as expected, 'EUR 100.05 x 19 %' as note
    union all
    select cast(0 as {{ billing.money_type() }}) as amount, 2 as minor_units, 'half_even' as rounding_mode,
        cast(0 as {{ billing.money_type() }}) as expected, 'zero' as note
    union all
    select cast(0.0005 as {{ billing.money_type() }}) as amount, 3 as minor_units, 'half_up' as rounding_mode,
        cast(0.001 as {{ billing.money_type() }}) as expected, 'KWD half away from zero' as note
    union all
    select cast(0.0005 as {{ billing.money_type() }}) as amount, 3 as minor_units, 'half_even' as rounding_mode,
        cast(0 as {{ billing.money_type() }}) as expected, 'KWD half to even (0)' as note
    union all
    select cast(0.0005 as {{ billing.money_type() }}) as amount, 3 as minor_units, 'down' as rounding_mode,
        cast(0 as {{ billing.money_type() }}) as expected, 'KWD toward zero' as note
    union all
    select cast(1.2345 as {{ billing.money_type() }}) as amount, 3 as minor_units, 'half_even' as rounding_mode,
        cast(1.234 as {{ billing.money_type() }}) as expected, 'KWD half to even (4)' as note
    union all
    select cast(1.2345 as {{ billing.money_type() }}) as amount, 3 as minor_units, 'half_up' as rounding_mode,
        cast(1.235 as {{ billing.money_type() }}) as expected, 'KWD half up' as note
    union all
    select cast(-1.2355 as {{ billing.money_type() }}) as amount, 3 as minor_units, 'half_even' as rounding_mode,
        cast(-1.236 as {{ billing.money_type() }}) as expected, 'KWD negative half to even (6)' as note
    union all
    select cast(-0.0005 as {{ billing.money_type() }}) as amount, 3 as minor_units, 'half_up' as rounding_mode,
        cast(-0.001 as {{ billing.money_type() }}) as expected, 'KWD negative half away from zero' as note
    union all
    select cast(-0.0005 as {{ billing.money_type() }}) as amount, 3 as minor_units, 'down' as rounding_mode,
        cast(0 as {{ billing.money_type() }}) as expected, 'KWD negative toward zero' as note


),

rounded as (

    select
        note,
        expected,
        {{ billing.round_tax('amount', 'minor_units', 'rounding_mode') }} as rounded
    from cases

    union all

    select
        'tax_amount: EUR 12.34 x 8.875 % = 1.095175 half up' as note,
        cast(1.10 as {{ billing.money_type() }}) as expected,
        {{ billing.tax_amount('cast(12.34 as decimal(38,10))', 'cast(0.08875 as decimal(38,10))', '2', "'half_up'") }}
            as rounded

),

final as (

    select * from rounded

)

select * from final
where rounded is null or rounded <> expected
