{#-
    Each delivered availability measurement judged against the client's SLA (issue "External client invoicing",
    item 4):
      * the contract is the client's version in force on the measured month's first day (valid_from <= period
        < valid_to, empty = open; the latest valid_from, then the highest version, wins); its SLA target for
        the measured service (seeds/contract_sla_targets.csv) applies; no target: measured, never credited;
      * minutes available = minutes_total - minutes_downtime; availability_percent = available x 100 / total,
        truncated to 3 decimals by integer division, for display only;
      * every decision compares without division: below the target when available x 100 < target x total;
        a band applies when available x 100 < below_percent x total (a measurement exactly at a threshold is
        not under it), and of the bands it is under the one with the lowest below_percent wins;
      * no credit at or above the target, even when under a band (a target below the schedule's first band);
        below the target but under no band: no credit either (credit_percent null).
-#}

with

measurements as (

    select * from {{ ref('stg_sla__availability') }}

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

targets as (

    select * from {{ ref('stg_reference__contract_sla_targets') }}

),

bands as (

    select * from {{ ref('stg_reference__sla_credit_bands') }}

),

measurement_contracts as (

    select
        measurements.*,
        contracts.contract_id,
        contracts.contract_version
    from measurements
    left join contracts
        on measurements.client_id = contracts.client_id
        and contracts.valid_from <= measurements.period_start
        and (contracts.valid_to is null or measurements.period_start < contracts.valid_to)
    qualify row_number() over (
        partition by measurements.source_file, measurements.source_row
        order by contracts.valid_from desc nulls last, contracts.contract_version desc nulls last
    ) = 1

),

targeted as (

    select
        measurement_contracts.*,
        targets.sla_id,
        targets.target_percent,
        targets.credit_schedule_id,
        cast(measurement_contracts.minutes_total - measurement_contracts.minutes_downtime as bigint)
            as minutes_available
    from measurement_contracts
    left join targets
        on measurement_contracts.contract_id = targets.contract_id
        and measurement_contracts.contract_version = targets.contract_version
        and measurement_contracts.service_id = targets.service_id

),

compared as (

    select
        targeted.*,
        -- available x 100 and a percentage x total, both exact decimals: no division decides anything
        cast(cast(minutes_available as decimal(20,0)) * cast(100 as decimal(3,0)) as {{ billing.money_type() }})
            as available_times_100,
        case
            when sla_id is not null then
                cast(cast(minutes_available as decimal(20,0)) * cast(100 as decimal(3,0)) as {{ billing.money_type() }})
                < {{ billing.money_multiply('target_percent', 'minutes_total') }}
        end as is_below_target
    from targeted

),

banded as (

    select
        compared.*,
        bands.band_id,
        bands.below_percent as band_below_percent,
        bands.credit_percent
    from compared
    left join bands
        on compared.credit_schedule_id = bands.credit_schedule_id
        and compared.is_below_target
        and compared.available_times_100 < {{ billing.money_multiply('bands.below_percent', 'compared.minutes_total') }}
    qualify row_number() over (
        partition by compared.source_file, compared.source_row
        order by bands.below_percent asc nulls last
    ) = 1

),

final as (

    select
        measurement_id,
        client_id,
        service_id,
        period_start as billing_period_start,
        period_start,
        period_end,
        minutes_total,
        minutes_downtime,
        minutes_available,
        case
            when minutes_total > 0 then
                cast(
                    cast({{ billing.integer_divide(
                        'cast(minutes_available as decimal(20,0)) * cast(100000 as decimal(6,0))',
                        'minutes_total'
                    ) }} as decimal(20,0))
                    * cast(0.001 as decimal(4,3))
                    as decimal(38,3)
                )
        end as availability_percent,
        contract_id,
        contract_version,
        sla_id,
        target_percent,
        credit_schedule_id,
        coalesce(is_below_target, false) as is_below_target,
        band_id,
        band_below_percent,
        credit_percent,
        source_system,
        source_file,
        source_row,
        file_sha256
    from banded

)

select * from final
