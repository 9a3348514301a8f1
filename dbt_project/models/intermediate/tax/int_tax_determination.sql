{#-
    The tax treatment of every (client_id, billing_period_start, tax_category) invoicing needs
    (int_tax_requests), at the rate in force on the invoice date (the period's last day).

    An external tax service's determination (raw.external_tax_determinations, written by
    orchestration/tax apply_external_tax_service) wins for its key; otherwise the seed rules decide, first
    match in this order (rule texts and EN 16931 codes in seeds/tax_rules.csv):
      TAX-DOMESTIC           seller and buyer in the same country: domestic_standard, category S, the rate of
                             the BUYER's jurisdiction for the category (US: the buyer's state, e.g. US-NY).
      TAX-EU-REVERSE-CHARGE  EU seller, business buyer with a VAT id in another EU country: reverse_charge,
                             rate 0, AE, VATEX-EU-AE, "Reverse charge" (Art. 196 Directive 2006/112/EC).
      TAX-EU-OSS             EU seller, buyer in another EU country who is a consumer, or a business without
                             a VAT id (treated as a consumer, Art. 18(2) Reg. 282/2011): oss_destination, S,
                             the rate of the buyer's country (One-Stop Shop).
      TAX-OUTSIDE-SCOPE      business buyer outside the seller's tax territory (LE-US -> Japan, LE-DE -> a
                             non-EU business): export_outside_scope, rate 0, O, VATEX-EU-O.
    Delivery region (the contract's; seeds/tax_delivery_regions.csv maps it to the country of the data
    center): the place of supply stays the buyer's location (B2B: the buyer's establishment, Art. 44; B2C
    digital services: where the consumer lives, Art. 58; US sales tax: the customer's address, whichever
    state the data center is in). The region is a guard for the rules that CHARGE tax (TAX-DOMESTIC,
    TAX-EU-OSS): the service must be delivered inside the buyer's tax territory; delivered from outside it
    (a NY client served from Frankfurt, a French consumer served from Virginia) use-and-enjoyment and
    import rules may shift the tax (Art. 59a Directive 2006/112/EC, US use tax), so the seed rules do not
    decide and the key is missing. An unmapped region is missing too. Zero-rated rules (AE, O) do not
    depend on it.
    Jurisdiction: the buyer's for S rules, the seller's for AE and O (the tax system the invoice is issued
    under, whose rounding mode applies; their rate is 0 by rule).
    No rule, no jurisdiction, no rate in force for the category, or a consumer outside the seller's tax
    territory: a row with tax_rate null and missing_reason_code / missing_reason (never 0 silently);
    int_tax_missing_determinations lists them and blocks the invoice.
-#}

with

requests as (

    select * from {{ ref('int_tax_requests') }}

),

jurisdictions as (

    select * from {{ ref('stg_reference__tax_jurisdictions') }}

),

rates as (

    select * from {{ ref('stg_reference__tax_rates') }}

),

rules as (

    select * from {{ ref('stg_reference__tax_rules') }}

),

external_determinations as (

    select * from {{ ref('stg_tax_service__external_tax_determinations') }}
    qualify row_number() over (
        partition by client_id, billing_period_start, tax_category
        order by determined_at desc nulls last, service asc nulls last
    ) = 1

),

classified as (

    select
        requests.*,
        case
            when requests.seller_tax_territory is null or requests.buyer_tax_territory is null
                then 'no_tax_country'
            when requests.seller_country = requests.buyer_country then 'TAX-DOMESTIC'
            when requests.seller_tax_territory = 'EU' and requests.buyer_tax_territory = 'EU'
                and requests.customer_type = 'business' and requests.buyer_vat_id is not null
                then 'TAX-EU-REVERSE-CHARGE'
            when requests.seller_tax_territory = 'EU' and requests.buyer_tax_territory = 'EU'
                then 'TAX-EU-OSS'
            when requests.seller_tax_territory <> requests.buyer_tax_territory
                and requests.customer_type = 'business'
                then 'TAX-OUTSIDE-SCOPE'
            when requests.seller_tax_territory <> requests.buyer_tax_territory
                then 'consumer_outside_seller_territory'
            else 'no_rule'
        end as rule_or_gap
    from requests

),

ruled as (

    select
        classified.*,
        rules.rule_id,
        rules.treatment,
        rules.tax_category_code,
        rules.exemption_reason_code,
        rules.exemption_reason,
        case
            when rules.tax_category_code = 'S' then classified.buyer_jurisdiction_id
            else classified.seller_jurisdiction_id
        end as jurisdiction_id
    from classified
    left join rules
        on classified.rule_or_gap = rules.rule_id

),

rated as (

    select
        ruled.*,
        jurisdictions.jurisdiction_id as known_jurisdiction_id,
        jurisdictions.rounding_mode,
        rates.tax_rate as jurisdiction_rate
    from ruled
    left join jurisdictions
        on ruled.jurisdiction_id = jurisdictions.jurisdiction_id
    left join rates
        on ruled.jurisdiction_id = rates.jurisdiction_id
        and ruled.tax_category = rates.tax_category
        and rates.valid_from <= ruled.invoice_date
        and (rates.valid_to is null or ruled.invoice_date < rates.valid_to)
    qualify row_number() over (
        partition by ruled.client_id, ruled.billing_period_start, ruled.tax_category
        order by rates.valid_from desc nulls last
    ) = 1

),

