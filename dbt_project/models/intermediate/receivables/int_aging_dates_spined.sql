{#-
    The as-of dates of the receivables aging: every month end from the month of the first receivable document's
    billing period (or of an earlier document, credit note or payment) to the latest month in which a document,
    a credit note or a payment is dated. None while there is nothing receivable and no payment.
-#}

with

documents as (

    select * from {{ ref('int_receivable_documents_unioned') }}

),

credits as (

    select * from {{ ref('int_receivable_credits_unioned') }}

),

payments as (

    select * from {{ ref('stg_ops__payments') }}

),

activity_dates as (

    select billing_period_start as activity_date from documents
    union all
    select document_date as activity_date from documents
    union all
    select credit_date as activity_date from credits
    union all
    select value_date as activity_date from payments

),

month_bounds as (

    select
        cast({{ dbt.date_trunc('month', 'min(activity_date)') }} as date) as first_month,
        cast({{ dbt.date_trunc('month', 'max(activity_date)') }} as date) as last_month
    from activity_dates

),

month_offsets as (

    {{ billing.integer_series(3) }}

),

month_ends as (

    select
        cast(last_day({{ billing.shift_months('month_bounds.first_month', 'month_offsets.n') }}) as date)
            as as_of_date
    from month_bounds
    cross join month_offsets
    where {{ billing.shift_months('month_bounds.first_month', 'month_offsets.n') }} <= month_bounds.last_month

),

final as (

    select as_of_date from month_ends

)

select * from final
