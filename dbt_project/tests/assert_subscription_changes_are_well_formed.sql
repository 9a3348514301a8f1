-- Business rule (issue "External client invoicing", item 3, the subscription-change log): a subscription
-- belongs to one client; its first change is a start, and a start comes first or right after a terminate
-- (a restart); every change but a terminate names a plan and a quantity above zero, a terminate names no plan.
-- Otherwise a state would bill without a plan, or a subscription would bill before it starts. Returns the
-- offending changes with the reason.

with

changes as (

    select * from {{ ref('stg_reference__subscription_changes') }}

),

ordered as (

    select
        changes.*,
        lag(change_type) over (
            partition by subscription_id order by effective_at asc, change_id asc
        ) as previous_change_type
    from changes

),

subscription_clients as (

    select subscription_id, count(distinct client_id) as client_count
    from changes
    group by subscription_id

),

checked as (

    select
        ordered.change_id,
        ordered.subscription_id,
        ordered.client_id,
        ordered.change_type,
        case
            when subscription_clients.client_count > 1 then 'subscription belongs to several clients'
            when previous_change_type is null and change_type <> 'start' then 'first change is not a start'
            when previous_change_type is not null and previous_change_type <> 'terminate' and change_type = 'start'
                then 'start of a subscription already running'
            when previous_change_type = 'terminate' and change_type <> 'start'
                then 'change of a terminated subscription (restart it with a start)'
            when change_type <> 'terminate' and (price_id is null or quantity is null or quantity <= 0)
                then 'no plan or no positive quantity'
            when change_type = 'terminate' and price_id is not null then 'terminate names a plan'
        end as problem
    from ordered
    inner join subscription_clients
        on ordered.subscription_id = subscription_clients.subscription_id

)

select * from checked
where problem is not null
