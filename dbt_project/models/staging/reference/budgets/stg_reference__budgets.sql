{#-
    seeds/budgets.csv typed: one row per budget version. A budget covers exactly one cost center or one
    project (budget_scope is null when both or neither are given, which the not_null test reports); a
    version is in force for the billing periods whose first day is in [valid_from, valid_to). An empty
    threshold_set_id is the `default` set; an empty cap_percent means the budget never requests throttling.
-#}

with

source as (

    select * from {{ ref('budgets') }}

),

cleaned as (

    select
        {{ billing.clean_string('budget_id') }} as budget_id,
        {{ billing.clean_string('budget_name') }} as budget_name,
        {{ billing.clean_string('cost_center_id') }} as cost_center_id,
        {{ billing.clean_string('project_id') }} as project_id,
        cast(valid_from as date) as valid_from,
        -- empty = open-ended
        cast(valid_to as date) as valid_to,
        {{ billing.clean_string('currency') }} as currency,
        cast(monthly_amount as {{ billing.money_type() }}) as monthly_amount,
        coalesce({{ billing.clean_string('threshold_set_id') }}, 'default') as threshold_set_id,
        cast(cap_percent as {{ billing.money_type() }}) as cap_percent,
        {{ billing.clean_string('owner_email') }} as owner_email
    from source

),

final as (

    select
        budget_id,
        budget_name,
        case
            when cost_center_id is not null and project_id is null then 'cost_center'
            when project_id is not null and cost_center_id is null then 'project'
        end as budget_scope,
        cost_center_id,
        project_id,
        valid_from,
        valid_to,
        currency,
        monthly_amount,
        threshold_set_id,
        cap_percent,
        owner_email
    from cleaned

)

select * from final
