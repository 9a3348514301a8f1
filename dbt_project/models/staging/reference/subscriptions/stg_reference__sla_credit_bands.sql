{#-
    seeds/sla_credit_bands.csv typed: a credit schedule's bands. A measured availability strictly below
    below_percent earns credit_percent of the service's subscription fee; of the bands it is under, the one with
    the lowest below_percent applies.
-#}

with

source as (

    select * from {{ ref('sla_credit_bands') }}

),

final as (

    select
        {{ billing.clean_string('credit_schedule_id') }} as credit_schedule_id,
        {{ billing.clean_string('band_id') }} as band_id,
        cast(below_percent as {{ billing.money_type() }}) as below_percent,
        cast(credit_percent as {{ billing.money_type() }}) as credit_percent
    from source

)

select * from final
