"""The small batches each gate validates, read from DuckDB for one billing period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd


@dataclass(frozen=True)
class GateBatch:
    suite: str
    sql: str
    key_columns: list[str]

    def read(self, con: duckdb.DuckDBPyConnection, period: date) -> pd.DataFrame:
        # Through Arrow so DECIMAL arrives as decimal.Decimal, never float.
        return con.sql(self.sql, params=[period]).to_arrow_table().to_pandas()


RECONCILIATION = GateBatch(
    suite="fct_reconciliation",
    sql="""
        select billing_period_start, source, billing_account_id, currency, billed_difference,
               effective_difference, allocation_difference, difference, status
        from marts.fct_reconciliation
        where billing_period_start = ?
        order by source, billing_account_id, currency
    """,
    key_columns=["source", "billing_account_id", "currency", "difference", "status"],
)

INVOICE_TOTALS = GateBatch(
    suite="invoice_totals",
    sql="""
        with lines as (
            select invoice_id, sum(amount + tax_amount) as lines_total, count(*) as line_count
            from intermediate.int_invoice_lines_drafted
            group by invoice_id
        )
        select invoices.invoice_id, invoices.client_id, invoices.currency, invoices.total,
               lines.lines_total, lines.line_count, invoices.total - lines.lines_total as difference
        from intermediate.int_invoices_drafted as invoices
        left join lines on lines.invoice_id = invoices.invoice_id
        where invoices.billing_period_start = ?
          -- a blocked draft is never issued and may lack amounts (no rate): it holds back its client only
          and invoices.blocking_issues is null
        order by invoices.invoice_id
    """,
    key_columns=["invoice_id", "total", "lines_total", "difference"],
)
