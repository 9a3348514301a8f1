with

source as (

    select * from {{ ref('client_payer_accounts') }}

),

final as (

    select
        {{ billing.clean_string('client_id') }} as client_id,
        {{ billing.clean_string('payer_account') }} as payer_account,
        {{ billing.account_key(billing.clean_string('payer_account')) }} as payer_account_key,
        {{ billing.clean_string('payer_name') }} as payer_name
    from source

)

select * from final
