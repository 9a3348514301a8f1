{#- seeds/contract_sla_targets.csv typed: the availability a contract version promises per IT service. -#}

with

source as (

    select * from {{ ref('contract_sla_targets') }}

),

final as (

    select
        {{ billing.clean_string('contract_id') }} as contract_id,
        cast(contract_version as integer) as contract_version,
        {{ billing.clean_string('sla_id') }} as sla_id,
        {{ billing.clean_string('service_id') }} as service_id,
        -- availability in percent, e.g. 99.9
        cast(target_percent as {{ billing.money_type() }}) as target_percent,
        {{ billing.clean_string('credit_schedule_id') }} as credit_schedule_id
    from source

)

select * from final
