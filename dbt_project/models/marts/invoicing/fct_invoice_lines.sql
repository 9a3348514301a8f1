{#-
    Every invoice line: lines of finalized invoices as frozen in audit.issued_invoice_lines, lines of every
    other invoice from the current draft. client_id + billing_period_start + service_category + currency
    drill down to the charges in fct_cost_allocations.
-#}

with

issued_lines as (

    select * from {{ ref('stg_audit__issued_invoice_lines') }}

),

issued as (

    select * from {{ ref('stg_audit__issued_invoices') }}

),

drafted_lines as (

    select * from {{ ref('int_invoice_lines_drafted') }}

),

draft_lines as (

    select drafted_lines.*
    from drafted_lines
    left join issued
        on drafted_lines.invoice_id = issued.invoice_id
    where issued.invoice_id is null

),

unioned as (

    select
        invoice_id, line_number, description, service_category, quantity, unit, unit_price, amount,
        tax_code, tax_rate, tax_amount, client_id, billing_period_start, currency, cost_basis, charge_count
    from issued_lines

    union all

    select
        invoice_id, line_number, description, service_category, quantity, unit, unit_price, amount,
        tax_code, tax_rate, tax_amount, client_id, billing_period_start, currency, cost_basis, charge_count
    from draft_lines

),

final as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(line_number as integer) as line_number,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(service_category as {{ dbt.type_string() }}) as service_category,
        cast(quantity as {{ billing.money_type() }}) as quantity,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(unit_price as {{ billing.money_type() }}) as unit_price,
        cast(amount as {{ billing.money_type() }}) as amount,
        cast(tax_code as {{ dbt.type_string() }}) as tax_code,
        cast(tax_rate as {{ billing.money_type() }}) as tax_rate,
        cast(tax_amount as {{ billing.money_type() }}) as tax_amount,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(billing_period_start as date) as billing_period_start,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(cost_basis as {{ billing.money_type() }}) as cost_basis,
        cast(charge_count as bigint) as charge_count
    from unioned

)

select * from final
