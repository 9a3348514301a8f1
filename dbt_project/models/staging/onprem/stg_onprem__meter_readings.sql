{#- Its tests check the closing period only when every other was tested (macros/incremental_by_period.sql). -#}
{{ config(period_column='billing_period_start') }}
{%- set cols = billing.relation_column_names(source('raw', 'onprem')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}

with

source as (

    select * from {{ source('raw', 'onprem') }}

),

typed as (

    select
        -- lineage
        'onprem' as source,
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start,
        _billing_account_id as delivery_billing_account_id,

        -- the datacenter is the billing account, the cluster the sub-account
        {{ billing.to_timestamp(opt(cols, 'billing_period_start')) }} as billing_period_start_at,
        {{ opt(cols, 'datacenter_id') }} as datacenter_id,
        {{ opt(cols, 'datacenter_name') }} as datacenter_name,
        coalesce({{ opt(cols, 'host_cluster') }}, {{ opt(cols, 'cluster_id') }}) as cluster_id,
        {{ opt(cols, 'cluster_name') }} as cluster_name,
        {{ opt(cols, 'project') }} as project,

        -- meter
        {{ billing.to_timestamp(opt(cols, 'usage_start')) }} as usage_start_at,
        {{ billing.to_timestamp(opt(cols, 'usage_end')) }} as usage_end_at,
        coalesce({{ opt(cols, 'service') }}, 'vm') as service_key,
        coalesce({{ opt(cols, 'vm_uuid') }}, {{ opt(cols, 'vm_id') }}) as vm_id,
        {{ opt(cols, 'vm_name') }} as vm_name,
        {{ billing.to_money(opt(cols, 'vcpu_hours')) }} as vcpu_hours,
        {{ billing.to_money(opt(cols, 'memory_gb_hours')) }} as memory_gb_hours,
        {{ billing.to_money(opt(cols, 'storage_gb_months')) }} as storage_gb_months,
        {{ billing.to_money(opt(cols, 'rate_vcpu_hour')) }} as rate_vcpu_hour,
        {{ billing.to_money(opt(cols, 'rate_memory_gb_hour')) }} as rate_memory_gb_hour,
        {{ billing.to_money(opt(cols, 'rate_storage_gb_month')) }} as rate_storage_gb_month,
        {{ billing.to_money(opt(cols, 'cost')) }} as cost,
        {{ opt(cols, 'currency') }} as currency,
        {{ opt(cols, 'os') }} as operating_system,
        {{ opt(cols, 'tags') }} as tags,

        -- every other delivered column with a value (docs/raw-layer.md)
        {{ billing.unmapped_columns_json(cols) }} as x_unmapped_columns

    from source

),

final as (

    select
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }}) as charge_id,
        typed.*,
        -- priced at internal rates: billed = amortized = cost (docs/raw-layer.md)
        cost as x_billed_cost,
        cost as x_amortized_cost
    from typed

)

select * from final
