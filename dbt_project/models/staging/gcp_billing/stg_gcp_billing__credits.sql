{%- set cols = billing.relation_column_names(source('raw', 'gcp_billing_credits')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}

with

source as (

    select * from {{ source('raw', 'gcp_billing_credits') }}

),

typed as (

    select
        -- lineage: _source_row is the parent row's number in the same file
        'gcp_billing' as source,
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start,
        _billing_account_id as delivery_billing_account_id,
        {{ billing.to_integer(opt(cols, 'credit_index')) }} as credit_index,

        {{ opt(cols, 'name') }} as credit_name,
        {{ opt(cols, 'full_name') }} as credit_full_name,
        {{ opt(cols, 'id') }} as credit_id,
        {{ opt(cols, 'type') }} as credit_type,
        {{ billing.to_money(opt(cols, 'amount')) }} as amount,

        -- every other delivered field of the credit with a value (docs/raw-layer.md)
        {{ billing.unmapped_columns_json(cols) }} as x_unmapped_columns

    from source

),

final as (

    select
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }}) as parent_charge_id,
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }})
            || ':c' || cast(credit_index as {{ dbt.type_string() }}) as charge_id,
        typed.*,
        -- a credit is billed as delivered; amortized = billed
        amount as x_billed_cost,
        amount as x_amortized_cost
    from typed

)

select * from final
