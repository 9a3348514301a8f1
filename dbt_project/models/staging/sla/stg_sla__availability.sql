{#-
    raw.sla_availability typed: one row per delivered measurement of a client's IT service over a calendar month,
    with the file and row it came from. Minutes are whole numbers (the parser refuses anything else).
-#}

with

source as (

    select * from {{ source('raw', 'sla_availability') }}

),

final as (

    select
        {{ billing.clean_string('measurement_id') }} as measurement_id,
        {{ billing.clean_string('client_id') }} as client_id,
        {{ billing.clean_string('service_id') }} as service_id,
        {{ billing.to_date('period_start') }} as period_start,
        {{ billing.to_date('period_end') }} as period_end,
        {{ billing.to_integer('minutes_total') }} as minutes_total,
        {{ billing.to_integer('minutes_downtime_excluding_maintenance') }} as minutes_downtime,
        {{ billing.clean_string('source_system') }} as source_system,
        -- lineage
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start
    from source

)

select * from final
