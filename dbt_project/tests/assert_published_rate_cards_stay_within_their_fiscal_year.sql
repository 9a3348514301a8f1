-- Business rule (issue 4, rate cards aligned to fiscal years): a published rate card version prices only
-- inside the fiscal year it names - valid_from and the last day before valid_to fall in fiscal_year (var
-- fiscal_year_start_month), and an open-ended version is not allowed to run past it. The CLI refuses such a
-- draft at approval; this guards the published copies. Returns the offending versions.

select distinct
    rate_card_version,
    fiscal_year,
    valid_from,
    valid_to
from {{ ref('stg_ops__published_rate_cards') }}
where {{ billing.fiscal_year('valid_from') }} <> fiscal_year
    or valid_to is null
    or {{ billing.fiscal_year(billing.add_days('valid_to', '-1')) }} <> fiscal_year
    or valid_to <= valid_from
