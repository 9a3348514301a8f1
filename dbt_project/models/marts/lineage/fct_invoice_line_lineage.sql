{#-
    Drill-down of every invoice and note line (marts.fct_invoice_lines) to the pieces behind it, one row per
    line x piece, with the rule, rate, FX and tax of the line repeated on each row, so that the whole chain can
    be read from the marts alone (the published copy holds only marts).

    Pricing rule: price_source_file / price_source_key name the seed row the line is priced by (contract price,
    price tiers, subscription plan, discount ladder, SLA target, the contract's minimum commitment).

    Pieces, by line:
      usage, tiered_*, package,    piece_type 'usage': each charge piece allocated to the client
      hybrid overage, cost_plus    (int_charges_allocated) whose usage group (service x SKU x unit x currency,
                                   as int_client_usage builds it) int_contract_usage_resolved resolved to the
                                   line's price (a graduated tier line: its base price). piece_quantity = the
                                   piece's consumed quantity x share_ratio when it is in the price's unit, else 0;
                                   on cost_plus lines = the piece's cost when in the price currency, else 0.
                                   source_file / source_row: the provider export file and row (FOCUS
                                   x_SourceFile, x_SourceRow).
      subscription (prorated fee)  piece_type 'subscription_change': the change (seeds/subscription_changes.csv)
                                   that opened the billed segment, with the subscribed quantity.
      subscription (hybrid fee)    piece_type 'period_fee': the price row's period fee (seeds/contract_prices.csv).
      sla_credit                   piece_type 'sla_measurement': the availability measurement (file and row of
                                   the SLA extract), and piece_type 'line': the credited subscription lines.
      discount                     piece_type 'line': the lines of the invoice whose spend the ladder discounts
                                   (usage-priced lines and caps, of the ladder's service or all), piece_quantity =
                                   their unrounded amount in the price currency (they sum to the line quantity).
      cap_adjustment               piece_type 'line': the lines of the capped price, piece_quantity as above.
      commitment_true_up           piece_type 'line': the usage-priced lines, caps and discounts compared with the
                                   commitment, piece_quantity as above.
      note lines                   piece_type 'line': the corrected invoice's line of the same key.
    A 'line' piece names the line (source_file 'marts.fct_invoice_lines', source_key '<invoice_id>#<line>')
    whose own lineage rows reach the source files.

    Finalized lines are frozen; their pieces are read from the warehouse as it is now. line_is_current says
    whether today's computation of the line (int_invoice_lines_drafted, same invoice and key) still gives the
    issued quantity: false when the period was restated after issue (the pieces are the restated ones, and the
    difference is on a credit or debit note). Always true for drafts; null for note lines.
-#}

{%- set money = billing.money_type() -%}
{%- set string = dbt.type_string() -%}
{%- set usage_models = "'usage', 'tiered_graduated', 'tiered_volume', 'package', 'hybrid', 'cost_plus'" -%}

with

lines as (

    select * from {{ ref('fct_invoice_lines') }}

),

invoices as (

    select invoice_id, invoice_number, original_invoice_number from {{ ref('fct_invoices') }}

),

allocations as (

    select * from {{ ref('int_charges_allocated') }}
    where cost_center_owner_type = 'client'

),

charges as (

    select * from {{ ref('int_charges_consumed') }}

),

focus as (

    select x_ChargeId as charge_id, x_SourceFile as source_file, x_SourceRow as source_row
    from {{ ref('focus_cost_and_usage') }}

),

units as (

    select * from {{ ref('stg_reference__unit_of_measure_mappings') }}

),

unit_codes as (

    select * from {{ ref('stg_reference__contract_unit_codes') }}

),

it_services as (

    select * from {{ ref('stg_reference__it_services') }}

),

service_mappings as (

    select * from {{ ref('stg_reference__it_service_mappings') }}

),

resolved as (

    select * from {{ ref('int_contract_usage_resolved') }}
    where resolution = 'priced'

),

segments as (

    select * from {{ ref('int_subscription_segments') }}

),

current_lines as (

    select distinct invoice_id, line_type, price_id, service_id, sku_id, quantity
    from {{ ref('int_invoice_lines_drafted') }}
    where document_type = 'invoice'

),

measurements as (

    select * from {{ ref('int_sla_measurements') }}
    where credit_percent is not null

),

-- the line header with its invoice number and the seed row of its pricing rule
invoice_lines as (

    select
        lines.*,
        invoices.invoice_number,
        invoices.original_invoice_number,
        case
            when lines.pricing_model = 'tiered_graduated' then regexp_replace(lines.price_id, '-T[0-9]+$', '')
            else lines.price_id
        end as base_price_id,
        case
            when lines.pricing_model in ('usage', 'hybrid', 'package', 'cost_plus', 'cap')
                then 'seeds/contract_prices.csv'
            when lines.pricing_model in ('tiered_graduated', 'tiered_volume') then 'seeds/contract_price_tiers.csv'
            when lines.pricing_model = 'subscription' then 'seeds/contract_subscription_plans.csv'
            when lines.pricing_model = 'discount_tier' then 'seeds/contract_discount_tiers.csv'
            when lines.pricing_model = 'sla_credit' then 'seeds/contract_sla_targets.csv'
            when lines.pricing_model = 'minimum_commitment' then 'seeds/contracts.csv'
        end as price_source_file,
        case
            when lines.document_type <> 'invoice' then null
            when lines.status = 'draft' then true
            else current_lines.invoice_id is not null
        end as line_is_current
    from lines
    left join invoices
        on lines.invoice_id = invoices.invoice_id
    left join current_lines
        on lines.invoice_id = current_lines.invoice_id
        and lines.line_type = current_lines.line_type
        and coalesce(lines.price_id, '') = coalesce(current_lines.price_id, '')
        and coalesce(lines.service_id, '') = coalesce(current_lines.service_id, '')
        and coalesce(lines.sku_id, '') = coalesce(current_lines.sku_id, '')
        and lines.quantity = current_lines.quantity

),

-- each charge piece allocated to a client, grouped as int_client_usage groups usage
usage_pieces as (

    select
        allocations.client_id,
        allocations.billing_period_start,
        allocations.charge_id,
        allocations.allocation_id,
        allocations.allocation_rule_id,
        allocations.share_ratio,
        allocations.sku_id,
        allocations.allocated_effective_cost,
        allocations.billing_currency as currency,
        coalesce(
            pool_services.it_service_id, named_services.it_service_id, category_services.it_service_id
        ) as service_id,
        case
            when charges.consumed_quantity is not null
                then coalesce(units.focus_unit, trim(charges.consumed_unit))
        end as unit,
        case
            when charges.consumed_quantity is null then cast(null as {{ money }})
            when allocations.share_ratio = 1 then cast(charges.consumed_quantity as {{ money }})
            else cast(
                cast(charges.consumed_quantity as decimal(26,10)) * cast(allocations.share_ratio as decimal(11,10))
                as {{ money }}
            )
        end as quantity
    from allocations
    left join charges
        on allocations.charge_id = charges.charge_id
    left join units
        on trim(charges.consumed_unit) = units.provider_unit
    left join it_services as pool_services
        on allocations.provider_pool_cost_center_id = pool_services.pool_cost_center_id
    left join service_mappings as named_services
        on allocations.provider_pool_cost_center_id is null
        and allocations.service_category = named_services.service_category
        and allocations.service_name = named_services.service_name
    left join service_mappings as category_services
        on allocations.provider_pool_cost_center_id is null
        and allocations.service_category = category_services.service_category
        and category_services.service_name is null

),

-- the price each piece's usage group resolved to
priced_pieces as (

    select
        usage_pieces.*,
        resolved.contract_id,
        resolved.contract_version,
        resolved.price_id,
        resolved.price_currency,
        unit_codes.unit_code,
        resolved.price_unit
    from usage_pieces
    inner join resolved
        on usage_pieces.client_id = resolved.client_id
        and usage_pieces.billing_period_start = resolved.billing_period_start
        and coalesce(usage_pieces.service_id, '') = coalesce(resolved.service_id, '')
        and coalesce(usage_pieces.sku_id, '') = coalesce(resolved.sku_id, '')
        and coalesce(usage_pieces.unit, '') = coalesce(resolved.unit, '')
        and usage_pieces.currency = resolved.currency
    left join unit_codes
        on usage_pieces.unit = unit_codes.focus_unit

),

usage_line_pieces as (

    select
        invoice_lines.invoice_id,
        invoice_lines.line_number,
        'usage' as piece_type,
        priced_pieces.allocation_id as piece_key,
        priced_pieces.charge_id,
        priced_pieces.allocation_rule_id,
        priced_pieces.share_ratio,
        case
            when invoice_lines.pricing_model = 'cost_plus' then
                case
                    when priced_pieces.currency = priced_pieces.price_currency
                        then priced_pieces.allocated_effective_cost
                    else cast(0 as {{ money }})
                end
            when priced_pieces.unit_code = priced_pieces.price_unit then priced_pieces.quantity
            else cast(0 as {{ money }})
        end as piece_quantity,
        case
            when invoice_lines.pricing_model = 'cost_plus' then priced_pieces.currency
            else priced_pieces.unit
        end as piece_unit,
        priced_pieces.allocated_effective_cost as piece_cost,
        priced_pieces.currency as piece_currency,
        focus.source_file,
        cast(focus.source_row as bigint) as source_row,
        cast(null as {{ string }}) as source_key
    from invoice_lines
    inner join priced_pieces
        on invoice_lines.client_id = priced_pieces.client_id
        and invoice_lines.billing_period_start = priced_pieces.billing_period_start
        and invoice_lines.contract_id = priced_pieces.contract_id
        and invoice_lines.contract_version = priced_pieces.contract_version
        and invoice_lines.base_price_id = priced_pieces.price_id
    left join focus
        on priced_pieces.charge_id = focus.charge_id
    where invoice_lines.document_type = 'invoice'
        and invoice_lines.line_type in ('usage', 'overage', 'cost_plus')
        and invoice_lines.pricing_model in ({{ usage_models }})

),

subscription_pieces as (

    select
        invoice_lines.invoice_id,
        invoice_lines.line_number,
        'subscription_change' as piece_type,
        segments.change_id as piece_key,
        cast(null as {{ string }}) as charge_id,
        cast(null as {{ string }}) as allocation_rule_id,
        cast(null as {{ money }}) as share_ratio,
        cast(segments.quantity as {{ money }}) as piece_quantity,
        invoice_lines.unit as piece_unit,
        cast(null as {{ money }}) as piece_cost,
        cast(null as {{ string }}) as piece_currency,
        'seeds/subscription_changes.csv' as source_file,
        cast(null as bigint) as source_row,
        segments.change_id as source_key
    from invoice_lines
    inner join segments
        on invoice_lines.client_id = segments.client_id
        and invoice_lines.billing_period_start = segments.billing_period_start
        and invoice_lines.price_id = segments.price_id
        -- the line's sku_id is subscription_id@segment start (int_subscription_lines_priced)
        and invoice_lines.sku_id = segments.subscription_id || '@' || case
            when segments.proration_basis = 'hour' then substr(cast(segments.segment_start_at as {{ string }}), 1, 16)
            else substr(cast(segments.segment_start_at as {{ string }}), 1, 10)
        end
    where invoice_lines.document_type = 'invoice'
        and invoice_lines.pricing_model = 'subscription'

),

period_fee_pieces as (

    select
        invoice_id,
        line_number,
        'period_fee' as piece_type,
        price_id as piece_key,
        cast(null as {{ string }}) as charge_id,
        cast(null as {{ string }}) as allocation_rule_id,
        cast(null as {{ money }}) as share_ratio,
        quantity as piece_quantity,
        unit as piece_unit,
        price_amount as piece_cost,
        price_currency as piece_currency,
        'seeds/contract_prices.csv' as source_file,
        cast(null as bigint) as source_row,
        contract_id || '/v' || cast(contract_version as {{ string }}) || '/' || price_id as source_key
    from invoice_lines
    where document_type = 'invoice'
        and line_type = 'subscription'
        and pricing_model = 'hybrid'

),

measurement_pieces as (

    select
        invoice_lines.invoice_id,
        invoice_lines.line_number,
        'sla_measurement' as piece_type,
        measurements.measurement_id as piece_key,
        cast(null as {{ string }}) as charge_id,
        cast(null as {{ string }}) as allocation_rule_id,
        cast(null as {{ money }}) as share_ratio,
        cast(measurements.minutes_available as {{ money }}) as piece_quantity,
        'minutes available of ' || cast(measurements.minutes_total as {{ string }}) as piece_unit,
        cast(null as {{ money }}) as piece_cost,
        cast(null as {{ string }}) as piece_currency,
        measurements.source_file,
        cast(measurements.source_row as bigint) as source_row,
        measurements.measurement_id as source_key
    from invoice_lines
    inner join measurements
        on invoice_lines.client_id = measurements.client_id
        and invoice_lines.billing_period_start = measurements.billing_period_start
        and invoice_lines.service_id = measurements.service_id
        and invoice_lines.price_id = measurements.sla_id
        and invoice_lines.contract_id = measurements.contract_id
        and invoice_lines.contract_version = measurements.contract_version
    -- a note line crediting an SLA breach found later rests on the measurement too
    where invoice_lines.line_type = 'sla_credit'

),

-- lines computed from other lines of the same invoice (or, for a note line, of the corrected invoice)
line_pieces as (

    select
        computed.invoice_id,
        computed.line_number,
        'line' as piece_type,
        'line ' || cast(behind.line_number as {{ string }}) as piece_key,
        cast(null as {{ string }}) as charge_id,
        cast(null as {{ string }}) as allocation_rule_id,
        cast(null as {{ money }}) as share_ratio,
        case when computed.document_type = 'invoice' then behind.price_amount else behind.amount end
            as piece_quantity,
        case when computed.document_type = 'invoice' then behind.price_currency else behind.currency end
            as piece_unit,
        behind.amount as piece_cost,
        behind.currency as piece_currency,
        'marts.fct_invoice_lines' as source_file,
        cast(null as bigint) as source_row,
        behind.invoice_id || '#' || cast(behind.line_number as {{ string }}) as source_key
    from invoice_lines as computed
    inner join invoice_lines as behind
        on (
            computed.document_type = 'invoice'
            and behind.invoice_id = computed.invoice_id
            and behind.document_type = 'invoice'
            and (
                (
                    computed.line_type = 'discount'
                    and behind.pricing_model in ({{ usage_models }}, 'cap')
                    and (computed.service_id is null or behind.service_id = computed.service_id)
                )
                or (
                    computed.line_type = 'cap_adjustment'
                    and behind.pricing_model in ({{ usage_models }})
                    and behind.base_price_id = computed.price_id
                )
                or (
                    computed.line_type = 'commitment_true_up'
                    and behind.pricing_model in ({{ usage_models }}, 'cap', 'discount_tier')
                )
                or (
                    computed.line_type = 'sla_credit'
                    and behind.pricing_model = 'subscription'
                    and behind.service_id = computed.service_id
                )
            )
        )
        or (
            computed.document_type <> 'invoice'
            and behind.invoice_number = computed.original_invoice_number
            and behind.document_type = 'invoice'
            and behind.line_type = computed.line_type
            and coalesce(behind.price_id, '') = coalesce(computed.price_id, '')
            and coalesce(behind.service_id, '') = coalesce(computed.service_id, '')
            and coalesce(behind.sku_id, '') = coalesce(computed.sku_id, '')
        )

),

found_pieces as (

    select * from usage_line_pieces
    union all
    select * from subscription_pieces
    union all
    select * from period_fee_pieces
    union all
    select * from measurement_pieces
    union all
    select * from line_pieces

),

lines_with_pieces as (

    select distinct invoice_id, line_number from found_pieces

),

-- a line nothing stands behind (a first tier nothing was used in, a commitment with no usage at all, a note
-- line of a key the corrected invoice did not have) rests on its pricing rule alone
rule_pieces as (

    select
        invoice_lines.invoice_id,
        invoice_lines.line_number,
        'rule' as piece_type,
        coalesce(invoice_lines.price_id, invoice_lines.line_type) as piece_key,
        cast(null as {{ string }}) as charge_id,
        cast(null as {{ string }}) as allocation_rule_id,
        cast(null as {{ money }}) as share_ratio,
        cast(0 as {{ money }}) as piece_quantity,
        invoice_lines.unit as piece_unit,
        cast(null as {{ money }}) as piece_cost,
        cast(null as {{ string }}) as piece_currency,
        coalesce(invoice_lines.price_source_file, 'marts.fct_invoice_lines') as source_file,
        cast(null as bigint) as source_row,
        case
            when invoice_lines.pricing_model is null then
                invoice_lines.invoice_id || '#' || cast(invoice_lines.line_number as {{ string }})
            when invoice_lines.pricing_model = 'minimum_commitment' then
                invoice_lines.contract_id || '/v' || cast(invoice_lines.contract_version as {{ string }})
            else invoice_lines.contract_id || '/v' || cast(invoice_lines.contract_version as {{ string }})
                || '/' || invoice_lines.base_price_id
        end as source_key
    from invoice_lines
    left join lines_with_pieces
        on invoice_lines.invoice_id = lines_with_pieces.invoice_id
        and invoice_lines.line_number = lines_with_pieces.line_number
    where lines_with_pieces.invoice_id is null

),

pieces as (

    select * from found_pieces
    union all
    select * from rule_pieces

),

final as (

    select
        cast(invoice_lines.billing_period_start as date) as billing_period_start,
        cast(invoice_lines.invoice_id as {{ string }}) as invoice_id,
        cast(invoice_lines.invoice_number as {{ string }}) as invoice_number,
        cast(invoice_lines.status as {{ string }}) as status,
        cast(invoice_lines.client_id as {{ string }}) as client_id,
        cast(invoice_lines.line_number as integer) as line_number,
        cast(invoice_lines.line_type as {{ string }}) as line_type,
        cast(invoice_lines.line_is_current as boolean) as line_is_current,
        cast(invoice_lines.pricing_model as {{ string }}) as pricing_model,
        cast(invoice_lines.contract_id as {{ string }}) as contract_id,
        cast(invoice_lines.contract_version as integer) as contract_version,
        cast(invoice_lines.price_id as {{ string }}) as price_id,
        cast(invoice_lines.unit_price as {{ money }}) as unit_price,
        cast(invoice_lines.price_source_file as {{ string }}) as price_source_file,
        cast(
            case
                when invoice_lines.pricing_model is null then null
                when invoice_lines.pricing_model = 'minimum_commitment' then
                    invoice_lines.contract_id || '/v' || cast(invoice_lines.contract_version as {{ string }})
                else invoice_lines.contract_id || '/v' || cast(invoice_lines.contract_version as {{ string }})
                    || '/' || invoice_lines.base_price_id
            end as {{ string }}
        ) as price_source_key,
        cast(invoice_lines.price_currency as {{ string }}) as fx_from_currency,
        cast(invoice_lines.currency as {{ string }}) as fx_to_currency,
        cast(invoice_lines.fx_rate as {{ money }}) as fx_rate,
        cast(invoice_lines.fx_rate_date as date) as fx_rate_date,
        cast(invoice_lines.tax_category_code as {{ string }}) as tax_category_code,
        cast(invoice_lines.tax_rate as {{ money }}) as tax_rate,
        cast(row_number() over (
            partition by pieces.invoice_id, pieces.line_number
            order by pieces.piece_quantity desc nulls last, pieces.piece_cost desc nulls last, pieces.piece_key asc
        ) as integer) as piece_number,
        cast(pieces.piece_type as {{ string }}) as piece_type,
        cast(pieces.piece_key as {{ string }}) as piece_key,
        cast(pieces.charge_id as {{ string }}) as charge_id,
        cast(pieces.allocation_rule_id as {{ string }}) as allocation_rule_id,
        cast(pieces.share_ratio as {{ money }}) as share_ratio,
        cast(pieces.piece_quantity as {{ money }}) as piece_quantity,
        cast(pieces.piece_unit as {{ string }}) as piece_unit,
        cast(pieces.piece_cost as {{ money }}) as piece_cost,
        cast(pieces.piece_currency as {{ string }}) as piece_currency,
        cast(pieces.source_file as {{ string }}) as source_file,
        cast(pieces.source_row as bigint) as source_row,
        cast(pieces.source_key as {{ string }}) as source_key
    from invoice_lines
    inner join pieces
        on invoice_lines.invoice_id = pieces.invoice_id
        and invoice_lines.line_number = pieces.line_number

)

select * from final
