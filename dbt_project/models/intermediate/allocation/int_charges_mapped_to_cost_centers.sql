{#-
    Direct allocation: every charge goes to exactly one cost center, chosen by the mapping rules of
    seeds/cost_center_mappings.csv.
      * candidate rules are those whose dimension matches the charge:
          tag             the charge's Tags JSON has key `tag_key` with value `match_value`
          project         x_ProjectId = match_value
          sub_account     SubAccountId = match_value
          billing_account BillingAccountId = match_value
      * a rule applies on the charge's day (ChargePeriodStart): valid_from <= day < valid_to (empty = open)
      * the lowest precedence wins; ties go to the lowest mapping_id
      * a charge no rule matches goes to the UNALLOCATED cost center
    Incremental by billing period (macros/incremental_by_period.sql): a close maps its own period's charges.
-#}

{{ config(billing.incremental_by_period('billing_period_start')) }}

with

charges as (

    select
        x_ChargeId as charge_id,
        Tags as tags,
        x_ProjectId as project_id,
        SubAccountId as sub_account_id,
        BillingAccountId as billing_account_id,
        cast(ChargePeriodStart as date) as charge_date,
        x_BillingPeriodStartDate as billing_period_start
    from {{ ref('int_charges_unioned') }}
    where {{ billing.in_closing_period('x_BillingPeriodStartDate') }}

),

mappings as (

    select * from {{ ref('stg_reference__cost_center_mappings') }}

),

tag_keys as (

    select distinct tag_key
    from mappings
    where match_dimension = 'tag'
        and tag_key is not null

),

-- every charge as (dimension, tag key, value) rows, so that rules match by plain equality; a tag's JSON is
-- read once per mapped tag key
charge_dimensions as (

    select charge_id, charge_date, 'project' as match_dimension, '' as tag_key, project_id as match_value
    from charges
    where project_id is not null

    union all

    select charge_id, charge_date, 'sub_account' as match_dimension, '' as tag_key, sub_account_id as match_value
    from charges
    where sub_account_id is not null

    union all

    select
        charge_id, charge_date, 'billing_account' as match_dimension, '' as tag_key, billing_account_id as match_value
    from charges
    where billing_account_id is not null

    union all

    select
        charges.charge_id,
        charges.charge_date,
        'tag' as match_dimension,
        tag_keys.tag_key,
        {{ billing.json_value('charges.tags', 'tag_keys.tag_key') }} as match_value
    from charges
    cross join tag_keys
    where charges.tags is not null

),

candidates as (

    select
        charge_dimensions.charge_id,
        charge_dimensions.charge_date,
        mappings.mapping_id,
        mappings.match_dimension,
        mappings.cost_center_id,
        mappings.precedence,
        mappings.valid_from,
        mappings.valid_to
    from charge_dimensions
    inner join mappings
        on charge_dimensions.match_dimension = mappings.match_dimension
        and charge_dimensions.tag_key = coalesce(mappings.tag_key, '')
        and charge_dimensions.match_value = mappings.match_value

),

winning_rules as (

    select *
    from candidates
    where (valid_from is null or valid_from <= charge_date)
        and (valid_to is null or charge_date < valid_to)
    qualify row_number() over (
        partition by charge_id
        order by precedence asc nulls last, mapping_id asc nulls last
    ) = 1

),

final as (

    select
        charges.charge_id,
        charges.billing_period_start,
        coalesce(winning_rules.cost_center_id, 'UNALLOCATED') as cost_center_id,
        coalesce(winning_rules.mapping_id, 'UNALLOCATED') as allocation_rule_id,
        case winning_rules.match_dimension
            when 'tag' then 'direct_tag'
            when 'project' then 'direct_project'
            when 'sub_account' then 'direct_sub_account'
            when 'billing_account' then 'direct_billing_account'
            else 'unallocated'
        end as allocation_method
    from charges
    left join winning_rules
        on charges.charge_id = winning_rules.charge_id

)

select * from final
{{ billing.periods_in_order('billing_period_start') }}
