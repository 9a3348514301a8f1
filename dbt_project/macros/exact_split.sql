{#-
    Exact proportional splitting without decimal division (shared/PORTABILITY.md trap 5: decimal / decimal is
    DOUBLE on DuckDB and decimal(38,6) on Spark). Everything here is integer arithmetic on DECIMAL(38,0):
    amounts are counted in units of 10^-10 (the money scale), shares in units of 10^-10 of the whole.
-#}

{#- Integer division: billing.integer_divide (macros/percentages.sql), one form per engine. -#}

{#-
    A money value (scale 10) as a whole number of 10^-10 units, and back. Operands are narrowed so that the
    product's precision stays within 38 (20 + 11 + 1 = 32): beyond it Spark cuts the scale to as little as 6
    (shared/PORTABILITY.md trap 4), so 0.3333333334 would come back as 0.33333333. Amounts up to 10^10.
-#}
{% macro to_units(money_expr) -%}
    cast(cast({{ money_expr }} as decimal(20,10)) * cast(10000000000 as decimal(11,0)) as decimal(38,0))
{%- endmacro %}

{% macro from_units(units_expr) -%}
    cast(cast({{ units_expr }} as decimal(20,0)) * cast(0.0000000001 as decimal(11,10)) as {{ billing.money_type() }})
{%- endmacro %}

{#-
    A non-negative weight as whole units of 10^-6: the declared precision of driver quantities, percentages
    and spend used as weights (a weight below one millionth counts as zero).
-#}
{% macro weight_units(weight_expr) -%}
    cast(floor(cast({{ weight_expr }} as decimal(28,10)) * cast(1000000 as decimal(7,0))) as decimal(38,0))
{%- endmacro %}

{#-
    Split a value held by each row of a group ("piece") over the group's target rows by integer share units
    that sum to 10^10 per piece, exactly: every target gets trunc(|units| x share / 10^10), and the units
    left over (fewer than the number of targets) go one each to the largest remainders, ties by `order_by`.
    The sign is applied after splitting |units|, so credits split the same way as charges. Returns an
    expression list to be used inside a select over `relation`, which must have the columns
    `<prefix>_units` (the piece's value in units) and `share_units`; it adds `<prefix>_split_units`.
-#}
{% macro split_units(relation, prefix, partition_by, order_by) -%}
select
    split_ranked.*,
    cast(
        (split_ranked._{{ prefix }}_trunc
            + case when split_ranked._{{ prefix }}_rank <= split_ranked._{{ prefix }}_left then 1 else 0 end)
        * split_ranked._{{ prefix }}_sign
        as decimal(38,0)
    ) as {{ prefix }}_split_units
from (
    select
        split_parts.*,
        row_number() over (
            partition by {{ partition_by }}
            order by split_parts._{{ prefix }}_remainder desc, {{ order_by }}
        ) as _{{ prefix }}_rank,
        cast(
            split_parts._{{ prefix }}_abs
            - sum(split_parts._{{ prefix }}_trunc) over (partition by {{ partition_by }})
            as decimal(38,0)
        ) as _{{ prefix }}_left
    from (
        select
            split_products.*,
            cast(
                split_products._{{ prefix }}_product
                - split_products._{{ prefix }}_trunc * cast(10000000000 as decimal(11,0))
                as decimal(38,0)
            ) as _{{ prefix }}_remainder
        from (
            select
                split_source.*,
                case when split_source.{{ prefix }}_units < 0 then -1 else 1 end as _{{ prefix }}_sign,
                cast(abs(split_source.{{ prefix }}_units) as decimal(38,0)) as _{{ prefix }}_abs,
                cast(cast(abs(split_source.{{ prefix }}_units) as decimal(19,0)) * cast(split_source.share_units as decimal(11,0)) as decimal(38,0))
                    as _{{ prefix }}_product,
                {{ billing.integer_divide(
                    'cast(abs(split_source.' ~ prefix ~ '_units) as decimal(19,0)) * cast(split_source.share_units as decimal(11,0))', '10000000000'
                ) }} as _{{ prefix }}_trunc
            from {{ relation }} as split_source
        ) as split_products
    ) as split_parts
) as split_ranked
{%- endmacro %}

{#-
    amount / quantity as a rate in units of 10^-10, truncated toward zero: integer_divide(|amount units| x 10^6,
    quantity weight units), signed like the amount. Null when the quantity is below one unit (a rate per a
    fraction of a unit is not a rate anybody charges, and the quotient could overflow).
-#}
{% macro unit_rate(amount_expr, quantity_expr) -%}
    case
        when cast({{ quantity_expr }} as decimal(28,10)) >= 1 then
            {{ billing.from_units(
                '(case when ' ~ amount_expr ~ ' < 0 then -1 else 1 end) * '
                ~ billing.integer_divide(
                    'abs(' ~ billing.to_units(amount_expr) ~ ') * cast(1000000 as decimal(7,0))',
                    billing.weight_units(quantity_expr)
                )
            ) }}
    end
{%- endmacro %}
