{#-
    One row per rate card version, drafted (seeds/rate_cards.csv) or published (the operational store), with
    its workflow status: draft -> approved (finance sign-off: who, when) -> published (charging from then on).
    A version approved before its latest edit is still listed as approved here; `billing rates list` compares
    content hashes and says when a draft changed after sign-off.
-#}

with

drafts as (

    select
        rate_card_version,
        min(fiscal_year) as fiscal_year,
        min(valid_from) as valid_from,
        max(valid_to) as valid_to,
        cast(count(*) as bigint) as draft_lines
    from {{ ref('stg_reference__rate_cards') }}
    group by rate_card_version

),

published as (

    select
        rate_card_version,
        min(fiscal_year) as fiscal_year,
        min(valid_from) as valid_from,
        max(valid_to) as valid_to,
        max(published_at) as published_at,
        max(published_by) as published_by,
        max(approved_at) as approved_at,
        max(approved_by) as approved_by,
        cast(count(*) as bigint) as published_lines
    from {{ ref('stg_ops__published_rate_cards') }}
    group by rate_card_version

),

approvals as (

    select
        rate_card_version,
        actor as approved_by,
        acted_at as approved_at
    from {{ ref('stg_ops__rate_card_events') }}
    where action = 'approved'
    qualify row_number() over (partition by rate_card_version order by event_id desc) = 1

),

versions as (

    select rate_card_version from drafts
    union
    select rate_card_version from published

),

final as (

    select
        versions.rate_card_version,
        coalesce(published.fiscal_year, drafts.fiscal_year) as fiscal_year,
        coalesce(published.valid_from, drafts.valid_from) as valid_from,
        coalesce(published.valid_to, drafts.valid_to) as valid_to,
        case
            when published.rate_card_version is not null then 'published'
            when approvals.rate_card_version is not null then 'approved'
            else 'draft'
        end as status,
        coalesce(published.approved_by, approvals.approved_by) as approved_by,
        coalesce(published.approved_at, approvals.approved_at) as approved_at,
        published.published_by,
        published.published_at,
        drafts.draft_lines,
        published.published_lines
    from versions
    left join drafts
        on versions.rate_card_version = drafts.rate_card_version
    left join published
        on versions.rate_card_version = published.rate_card_version
    left join approvals
        on versions.rate_card_version = approvals.rate_card_version

)

select * from final
