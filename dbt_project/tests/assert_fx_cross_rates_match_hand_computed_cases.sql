{#-
    billing.fx_cross_rate and billing.convert_amount (macros/fx.sql) on hand-computed cases (ECB quotes of
    2026): USD 1.1355 / JPY 178.27 -> 178.27 / 1.1355 = 156.99691765741... -> 156.9969176574 (down);
    USD 1.1172 / JPY 175.68 -> 157.25026852846... -> 157.2502685285 (up); EUR -> USD = 1.1355 exactly;
    USD -> EUR = 1 / 1.1355 = 0.88066930867... -> 0.8806693087; KWD 0.3425 -> KRW 1491.76 =
    4355.50364963503... -> 4355.5036496350; a zero quote gives null. 1000.00 USD at 156.9969176574 =
    156996.9176574000 JPY; -0.01 at 0.8806693087 = -0.008806693087 -> -0.0088066931 (half away from zero).
    Returns the cases that differ; none = pass.
-#}

with

rate_cases as (

    select cast(1.1355 as decimal(38,10)) as from_units, cast(178.27 as decimal(38,10)) as to_units,
        cast(156.9969176574 as decimal(38,10)) as expected
    union all
    select cast(1.1172 as decimal(38,10)), cast(175.68 as decimal(38,10)), cast(157.2502685285 as decimal(38,10))
    union all
    select cast(1 as decimal(38,10)), cast(1.1355 as decimal(38,10)), cast(1.1355 as decimal(38,10))
    union all
    select cast(1.1355 as decimal(38,10)), cast(1 as decimal(38,10)), cast(0.8806693087 as decimal(38,10))
    union all
    select cast(0.3425 as decimal(38,10)), cast(1491.76 as decimal(38,10)), cast(4355.5036496350 as decimal(38,10))
    union all
    select cast(0 as decimal(38,10)), cast(1491.76 as decimal(38,10)), cast(null as decimal(38,10))

),

amount_cases as (

    select cast(1000.00 as decimal(38,10)) as amount, cast(156.9969176574 as decimal(38,10)) as rate,
        cast(156996.9176574000 as decimal(38,10)) as expected
    union all
    select cast(-0.01 as decimal(38,10)), cast(0.8806693087 as decimal(38,10)), cast(-0.0088066931 as decimal(38,10))

),

rate_failures as (

    select
        'rate' as kind,
        cast(expected as {{ dbt.type_string() }}) as expected,
        cast({{ billing.fx_cross_rate('from_units', 'to_units') }} as {{ dbt.type_string() }}) as actual
    from rate_cases

),

amount_failures as (

    select
        'amount' as kind,
        cast(expected as {{ dbt.type_string() }}) as expected,
        cast({{ billing.convert_amount('amount', 'rate') }} as {{ dbt.type_string() }}) as actual
    from amount_cases

),

final as (

    select * from rate_failures
    union all
    select * from amount_failures

)

select * from final
where coalesce(actual, 'null') <> coalesce(expected, 'null')
