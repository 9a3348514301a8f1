{#-
    At most one tax rate per jurisdiction and category is in force on any day: two rows of
    seeds/tax_rates.csv for the same key whose [valid_from, valid_to) intervals meet are returned.
-#}

with

rates as (

    select * from {{ ref('stg_reference__tax_rates') }}

),

final as (

    select
        earlier.jurisdiction_id,
        earlier.tax_category,
        earlier.valid_from as earlier_valid_from,
        earlier.valid_to as earlier_valid_to,
        later.valid_from as later_valid_from
    from rates as earlier
    inner join rates as later
        on earlier.jurisdiction_id = later.jurisdiction_id
        and earlier.tax_category = later.tax_category
        and earlier.valid_from < later.valid_from
    where earlier.valid_to is null or earlier.valid_to > later.valid_from

)

select * from final
