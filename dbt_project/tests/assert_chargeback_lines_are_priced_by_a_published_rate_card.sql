-- Business rule (issue 4, rate cards): only published rates charge anybody, and nobody in chargeback mode is
-- left uncharged silently. Every chargeback-mode line must be priced by a published rate card version in
-- force for its period, service and currency. A line returned here names what to publish: approve and publish
-- a rate card version (`billing rates approve|publish`) that prices the service in that currency.
-- Showback lines may stay unpriced: they report cost and are never posted.

select
    billing_period_start,
    department_id,
    cost_center_id,
    service_id,
    billing_currency,
    rate_card_version,
    allocated_cost
from {{ ref('fct_chargeback_lines') }}
where mode = 'chargeback'
    and pricing_status <> 'priced'
