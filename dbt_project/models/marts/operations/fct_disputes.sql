{#-
    One row per dispute: what is disputed, where it stands, who owns it, its SLA deadlines and breaches, how
    long it took, and what the approved credit notes for it credited (raw.ops_adjustments.dispute_id -> the
    notes issued from them, raw.ops_adjustment_notes).
-#}

with

disputes as (

    select * from {{ ref('int_disputes_tracked') }}

),

adjustments as (

    select * from {{ ref('stg_ops__adjustments') }}

),

notes as (

    select * from {{ ref('stg_ops__adjustment_notes') }}

),

dispute_credits as (

    select
        adjustments.dispute_id,
        cast(-sum(notes.net_amount) as {{ billing.money_type() }}) as credited_net_amount,
        cast(-sum(notes.total) as {{ billing.money_type() }}) as credited_amount,
        count(*) as credit_note_count
    from adjustments
    inner join notes
        on adjustments.adjustment_id = notes.adjustment_id
    where adjustments.dispute_id is not null
        and notes.document_type = 'credit_note'
    group by adjustments.dispute_id

),

final as (

    select
        cast(disputes.dispute_id as {{ dbt.type_string() }}) as dispute_id,
        cast(disputes.target_type as {{ dbt.type_string() }}) as target_type,
        cast(disputes.invoice_number as {{ dbt.type_string() }}) as invoice_number,
        cast(disputes.line_number as integer) as line_number,
        cast(disputes.invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(disputes.client_id as {{ dbt.type_string() }}) as client_id,
        cast(disputes.legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(disputes.department_id as {{ dbt.type_string() }}) as department_id,
        cast(disputes.cost_center_id as {{ dbt.type_string() }}) as cost_center_id,
        cast(disputes.service_id as {{ dbt.type_string() }}) as service_id,
        cast(disputes.billing_period_start as date) as billing_period_start,
        cast(disputes.currency as {{ dbt.type_string() }}) as currency,
        cast(disputes.disputed_amount as {{ billing.money_type() }}) as disputed_amount,
        cast(disputes.line_amount as {{ billing.money_type() }}) as line_amount,
        cast(disputes.line_found as boolean) as line_found,
        cast(disputes.description as {{ dbt.type_string() }}) as description,
        cast(disputes.status as {{ dbt.type_string() }}) as status,
        cast(disputes.current_owner as {{ dbt.type_string() }}) as current_owner,
        cast(disputes.root_cause as {{ dbt.type_string() }}) as root_cause,
        cast(disputes.outcome as {{ dbt.type_string() }}) as outcome,
        cast(disputes.month_opened as date) as month_opened,
        cast(disputes.opened_at as timestamp) as opened_at,
        cast(disputes.opened_by as {{ dbt.type_string() }}) as opened_by,
        cast(disputes.acknowledged_at as timestamp) as acknowledged_at,
        cast(disputes.acknowledged_by as {{ dbt.type_string() }}) as acknowledged_by,
        cast(disputes.investigation_started_at as timestamp) as investigation_started_at,
        cast(disputes.resolved_at as timestamp) as resolved_at,
        cast(disputes.resolved_by as {{ dbt.type_string() }}) as resolved_by,
        cast(disputes.acknowledge_due_at as timestamp) as acknowledge_due_at,
        cast(disputes.investigate_due_at as timestamp) as investigate_due_at,
        cast(disputes.resolve_due_at as timestamp) as resolve_due_at,
        cast(disputes.sla_as_of as timestamp) as sla_as_of,
        cast(disputes.acknowledge_breached as boolean) as acknowledge_breached,
        cast(disputes.investigate_breached as boolean) as investigate_breached,
        cast(disputes.resolve_breached as boolean) as resolve_breached,
        cast(disputes.breach_alert_count as bigint) as breach_alert_count,
        cast(disputes.calendar_days_to_acknowledge as bigint) as calendar_days_to_acknowledge,
        cast(disputes.calendar_days_to_resolve as bigint) as calendar_days_to_resolve,
        cast(disputes.business_days_to_resolve as bigint) as business_days_to_resolve,
        cast(coalesce(dispute_credits.credited_net_amount, 0) as {{ billing.money_type() }}) as credited_net_amount,
        cast(coalesce(dispute_credits.credited_amount, 0) as {{ billing.money_type() }}) as credited_amount,
        cast(coalesce(dispute_credits.credit_note_count, 0) as bigint) as credit_note_count
    from disputes
    left join dispute_credits
        on disputes.dispute_id = dispute_credits.dispute_id

)

select * from final
