{#-
    One row per dispute with its lifecycle so far, the line it disputes and its SLA clocks.

    * status: resolved (a `resolved` event), else investigating (an `assigned` event), else acknowledged (an
      `acknowledged` event), else open. current_owner is the owner of the last `assigned` event (event_id
      order), investigation_started_at the time of the first; root cause, outcome and resolved_at come from the
      last `resolved` event.
    * The disputed line: an invoice_line dispute takes client, legal entity, period and currency from the issued
      invoice (audit.issued_invoices by invoice_number) and line_found says whether the line exists on it; a
      chargeback_line dispute carries its period, department, cost center and service, and line_found says
      whether marts.fct_chargeback_lines has a line with that key.
    * SLA: a stage is done when its event happens - or a later stage's, since resolving a dispute also ends its
      acknowledgement and investigation clocks. A stage is breached when it was done after its due timestamp,
      or is not done and the operational store's snapshot (raw.ops_snapshot.taken_at) is after it.
    * Days: calendar days are whole days between the UTC dates (opened the 1st, resolved the 3rd: 2);
      business_days_to_resolve counts the dates after the opening date up to and including the resolution
      date that are Monday to Friday and not in seeds/business_holidays.csv.
-#}

with

disputes as (

    select * from {{ ref('stg_ops__disputes') }}

),

events as (

    select * from {{ ref('stg_ops__dispute_events') }}

),

snapshot as (

    select max(taken_at) as taken_at from {{ ref('stg_ops__snapshot') }}

),

issued_invoices as (

    select * from {{ ref('stg_audit__issued_invoices') }}

),

issued_lines as (

    select * from {{ ref('stg_audit__issued_invoice_lines') }}

),

chargeback_lines as (

    select * from {{ ref('fct_chargeback_lines') }}

),

holidays as (

    select * from {{ ref('stg_reference__business_holidays') }}

),

event_times as (

    select
        dispute_id,
        min(case when action = 'acknowledged' then acted_at end) as acknowledged_at,
        min(case when action = 'assigned' then acted_at end) as investigation_started_at,
        cast(count(case when action = 'breach_alerted' then 1 end) as bigint) as breach_alert_count
    from events
    group by dispute_id

),

first_acknowledgements as (

    select
        dispute_id,
        actor as acknowledged_by
    from events
    where action = 'acknowledged'
    qualify row_number() over (partition by dispute_id order by event_id) = 1

),

last_assignments as (

    select
        dispute_id,
        owner as current_owner
    from events
    where action = 'assigned'
    qualify row_number() over (partition by dispute_id order by event_id desc) = 1

),

last_resolutions as (

    select
        dispute_id,
        acted_at as resolved_at,
        actor as resolved_by,
        root_cause,
        outcome
    from events
    where action = 'resolved'
    qualify row_number() over (partition by dispute_id order by event_id desc) = 1

),

invoice_lines as (

    select
        issued_invoices.invoice_number,
        issued_lines.line_number,
        issued_lines.amount as line_amount
    from issued_lines
    inner join issued_invoices
        on issued_lines.invoice_id = issued_invoices.invoice_id

),

chargeback_keys as (

    select
        billing_period_start,
        department_id,
        cost_center_id,
        service_id,
        min(billing_currency) as billing_currency
    from chargeback_lines
    group by billing_period_start, department_id, cost_center_id, service_id

),

targets as (

    select
        disputes.*,
        issued_invoices.invoice_id,
        issued_invoices.client_id,
        issued_invoices.legal_entity_id,
        invoice_lines.line_amount,
        case
            when disputes.target_type = 'invoice_line' then issued_invoices.billing_period_start
            else disputes.billing_period_start
        end as target_period_start,
        coalesce(issued_invoices.currency, disputes.currency, chargeback_keys.billing_currency) as target_currency,
        case
            when disputes.target_type = 'invoice_line' then invoice_lines.line_number is not null
            when disputes.target_type = 'chargeback_line' then chargeback_keys.department_id is not null
            else false
        end as line_found
    from disputes
    left join issued_invoices
        on disputes.target_type = 'invoice_line'
        and disputes.invoice_number = issued_invoices.invoice_number
    left join invoice_lines
        on disputes.target_type = 'invoice_line'
        and disputes.invoice_number = invoice_lines.invoice_number
        and disputes.line_number = invoice_lines.line_number
    left join chargeback_keys
        on disputes.target_type = 'chargeback_line'
        and disputes.billing_period_start = chargeback_keys.billing_period_start
        and disputes.department_id = chargeback_keys.department_id
        and disputes.cost_center_id = chargeback_keys.cost_center_id
        and disputes.service_id = chargeback_keys.service_id

),

lifecycles as (

    select
        targets.*,
        event_times.acknowledged_at,
        first_acknowledgements.acknowledged_by,
        event_times.investigation_started_at,
        last_assignments.current_owner,
        last_resolutions.resolved_at,
        last_resolutions.resolved_by,
        last_resolutions.root_cause,
        last_resolutions.outcome,
        snapshot.taken_at as sla_as_of,
        coalesce(event_times.breach_alert_count, 0) as breach_alert_count
    from targets
    cross join snapshot
    left join event_times
        on targets.dispute_id = event_times.dispute_id
    left join first_acknowledgements
        on targets.dispute_id = first_acknowledgements.dispute_id
    left join last_assignments
        on targets.dispute_id = last_assignments.dispute_id
    left join last_resolutions
        on targets.dispute_id = last_resolutions.dispute_id

),

stages_done as (

    select
        lifecycles.*,
        lifecycles.resolved_at as resolve_done_at,
        case
            when lifecycles.resolved_at is not null then 'resolved'
            when lifecycles.investigation_started_at is not null then 'investigating'
            when lifecycles.acknowledged_at is not null then 'acknowledged'
            else 'open'
        end as status,
        -- least() skips nulls on both engines: the earliest of the stage's own event and the later stages'
        least(lifecycles.acknowledged_at, lifecycles.investigation_started_at, lifecycles.resolved_at)
            as acknowledge_done_at,
        least(lifecycles.investigation_started_at, lifecycles.resolved_at) as investigate_done_at
    from lifecycles

),

calendar_bounds as (

    select
        min(cast(opened_at as date)) as first_date,
        max(cast(resolved_at as date)) as last_date
    from stages_done

),

day_offsets as (

    {{ billing.integer_series(4) }}

),

calendar_days as (

    select
        {{ billing.shift_days('calendar_bounds.first_date', 'day_offsets.n') }} as calendar_date
    from calendar_bounds
    cross join day_offsets
    where day_offsets.n <= {{ billing.days_between('calendar_bounds.first_date', 'calendar_bounds.last_date') }}

),

business_days as (

    select calendar_days.calendar_date
    from calendar_days
    left join holidays
        on calendar_days.calendar_date = holidays.holiday_date
    where {{ billing.weekday_index('calendar_days.calendar_date') }} < 5
        and holidays.holiday_date is null

),

business_days_to_resolve as (

    select
        stages_done.dispute_id,
        cast(count(business_days.calendar_date) as bigint) as business_days_to_resolve
    from stages_done
    left join business_days
        on business_days.calendar_date > cast(stages_done.opened_at as date)
        and business_days.calendar_date <= cast(stages_done.resolved_at as date)
    where stages_done.resolved_at is not null
    group by stages_done.dispute_id

),

final as (

    select
        stages_done.dispute_id,
        stages_done.target_type,
        stages_done.invoice_number,
        stages_done.line_number,
        stages_done.invoice_id,
        stages_done.client_id,
        stages_done.legal_entity_id,
        stages_done.department_id,
        stages_done.cost_center_id,
        stages_done.service_id,
        stages_done.target_period_start as billing_period_start,
        stages_done.target_currency as currency,
        stages_done.disputed_amount,
        stages_done.line_amount,
        stages_done.line_found,
        stages_done.description,
        stages_done.opened_at,
        stages_done.opened_by,
        cast({{ dbt.date_trunc('month', 'stages_done.opened_at') }} as date) as month_opened,
        stages_done.status,
        stages_done.current_owner,
        stages_done.acknowledged_at,
        stages_done.acknowledged_by,
        stages_done.investigation_started_at,
        stages_done.resolved_at,
        stages_done.resolved_by,
        stages_done.root_cause,
        stages_done.outcome,
        stages_done.acknowledge_due_at,
        stages_done.investigate_due_at,
        stages_done.resolve_due_at,
        stages_done.sla_as_of,
        {% for stage in ['acknowledge', 'investigate', 'resolve'] -%}
        case
            when stages_done.{{ stage }}_due_at is null then false
            when stages_done.{{ stage }}_done_at is not null
                then stages_done.{{ stage }}_done_at > stages_done.{{ stage }}_due_at
            else coalesce(stages_done.sla_as_of > stages_done.{{ stage }}_due_at, false)
        end as {{ stage }}_breached,
        {% endfor -%}
        stages_done.breach_alert_count,
        {{ billing.days_between('stages_done.opened_at', 'stages_done.acknowledged_at') }}
            as calendar_days_to_acknowledge,
        {{ billing.days_between('stages_done.opened_at', 'stages_done.resolved_at') }} as calendar_days_to_resolve,
        business_days_to_resolve.business_days_to_resolve
    from stages_done
    left join business_days_to_resolve
        on stages_done.dispute_id = business_days_to_resolve.dispute_id

)

select * from final
