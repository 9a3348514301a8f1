{#-
    Cash application: every incoming payment matched to the receivable document it pays, or kept as cash on
    account. One row per payment x application; a payment's rows sum exactly to its amount.

    1. Reference: the remittance information contains the number of exactly one receivable document (invoice
       or debit note) in the payment's currency, compared case-insensitively -> that document.
    2. Amount: otherwise, when the payer account identifies a client (seeds/client_payer_accounts.csv, compared
       upper-cased without spaces and hyphens) and the amount equals exactly the open amount of exactly one
       document of that client in that currency whose open amount is above zero -> that document. The open
       amount here is the document's total less all its credit notes less what payments matched in step 1
       apply to it.
    3. Otherwise the payment is unapplied cash on the client's account when the client is known (the payer
       account's client, else the one client whose documents the remittance names, in any currency), and
       unidentified when it is not.
    Payments matched to one document apply in value_date, payment_id order, each up to what is still open
    (total less all credit notes less the payments before it): the payment that makes the cumulative sum
    exceed the open amount applies the rest and the excess is an over-payment, kept as unapplied cash on the
    document's client's account (is_overpayment). Nothing is ever applied to a document whose credit notes
    cover its total.
-#}

with

payments as (

    select * from {{ ref('stg_ops__payments') }}

),

documents as (

    select * from {{ ref('int_receivable_documents_unioned') }}
    where document_type in ('invoice', 'debit_note')

),

credits as (

    select * from {{ ref('int_receivable_credits_unioned') }}

),

payer_accounts as (

    select * from {{ ref('stg_reference__client_payer_accounts') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

credited as (

    select
        document_number,
        cast(sum(credited_amount) as {{ billing.money_type() }}) as credited_amount
    from credits
    group by document_number

),

open_documents as (

    select
        documents.document_number,
        documents.document_type,
        documents.legal_entity_id,
        documents.client_id,
        documents.currency,
        -- what payments can settle: the total less every credit note, never below zero
        greatest(
            {{ billing.money_add(['documents.billed_amount', '-coalesce(credited.credited_amount, 0)']) }},
            cast(0 as {{ billing.money_type() }})
        ) as payable_amount
    from documents
    left join credited
        on documents.document_number = credited.document_number

),

payers as (

    select
        payments.*,
        payer_accounts.client_id as payer_client_id
    from payments
    left join payer_accounts
        on {{ billing.account_key('payments.payer_account') }} = payer_accounts.payer_account_key

),

referenced as (

    select
        payers.payment_id,
        open_documents.document_number,
        open_documents.client_id,
        open_documents.currency = payers.currency as same_currency
    from payers
    inner join open_documents
        on instr(upper(payers.remittance_information), upper(open_documents.document_number)) > 0

),

references_summarized as (

    select
        payment_id,
        count(case when same_currency then 1 end) as same_currency_documents,
        min(case when same_currency then document_number end) as reference_document_number,
        count(distinct client_id) as referenced_clients,
        min(client_id) as referenced_client_id
    from referenced
    group by payment_id

),

identified as (

    select
        payers.*,
        case
            when references_summarized.same_currency_documents = 1
                then references_summarized.reference_document_number
        end as reference_document_number,
        case
            when references_summarized.referenced_clients = 1 then references_summarized.referenced_client_id
        end as referenced_client_id
    from payers
    left join references_summarized
        on payers.payment_id = references_summarized.payment_id

),

reference_applied as (

    -- what step 1's payments take of each document, in total
    select
        open_documents.document_number,
        least(
            open_documents.payable_amount,
            cast(sum(identified.amount) as {{ billing.money_type() }})
        ) as applied_by_reference
    from identified
    inner join open_documents
        on identified.reference_document_number = open_documents.document_number
    group by open_documents.document_number, open_documents.payable_amount

),

amount_candidates as (

    select
        identified.payment_id,
        open_documents.document_number
    from identified
    inner join open_documents
        on identified.payer_client_id = open_documents.client_id
        and identified.currency = open_documents.currency
    left join reference_applied
        on open_documents.document_number = reference_applied.document_number
    where identified.reference_document_number is null
        and {{ billing.money_add([
            'open_documents.payable_amount', '-coalesce(reference_applied.applied_by_reference, 0)'
        ]) }} > 0
        and identified.amount = {{ billing.money_add([
            'open_documents.payable_amount', '-coalesce(reference_applied.applied_by_reference, 0)'
        ]) }}

),

amount_matches as (

    select
        payment_id,
        min(document_number) as amount_document_number
    from amount_candidates
    group by payment_id
    having count(*) = 1

),

matched as (

    select
        identified.*,
        coalesce(identified.reference_document_number, amount_matches.amount_document_number)
            as matched_document_number,
        case
            when identified.reference_document_number is not null then 'reference'
            when amount_matches.amount_document_number is not null then 'amount'
        end as matched_by
    from identified
    left join amount_matches
        on identified.payment_id = amount_matches.payment_id

),

applied as (

    select
        matched.*,
        open_documents.legal_entity_id as document_legal_entity_id,
        open_documents.client_id as document_client_id,
        open_documents.document_type,
        open_documents.payable_amount,
        cast(
            sum(matched.amount) over (
                partition by matched.matched_document_number
                order by matched.value_date, matched.payment_id
                rows between unbounded preceding and current row
            )
            as {{ billing.money_type() }}
        ) as cumulative_amount
    from matched
    inner join open_documents
        on matched.matched_document_number = open_documents.document_number

),

application_amounts as (

    select
        applied.*,
        {{ billing.money_add([
            'least(applied.payable_amount, applied.cumulative_amount)',
            '-least(applied.payable_amount, ' ~ billing.money_add(['applied.cumulative_amount', '-applied.amount']) ~ ')'
        ]) }} as applied_amount
    from applied

),

with_excess as (

    select
        application_amounts.*,
        {{ billing.money_add(['application_amounts.amount', '-application_amounts.applied_amount']) }}
            as excess_amount
    from application_amounts

),

document_rows as (

    select
        payment_id,
        1 as application_number,
        matched_by as match_method,
        false as is_overpayment,
        matched_document_number as document_number,
        document_type,
        document_client_id as client_id,
        document_legal_entity_id as legal_entity_id,
        applied_amount as amount
    from with_excess
    where applied_amount > 0 or excess_amount = 0

),

overpayment_rows as (

    select
        payment_id,
        2 as application_number,
        'unapplied' as match_method,
        true as is_overpayment,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as document_type,
        document_client_id as client_id,
        document_legal_entity_id as legal_entity_id,
        excess_amount as amount
    from with_excess
    where excess_amount > 0

),

unmatched_rows as (

    select
        matched.payment_id,
        1 as application_number,
        case
            when coalesce(matched.payer_client_id, matched.referenced_client_id) is not null then 'unapplied'
            else 'unidentified'
        end as match_method,
        false as is_overpayment,
        cast(null as {{ dbt.type_string() }}) as document_number,
        cast(null as {{ dbt.type_string() }}) as document_type,
        coalesce(matched.payer_client_id, matched.referenced_client_id) as client_id,
        clients.legal_entity_id,
        matched.amount
    from matched
    left join clients
        on coalesce(matched.payer_client_id, matched.referenced_client_id) = clients.client_id
    where matched.matched_document_number is null

),

application_rows as (

    select * from document_rows
    union all
    select * from overpayment_rows
    union all
    select * from unmatched_rows

),

final as (

    select
        cast(application_rows.payment_id as {{ dbt.type_string() }}) as payment_id,
        cast(application_rows.application_number as integer) as application_number,
        cast(matched.value_date as date) as value_date,
        cast(matched.booking_date as date) as booking_date,
        cast(matched.currency as {{ dbt.type_string() }}) as currency,
        cast(matched.amount as {{ billing.money_type() }}) as payment_amount,
        cast(matched.payer_name as {{ dbt.type_string() }}) as payer_name,
        cast(matched.payer_account as {{ dbt.type_string() }}) as payer_account,
        cast(matched.remittance_information as {{ dbt.type_string() }}) as remittance_information,
        cast(matched.bank_reference as {{ dbt.type_string() }}) as bank_reference,
        cast(matched.statement_file as {{ dbt.type_string() }}) as statement_file,
        cast(matched.payer_client_id as {{ dbt.type_string() }}) as payer_client_id,
        cast(coalesce(matched.matched_by, application_rows.match_method) as {{ dbt.type_string() }})
            as payment_match_method,
        cast(matched.matched_document_number as {{ dbt.type_string() }}) as matched_document_number,
        cast(application_rows.match_method as {{ dbt.type_string() }}) as match_method,
        cast(application_rows.is_overpayment as boolean) as is_overpayment,
        cast(application_rows.document_number as {{ dbt.type_string() }}) as document_number,
        cast(application_rows.document_type as {{ dbt.type_string() }}) as document_type,
        cast(application_rows.client_id as {{ dbt.type_string() }}) as client_id,
        cast(application_rows.legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(application_rows.amount as {{ billing.money_type() }}) as amount
    from application_rows
    inner join matched
        on application_rows.payment_id = matched.payment_id

)

select * from final
