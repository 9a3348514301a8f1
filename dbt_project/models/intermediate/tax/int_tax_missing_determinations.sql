{#-
    Every (client_id, billing_period_start, tax_category) without a tax determination
    (int_tax_determination.missing_reason_code not null), with the reason. The invoice of such a client and
    period must not be issued: finance adds the rate, jurisdiction or region to the seeds, or an external
    tax service determines it. A missing determination is never taxed at 0.
-#}

with

determinations as (

    select * from {{ ref('int_tax_determination') }}

),

final as (

    select
        client_id,
        billing_period_start,
        invoice_date,
        tax_category,
        contract_id,
        contract_version,
        seller_legal_entity_id,
        jurisdiction_id,
        rule_id,
        missing_reason_code,
        missing_reason
    from determinations
    where missing_reason_code is not null

)

select * from final
