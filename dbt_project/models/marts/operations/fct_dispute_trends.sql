{#-
    Disputes by the month they were opened and their root cause ('unresolved' while none is recorded), so a
    systemic problem (a metering error, a misclassified service) shows up as a count that grows. Average
    business days to resolve = total business days / resolved disputes, truncated to 2 decimals (exact on
    both engines: integer division, shared/PORTABILITY.md trap 5).
-#}

with

disputes as (

    select * from {{ ref('fct_disputes') }}

),

grouped as (

    select
        month_opened,
        coalesce(root_cause, 'unresolved') as root_cause,
        count(*) as disputes_opened,
        count(case when status = 'resolved' then 1 end) as disputes_resolved,
        count(case when outcome = 'upheld' then 1 end) as disputes_upheld,
        count(case when outcome = 'rejected' then 1 end) as disputes_rejected,
        count(case when status <> 'resolved' then 1 end) as disputes_open,
        sum(case when status = 'resolved' then business_days_to_resolve end) as business_days_to_resolve_total,
        max(case when status = 'resolved' then business_days_to_resolve end) as max_business_days_to_resolve,
        count(case when acknowledge_breached then 1 end) as acknowledge_breaches,
        count(case when investigate_breached then 1 end) as investigate_breaches,
        count(case when resolve_breached then 1 end) as resolve_breaches
    from disputes
    group by month_opened, coalesce(root_cause, 'unresolved')

),

final as (

    select
        cast(month_opened as date) as month_opened,
        cast(root_cause as {{ dbt.type_string() }}) as root_cause,
        cast(disputes_opened as bigint) as disputes_opened,
        cast(disputes_resolved as bigint) as disputes_resolved,
        cast(disputes_upheld as bigint) as disputes_upheld,
        cast(disputes_rejected as bigint) as disputes_rejected,
        cast(disputes_open as bigint) as disputes_open,
        cast(
            case
                when disputes_resolved > 0 then
                    {{ billing.integer_divide('business_days_to_resolve_total * 100', 'disputes_resolved') }}
                    * cast(0.01 as decimal(3, 2))
            end
            as decimal(38, 2)
        ) as avg_business_days_to_resolve,
        cast(max_business_days_to_resolve as bigint) as max_business_days_to_resolve,
        cast(acknowledge_breaches as bigint) as acknowledge_breaches,
        cast(investigate_breaches as bigint) as investigate_breaches,
        cast(resolve_breaches as bigint) as resolve_breaches
    from grouped

)

select * from final
