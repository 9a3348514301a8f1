with

source as (

    select * from {{ ref('legal_entities') }}

),

final as (

    select
        {{ billing.clean_string('legal_entity_id') }} as legal_entity_id,
        {{ billing.clean_string('legal_name') }} as legal_name,
        upper({{ billing.clean_string('country') }}) as country,
        {{ billing.clean_string('subdivision') }} as subdivision,
        {{ billing.clean_string('address_line') }} as address_line,
        {{ billing.clean_string('city') }} as city,
        {{ billing.clean_string('postal_code') }} as postal_code,
        {{ billing.clean_string('vat_id') }} as vat_id,
        upper({{ billing.clean_string('ledger_currency') }}) as ledger_currency,
        {{ billing.clean_string('document_prefix') }} as document_prefix,
        {{ billing.clean_string('email') }} as email
    from source

)

select * from final
