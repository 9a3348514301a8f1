{#-
    A bank account number as compared when identifying a payer: upper-cased, without spaces and hyphens
    (`DE44 5001 0517 5407 3249 31` = `de44500105175407324931`).
-#}
{% macro account_key(account_expr) -%}
    upper(replace(replace({{ account_expr }}, ' ', ''), '-', ''))
{%- endmacro %}
