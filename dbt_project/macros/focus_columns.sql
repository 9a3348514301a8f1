{#-
    The FOCUS 1.2 cost-and-usage columns in specification order (the 57 columns of a FOCUS 1.2 export),
    followed by the FOCUS 1.3 provider columns this platform also carries. `kind` drives typing:
    money -> decimal(38,10), timestamp -> UTC timestamp, string -> string.
    Used by stg_focus__charges (typing a delivered FOCUS file), by int_charges_unioned (one select list for
    every source) and by marts.focus_cost_and_usage.
-#}
{% macro focus_columns() -%}
    {{ return([
        {'name': 'ProviderName', 'kind': 'string'},
        {'name': 'PublisherName', 'kind': 'string'},
        {'name': 'InvoiceIssuerName', 'kind': 'string'},
        {'name': 'InvoiceId', 'kind': 'string'},
        {'name': 'BillingAccountId', 'kind': 'string'},
        {'name': 'BillingAccountName', 'kind': 'string'},
        {'name': 'BillingAccountType', 'kind': 'string'},
        {'name': 'SubAccountId', 'kind': 'string'},
        {'name': 'SubAccountName', 'kind': 'string'},
        {'name': 'SubAccountType', 'kind': 'string'},
        {'name': 'BillingPeriodStart', 'kind': 'timestamp'},
        {'name': 'BillingPeriodEnd', 'kind': 'timestamp'},
        {'name': 'ChargePeriodStart', 'kind': 'timestamp'},
        {'name': 'ChargePeriodEnd', 'kind': 'timestamp'},
        {'name': 'ChargeCategory', 'kind': 'string'},
        {'name': 'ChargeClass', 'kind': 'string'},
        {'name': 'ChargeDescription', 'kind': 'string'},
        {'name': 'ChargeFrequency', 'kind': 'string'},
        {'name': 'BilledCost', 'kind': 'money'},
        {'name': 'EffectiveCost', 'kind': 'money'},
        {'name': 'ListCost', 'kind': 'money'},
        {'name': 'ContractedCost', 'kind': 'money'},
        {'name': 'ListUnitPrice', 'kind': 'money'},
        {'name': 'ContractedUnitPrice', 'kind': 'money'},
        {'name': 'PricingCategory', 'kind': 'string'},
        {'name': 'PricingQuantity', 'kind': 'money'},
        {'name': 'PricingUnit', 'kind': 'string'},
        {'name': 'PricingCurrency', 'kind': 'string'},
        {'name': 'PricingCurrencyContractedUnitPrice', 'kind': 'money'},
        {'name': 'PricingCurrencyEffectiveCost', 'kind': 'money'},
        {'name': 'PricingCurrencyListUnitPrice', 'kind': 'money'},
        {'name': 'BillingCurrency', 'kind': 'string'},
        {'name': 'ConsumedQuantity', 'kind': 'money'},
        {'name': 'ConsumedUnit', 'kind': 'string'},
        {'name': 'ServiceName', 'kind': 'string'},
        {'name': 'ServiceCategory', 'kind': 'string'},
        {'name': 'ServiceSubcategory', 'kind': 'string'},
        {'name': 'SkuId', 'kind': 'string'},
        {'name': 'SkuMeter', 'kind': 'string'},
        {'name': 'SkuPriceId', 'kind': 'string'},
        {'name': 'SkuPriceDetails', 'kind': 'string'},
        {'name': 'ResourceId', 'kind': 'string'},
        {'name': 'ResourceName', 'kind': 'string'},
        {'name': 'ResourceType', 'kind': 'string'},
        {'name': 'RegionId', 'kind': 'string'},
        {'name': 'RegionName', 'kind': 'string'},
        {'name': 'AvailabilityZone', 'kind': 'string'},
        {'name': 'CommitmentDiscountId', 'kind': 'string'},
        {'name': 'CommitmentDiscountName', 'kind': 'string'},
        {'name': 'CommitmentDiscountCategory', 'kind': 'string'},
        {'name': 'CommitmentDiscountType', 'kind': 'string'},
        {'name': 'CommitmentDiscountStatus', 'kind': 'string'},
        {'name': 'CommitmentDiscountQuantity', 'kind': 'money'},
        {'name': 'CommitmentDiscountUnit', 'kind': 'string'},
        {'name': 'CapacityReservationId', 'kind': 'string'},
        {'name': 'CapacityReservationStatus', 'kind': 'string'},
        {'name': 'Tags', 'kind': 'string'},
        {'name': 'ServiceProviderName', 'kind': 'string'},
        {'name': 'HostProviderName', 'kind': 'string'},
    ]) }}
{%- endmacro %}

{#- SQL type for a focus_columns() kind. -#}
{% macro focus_column_type(kind) -%}
    {%- if kind == 'money' -%}{{ billing.money_type() }}
    {%- elif kind == 'timestamp' -%}timestamp
    {%- else -%}{{ dbt.type_string() }}
    {%- endif -%}
{%- endmacro %}

{#-
    The lineage and allocation columns every normalized charge carries after the FOCUS columns
    (x_CostCenterId is added by the allocation, in the mart).
-#}
{% macro focus_extension_columns() -%}
    {{ return([
        {'name': 'x_ChargeId', 'type': dbt.type_string()},
        {'name': 'x_Source', 'type': dbt.type_string()},
        {'name': 'x_SourceFile', 'type': dbt.type_string()},
        {'name': 'x_SourceRow', 'type': 'bigint'},
        {'name': 'x_ProjectId', 'type': dbt.type_string()},
        {'name': 'x_BillingPeriodStartDate', 'type': 'date'},
        {'name': 'x_UnmappedColumns', 'type': dbt.type_string()},
    ]) }}
{%- endmacro %}

{#-
    The select list of a normalized charge: every FOCUS column, then the extension columns, each cast to its
    declared type, in one fixed order, so the per-source models union by position and by name.
-#}
{% macro focus_select_list(relation_alias) -%}
    {%- for column in billing.focus_columns() %}
    cast({{ relation_alias }}.{{ column.name }} as {{ billing.focus_column_type(column.kind) }}) as {{ column.name }},
    {%- endfor %}
    {%- for column in billing.focus_extension_columns() %}
    cast({{ relation_alias }}.{{ column.name }} as {{ column.type }}) as {{ column.name }}
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
