with

source as (

    select * from {{ source('audit', 'issued_invoice_lines') }}

),

final as (

    select
        {{ billing.typed_invoice_line_columns() }}
    from source

)

select * from final
