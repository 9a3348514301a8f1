{#-
    Largest-remainder rounding (Hamilton's method), the one place money is rounded (DESIGN.md §4).

    Given the rows of `relation`, each with an unrounded amount and its currency's minor units, and groups
    defined by `partition_by`:
      1. floor every amount to whole minor units;
      2. the group must total round(sum of unrounded amounts, minor units), half away from zero;
      3. the missing minor units (never more than the number of rows with a remainder) go, one each, to the
         rows with the largest remainders; ties are broken by `order_by`, which must make the order total.
    So every row moves by less than one minor unit and the group sums exactly to its rounded total.

    Everything is DECIMAL: no division, no power() (both DOUBLE on DuckDB, shared/PORTABILITY.md trap 5).
    Returns `select <all columns of relation>, _lr_* helpers, <rounded_column> from relation`; callers select
    the columns they need from it.

    Arguments:
      relation            a ref, source or CTE name
      amount_column       unrounded amount (money)
      minor_units_column  integer 0..4 (seeds/currencies.csv)
      partition_by        comma-separated columns defining a group, e.g. 'invoice_id'
      order_by            deterministic tie-break, e.g. 'service_category asc nulls last'
      rounded_column      name of the output column
-#}
{% macro largest_remainder_round(
    relation, amount_column, minor_units_column, partition_by, order_by, rounded_column
) -%}
select
    lr_ranked.*,
    cast(
        cast(
            lr_ranked._lr_floor_units
            + case when lr_ranked._lr_rank <= lr_ranked._lr_units_to_add then 1 else 0 end
            as decimal(18,0)
        )
        * {{ billing.minor_unit('lr_ranked.' ~ minor_units_column) }}
        as {{ billing.money_type() }}
    ) as {{ rounded_column }}
from (
    select
        lr_units.*,
        row_number() over (
            partition by {{ partition_by }}
            order by lr_units._lr_remainder desc nulls last, {{ order_by }}
        ) as _lr_rank,
        -- minor units the group must total, minus what the floors already give
        cast(
            round(cast(sum(lr_units._lr_scaled) over (partition by {{ partition_by }}) as decimal(38,10)), 0)
            as decimal(28,0)
        )
        - cast(sum(lr_units._lr_floor_units) over (partition by {{ partition_by }}) as decimal(28,0))
            as _lr_units_to_add
    from (
        select
            lr_scaled.*,
            -- (28,10) - (18,0) needs precision 29: exact on Spark too
            cast(lr_scaled._lr_scaled - cast(lr_scaled._lr_floor_units as decimal(18,0)) as decimal(28,10))
                as _lr_remainder
        from (
            select
                lr_source.*,
                cast(
                    cast(lr_source.{{ amount_column }} as decimal(18,10))
                    * {{ billing.minor_unit_factor('lr_source.' ~ minor_units_column) }}
                    as decimal(28,10)
                ) as _lr_scaled,
                cast(
                    floor(
                        cast(
                            cast(lr_source.{{ amount_column }} as decimal(18,10))
                            * {{ billing.minor_unit_factor('lr_source.' ~ minor_units_column) }}
                            as decimal(28,10)
                        )
                    )
                    as decimal(28,0)
                ) as _lr_floor_units
            from {{ relation }} as lr_source
        ) as lr_scaled
    ) as lr_units
) as lr_ranked
{%- endmacro %}
