-- Business rule (issue 6, receivables aging): on every row of marts.fct_ar_aging the outstanding amount is
-- exactly what was billed less what credit notes credited less what payments applied
-- (billed - credited - received = outstanding), the aging buckets split it without remainder
-- (current + 1-30 + 31-60 + 61-90 + over 90 = outstanding), and net_balance = outstanding - unapplied cash.
-- Returns the rows where any of these does not hold.

with

aging as (

    select * from {{ ref('fct_ar_aging') }}

),

final as (

    select *
    from aging
    where outstanding_amount <> {{ billing.money_add(['billed_amount', '-credited_amount', '-received_amount']) }}
        or outstanding_amount <> {{ billing.money_add([
            'current_amount', 'days_1_30_amount', 'days_31_60_amount', 'days_61_90_amount', 'days_over_90_amount'
        ]) }}
        or net_balance_amount <> {{ billing.money_add(['outstanding_amount', '-unapplied_cash_amount']) }}

)

select * from final
