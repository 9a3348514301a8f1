{%- set cols = billing.relation_column_names(source('raw', 'kubernetes')) -%}
{#- opt(cols, name): the raw column if delivered, else a typed null (macros/source_columns.sql) -#}
{%- set opt = billing.optional_column -%}

with

source as (

    select * from {{ source('raw', 'kubernetes') }}

),

typed as (

    select
        -- lineage
        'kubernetes' as source,
        _source_file as source_file,
        {{ billing.to_integer('_source_row') }} as source_row,
        _file_sha256 as file_sha256,
        cast(_billing_period_start as date) as billing_period_start,
        _billing_account_id as cluster_id,

        -- what was allocated
        {{ billing.to_date('date') }} as usage_date,
        {{ billing.clean_string('namespace') }} as namespace,
        {{ billing.clean_string(opt(cols, 'controllerkind')) }} as controller_kind,
        {{ billing.clean_string(opt(cols, 'controllername')) }} as controller_name,
        {{ billing.clean_string('pod') }} as pod,
        {{ billing.clean_string(opt(cols, 'container')) }} as container,
        {{ opt(cols, 'labels') }} as labels,
        coalesce(trim(pod) = '__idle__' or trim(namespace) = '__idle__', false) as is_idle,

        -- usage averages over the day
        {{ billing.to_money(opt(cols, 'cpucoreusageaverage')) }} as cpu_core_usage_average,
        {{ billing.to_money(opt(cols, 'cpucorerequestaverage')) }} as cpu_core_request_average,
        {{ billing.to_money(opt(cols, 'rambytesusageaverage')) }} as ram_bytes_usage_average,
        {{ billing.to_money(opt(cols, 'rambytesrequestaverage')) }} as ram_bytes_request_average,
        {{ billing.to_money(opt(cols, 'networkreceivebytes')) }} as network_receive_bytes,
        {{ billing.to_money(opt(cols, 'networktransferbytes')) }} as network_transfer_bytes,
        {{ billing.to_money(opt(cols, 'gpus')) }} as gpus,
        {{ billing.to_money(opt(cols, 'pvbytes')) }} as pv_bytes,

        -- OpenCost's cost split (its configured currency)
        {{ billing.to_money('cpucost') }} as cpu_cost,
        {{ billing.to_money('ramcost') }} as ram_cost,
        {{ billing.to_money(opt(cols, 'networkcost')) }} as network_cost,
        {{ billing.to_money('pvcost') }} as pv_cost,
        {{ billing.to_money(opt(cols, 'gpucost')) }} as gpu_cost,
        {{ billing.to_money('totalcost') }} as total_cost

    from source

),

final as (

    select
        source || ':' || file_sha256 || ':' || cast(source_row as {{ dbt.type_string() }}) as allocation_id,
        typed.*
    from typed

)

select * from final
