-- Business rule (issue 6, cash application: no cent lost): every imported payment (raw.ops_payments) appears
-- in marts.fct_payment_applications and its rows account for exactly its amount: applied to documents +
-- unapplied (unmatched, over-payment or unidentified) = the payment's amount, every row's amount =
-- applied_amount + unapplied_amount, and no row is negative. Returns the offending payments.

with

payments as (

    select * from {{ ref('stg_ops__payments') }}

),

applications as (

    select * from {{ ref('fct_payment_applications') }}

),

applied as (

    select
        payment_id,
        cast(sum(applied_amount) as {{ billing.money_type() }}) as applied_amount,
        cast(sum(unapplied_amount) as {{ billing.money_type() }}) as unapplied_amount,
        cast(sum(amount) as {{ billing.money_type() }}) as amount,
        count(case
            when amount < 0
                or amount <> {{ billing.money_add(['applied_amount', 'unapplied_amount']) }}
                then 1
        end) as malformed_rows
    from applications
    group by payment_id

),

final as (

    select
        coalesce(payments.payment_id, applied.payment_id) as payment_id,
        payments.amount as payment_amount,
        applied.applied_amount,
        applied.unapplied_amount,
        applied.malformed_rows
    from payments
    full outer join applied
        on payments.payment_id = applied.payment_id
    where payments.payment_id is null
        or applied.payment_id is null
        or payments.amount <> {{ billing.money_add(['applied.applied_amount', 'applied.unapplied_amount']) }}
        or payments.amount <> applied.amount
        or applied.malformed_rows > 0

)

select * from final
