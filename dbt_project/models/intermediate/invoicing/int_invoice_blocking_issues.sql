{#-
    What keeps a client's invoice (and its credit or debit notes) for a period a draft: a contract compliance
    violation (int_contract_compliance_violations: usage over a contractual limit, unpriced usage, a cost in
    another currency than the contract's, broken tiers), a line with no reference rate for its conversion, or
    a line with no tax determination. Nothing is adjusted silently: the draft waits, `billing close` and
    `billing invoices show` print these lines, and fixing the cause (a contract amendment, a rate, a tax rate)
    lets the next close issue it.
-#}

with

violations as (

    select * from {{ ref('int_contract_compliance_violations') }}

),

lines as (

    select * from {{ ref('int_invoice_lines_converted') }}

),

issues as (

    select
        client_id,
        billing_period_start,
        'contract: ' || rule as issue_type,
        detail
    from violations

    union all

    select distinct
        client_id,
        billing_period_start,
        'fx: missing reference rate' as issue_type,
        'no ' || price_currency || '->' || currency || ' reference rate on or before '
            || cast(invoice_date as {{ dbt.type_string() }})
            || ' within the lookback: add it to seeds/fx_manual_rates.csv or refresh seeds/fx_reference_rates.csv'
            as detail
    from lines
    where fx_rate is null

    union all

    select distinct
        client_id,
        billing_period_start,
        'tax: no determination' as issue_type,
        'no tax rate for client ' || client_id || ', category ' || tax_category || ' on '
            || cast(invoice_date as {{ dbt.type_string() }})
            || ': add the jurisdiction rate to seeds/tax_rates.csv' as detail
    from lines
    where tax_rate is null or tax_category_code is null

),

final as (

    select
        client_id,
        billing_period_start,
        client_id || '-' || substr(cast(billing_period_start as {{ dbt.type_string() }}), 1, 7) as invoice_id,
        issue_type,
        detail
    from issues

)

select * from final
