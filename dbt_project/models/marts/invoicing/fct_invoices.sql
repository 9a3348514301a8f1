{#-
    Every invoice: the finalized ones exactly as frozen in audit.issued_invoices (they never change; later
    differences become credit or debit notes), and every other drafted invoice as a draft without number,
    issue time or due date.
-#}

with

issued as (

    select * from {{ ref('stg_audit__issued_invoices') }}

),

drafted as (

    select * from {{ ref('int_invoices_drafted') }}

),

finalized_invoices as (

    select
        invoice_id,
        invoice_number,
        client_id,
        contract_id,
        contract_version,
        billing_period_start,
        currency,
        subtotal,
        discount_total,
        credit_total,
        tax_total,
        total,
        'finalized' as status,
        issued_at,
        {{ billing.add_days('cast(issued_at as date)', 'payment_terms_days') }} as due_date
    from issued

),

draft_invoices as (

    select
        drafted.invoice_id,
        cast(null as {{ dbt.type_string() }}) as invoice_number,
        drafted.client_id,
        drafted.contract_id,
        drafted.contract_version,
        drafted.billing_period_start,
        drafted.currency,
        drafted.subtotal,
        drafted.discount_total,
        drafted.credit_total,
        drafted.tax_total,
        drafted.total,
        'draft' as status,
        cast(null as timestamp) as issued_at,
        cast(null as date) as due_date
    from drafted
    left join issued
        on drafted.invoice_id = issued.invoice_id
    where issued.invoice_id is null

),

unioned as (

    select * from finalized_invoices
    union all
    select * from draft_invoices

),

final as (

    select
        cast(invoice_id as {{ dbt.type_string() }}) as invoice_id,
        cast(invoice_number as {{ dbt.type_string() }}) as invoice_number,
        cast(client_id as {{ dbt.type_string() }}) as client_id,
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(contract_version as integer) as contract_version,
        cast(billing_period_start as date) as billing_period_start,
        cast(currency as {{ dbt.type_string() }}) as currency,
        cast(subtotal as {{ billing.money_type() }}) as subtotal,
        cast(discount_total as {{ billing.money_type() }}) as discount_total,
        cast(credit_total as {{ billing.money_type() }}) as credit_total,
        cast(tax_total as {{ billing.money_type() }}) as tax_total,
        cast(total as {{ billing.money_type() }}) as total,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(issued_at as timestamp) as issued_at,
        cast(due_date as date) as due_date
    from unioned

)

select * from final
