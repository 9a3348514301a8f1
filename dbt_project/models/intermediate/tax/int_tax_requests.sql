{#-
    What a tax determination needs, one row per (client_id, billing_period_start, tax_category): the seller
    (the client's legal entity), the buyer (client country, subdivision, business or consumer, VAT id) and
    where the service is delivered (the contract's delivery region), each located in a tax territory
    (seeds/tax_countries.csv: EU for the member states, the country otherwise) and a jurisdiction (the
    country, or country-subdivision where tax is levied per state, i.e. US-NY).

    Periods as for FX (macros/fx.sql invoice_periods); the contract version is the latest one in force in
    the period carrying the category (latest valid_from, then highest version). These rows are also the
    requests sent to an external tax service (orchestration/tax). A location missing from the seeds stays
    null here and becomes a missing determination downstream.
-#}

with

periods as (

    {{ billing.invoice_periods() }}

),

contracts as (

    select * from {{ ref('stg_reference__contracts') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

legal_entities as (

    select * from {{ ref('stg_reference__legal_entities') }}

),

countries as (

    select * from {{ ref('stg_reference__tax_countries') }}

),

delivery_regions as (

    select * from {{ ref('stg_reference__tax_delivery_regions') }}

),

period_contracts as (

    select
        contracts.client_id,
        periods.billing_period_start,
        {{ billing.period_invoice_date('periods.billing_period_start') }} as invoice_date,
        contracts.tax_category,
        contracts.contract_id,
        contracts.contract_version,
        contracts.delivery_region
    from periods
    inner join contracts
        on contracts.valid_from <= {{ billing.period_invoice_date('periods.billing_period_start') }}
        and (contracts.valid_to is null or periods.billing_period_start < contracts.valid_to)
    qualify row_number() over (
        partition by contracts.client_id, periods.billing_period_start, contracts.tax_category
        order by contracts.valid_from desc nulls last, contracts.contract_version desc nulls last
    ) = 1

),

final as (

    select
        period_contracts.client_id,
        period_contracts.billing_period_start,
        period_contracts.invoice_date,
        period_contracts.tax_category,
        period_contracts.contract_id,
        period_contracts.contract_version,
        clients.legal_entity_id as seller_legal_entity_id,
        legal_entities.country as seller_country,
        legal_entities.subdivision as seller_subdivision,
        seller_countries.tax_territory as seller_tax_territory,
        case seller_countries.jurisdiction_level
            when 'country' then legal_entities.country
            when 'subdivision' then legal_entities.country || '-' || upper(legal_entities.subdivision)
        end as seller_jurisdiction_id,
        clients.country as buyer_country,
        clients.subdivision as buyer_subdivision,
        buyer_countries.tax_territory as buyer_tax_territory,
        case buyer_countries.jurisdiction_level
            when 'country' then clients.country
            when 'subdivision' then clients.country || '-' || upper(clients.subdivision)
        end as buyer_jurisdiction_id,
        clients.customer_type,
        clients.vat_id as buyer_vat_id,
        period_contracts.delivery_region,
        delivery_regions.country as delivery_country,
        delivery_countries.tax_territory as delivery_tax_territory
    from period_contracts
    inner join clients
        on period_contracts.client_id = clients.client_id
    left join legal_entities
        on clients.legal_entity_id = legal_entities.legal_entity_id
    left join countries as seller_countries
        on legal_entities.country = seller_countries.country
    left join countries as buyer_countries
        on clients.country = buyer_countries.country
    left join delivery_regions
        on lower(period_contracts.delivery_region) = delivery_regions.delivery_region
    left join countries as delivery_countries
        on delivery_regions.country = delivery_countries.country

)

select * from final
