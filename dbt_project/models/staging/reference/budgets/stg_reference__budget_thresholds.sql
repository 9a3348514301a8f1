with

source as (

    select * from {{ ref('budget_thresholds') }}

),

final as (

    select
        {{ billing.clean_string('threshold_set_id') }} as threshold_set_id,
        cast(threshold_percent as {{ billing.money_type() }}) as threshold_percent,
        {{ billing.clean_string('severity') }} as severity
    from source

)

select * from final
