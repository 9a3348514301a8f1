{#-
    One row per incoming payment x application: the part of the payment applied to a receivable document
    (match_method reference or amount), the over-payment beyond the document's open amount, kept as cash on
    the client's account (unapplied, is_overpayment), or the whole payment when no document could be matched
    (unapplied when the client is known, unidentified when not). A payment's rows sum exactly to its amount
    (assert_every_payment_is_fully_applied); the rule is int_payments_applied's.
-#}

with

applications as (

    select * from {{ ref('int_payments_applied') }}

),

clients as (

    select * from {{ ref('stg_reference__clients') }}

),

final as (

    select
        cast(applications.payment_id as {{ dbt.type_string() }}) as payment_id,
        cast(applications.application_number as integer) as application_number,
        cast(applications.value_date as date) as value_date,
        cast(applications.booking_date as date) as booking_date,
        cast(applications.currency as {{ dbt.type_string() }}) as currency,
        cast(applications.payment_amount as {{ billing.money_type() }}) as payment_amount,
        cast(applications.payer_name as {{ dbt.type_string() }}) as payer_name,
        cast(applications.payer_account as {{ dbt.type_string() }}) as payer_account,
        cast(applications.remittance_information as {{ dbt.type_string() }}) as remittance_information,
        cast(applications.bank_reference as {{ dbt.type_string() }}) as bank_reference,
        cast(applications.statement_file as {{ dbt.type_string() }}) as statement_file,
        cast(applications.payer_client_id as {{ dbt.type_string() }}) as payer_client_id,
        cast(applications.payment_match_method as {{ dbt.type_string() }}) as payment_match_method,
        cast(applications.matched_document_number as {{ dbt.type_string() }}) as matched_document_number,
        cast(applications.match_method as {{ dbt.type_string() }}) as match_method,
        cast(applications.is_overpayment as boolean) as is_overpayment,
        cast(applications.document_number as {{ dbt.type_string() }}) as document_number,
        cast(applications.document_type as {{ dbt.type_string() }}) as document_type,
        cast(applications.client_id as {{ dbt.type_string() }}) as client_id,
        cast(clients.client_name as {{ dbt.type_string() }}) as client_name,
        cast(applications.legal_entity_id as {{ dbt.type_string() }}) as legal_entity_id,
        cast(
            case when applications.document_number is not null then applications.amount else 0 end
            as {{ billing.money_type() }}
        ) as applied_amount,
        cast(
            case when applications.document_number is null then applications.amount else 0 end
            as {{ billing.money_type() }}
        ) as unapplied_amount,
        cast(applications.amount as {{ billing.money_type() }}) as amount
    from applications
    left join clients
        on applications.client_id = clients.client_id

)

select * from final
