with

source as (

    select * from {{ ref('clients') }}

),

final as (

    select
        {{ billing.clean_string('client_id') }} as client_id,
        {{ billing.clean_string('client_name') }} as client_name,
        {{ billing.clean_string('legal_entity_id') }} as legal_entity_id,
        lower({{ billing.clean_string('customer_type') }}) as customer_type,
        upper({{ billing.clean_string('country') }}) as country,
        {{ billing.clean_string('subdivision') }} as subdivision,
        {{ billing.clean_string('address_line') }} as address_line,
        {{ billing.clean_string('city') }} as city,
        {{ billing.clean_string('postal_code') }} as postal_code,
        {{ billing.clean_string('vat_id') }} as vat_id,
        upper({{ billing.clean_string('invoice_currency') }}) as invoice_currency,
        lower({{ billing.clean_string('delivery_method') }}) as delivery_method,
        {{ billing.clean_string('billing_email') }} as billing_email
    from source

)

select * from final