seed_determined as (

    select
        rated.*,
        case
            when rated.rule_id is null then rated.rule_or_gap
            when rated.tax_category_code = 'S' and rated.delivery_tax_territory is null then 'no_delivery_region'
            when rated.tax_category_code = 'S' and rated.delivery_tax_territory <> rated.buyer_tax_territory
                then 'delivered_outside_buyer_territory'
            when rated.known_jurisdiction_id is null then 'no_jurisdiction'
            when rated.tax_category_code = 'S' and rated.jurisdiction_rate is null then 'no_rate'
        end as missing_reason_code
    from rated

),

combined as (

    select
        seed_determined.client_id,
        seed_determined.billing_period_start,
        seed_determined.invoice_date,
        seed_determined.tax_category,
        seed_determined.contract_id,
        seed_determined.contract_version,
        coalesce(external_determinations.seller_legal_entity_id, seed_determined.seller_legal_entity_id)
            as seller_legal_entity_id,
        seed_determined.buyer_country,
        seed_determined.buyer_subdivision,
        seed_determined.customer_type,
        seed_determined.delivery_region,
        seed_determined.delivery_country,
        case when external_determinations.client_id is not null then 'external' else 'seed_rules' end
            as determination_source,
        case when external_determinations.client_id is not null then external_determinations.service end
            as external_service,
        case
            when external_determinations.client_id is not null then external_determinations.jurisdiction_id
            else seed_determined.jurisdiction_id
        end as jurisdiction_id,
        case
            when external_determinations.client_id is not null then external_determinations.treatment
            when seed_determined.missing_reason_code is null then seed_determined.treatment
        end as treatment,
        case
            when external_determinations.client_id is not null then external_determinations.tax_category_code
            when seed_determined.missing_reason_code is null then seed_determined.tax_category_code
        end as tax_category_code,
        cast(case
            when external_determinations.client_id is not null then external_determinations.tax_rate
            when seed_determined.missing_reason_code is not null then null
            when seed_determined.tax_category_code = 'S' then seed_determined.jurisdiction_rate
            else 0
        end as {{ billing.money_type() }}) as tax_rate,
        case
            when external_determinations.client_id is not null then external_determinations.rounding_mode
            when seed_determined.missing_reason_code is null then seed_determined.rounding_mode
        end as rounding_mode,
        case
            when external_determinations.client_id is not null then external_determinations.exemption_reason
            when seed_determined.missing_reason_code is null then seed_determined.exemption_reason
        end as exemption_reason,
        case
            when external_determinations.client_id is not null then external_determinations.exemption_reason_code
            when seed_determined.missing_reason_code is null then seed_determined.exemption_reason_code
        end as exemption_reason_code,
        case
            when external_determinations.client_id is not null then external_determinations.rule_id
            else seed_determined.rule_id
        end as rule_id,
        case
            when external_determinations.client_id is not null then
                case
                    when external_determinations.tax_rate is null
                        or external_determinations.tax_category_code is null
                        or external_determinations.rounding_mode is null
                        then 'external_incomplete'
                end
            else seed_determined.missing_reason_code
        end as missing_reason_code
    from seed_determined
    left join external_determinations
        on seed_determined.client_id = external_determinations.client_id
        and seed_determined.billing_period_start = external_determinations.billing_period_start
        and seed_determined.tax_category = external_determinations.tax_category

),

final as (

    select
        combined.*,
        case combined.missing_reason_code
            when 'no_tax_country' then 'the seller or buyer country is not in seeds/tax_countries.csv'
            when 'consumer_outside_seller_territory' then
                'consumer outside the seller tax territory: foreign consumption tax on digital services may be '
                || 'due; no seed rule decides it'
            when 'no_rule' then 'no seed rule covers this seller and buyer'
            when 'no_delivery_region' then
                'delivery region ' || coalesce(combined.delivery_region, '(none)')
                || ' is not in seeds/tax_delivery_regions.csv'
            when 'delivered_outside_buyer_territory' then
                'service delivered from ' || coalesce(combined.delivery_country, '?')
                || ', outside the buyer tax territory: use-and-enjoyment or import rules may apply'
            when 'no_jurisdiction' then
                'jurisdiction ' || coalesce(combined.jurisdiction_id, '(none)') || ' is not in seeds/tax_jurisdictions.csv'
            when 'no_rate' then
                'no ' || coalesce(combined.tax_category, '(no category)') || ' rate for '
                || coalesce(combined.jurisdiction_id, '(none)') || ' in force on '
                || cast(combined.invoice_date as {{ dbt.type_string() }})
            when 'external_incomplete' then
                'the external tax service returned no rate, category code or rounding mode'
        end as missing_reason
    from combined

)

select * from final
