{#-
    seeds/contract_unit_codes.csv: FOCUS unit name (after seeds/unit_of_measure_mappings.csv) -> the UN/ECE
    Rec 20 code a contract prices it in. A unit the seed does not list has no code and no quantity-based price
    can match it (it is never rescaled into another unit). Rec 20 has no gigabyte-month: E34-MON is this
    project's code for it (is_rec20 = false), to be written as E34 with "per month" in the e-invoice.
-#}

with

source as (

    select * from {{ ref('contract_unit_codes') }}

),

final as (

    select
        {{ billing.clean_string('focus_unit') }} as focus_unit,
        upper({{ billing.clean_string('unit_code') }}) as unit_code,
        {{ billing.clean_string('unit_name') }} as unit_name,
        cast(is_rec20 as boolean) as is_rec20
    from source

)

select * from final
