with

source as (

    select * from {{ ref('business_holidays') }}

),

final as (

    select
        cast(holiday_date as date) as holiday_date,
        {{ billing.clean_string('name') }} as holiday_name
    from source

)

select * from final
