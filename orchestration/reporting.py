"""Read-only summaries of a closed period, for people (the CLI) and tests."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import duckdb

from orchestration.ingest.waiting import WaitingDelivery, waiting_for_period


@dataclass(frozen=True)
class SourceLine:
    source: str
    currency: str
    files_loaded: int
    rows_loaded: int
    billed_in: Decimal
    amortized_in: Decimal
    allocated: Decimal
    unallocated: Decimal
    difference: Decimal
    status: str


@dataclass(frozen=True)
class InvoiceLine:
    invoice_id: str
    invoice_number: str | None
    client_id: str
    currency: str
    total: Decimal
    status: str
    document_type: str = "invoice"
    minor_units: int = 2


@dataclass(frozen=True)
class GateLine:
    suite: str
    expectation: str
    success: bool
    failing_rows: int
    detail: str


@dataclass(frozen=True)
class RestatementLine:
    """A cost center whose allocated cost differs from what the period's first close froze."""

    cost_center_id: str
    owner: str
    currency: str
    closed: Decimal
    restated: Decimal
    difference: Decimal
    closed_at: str


RESTATEMENT_HEADER = (
    "billing_period_start",
    "cost_center_id",
    "owner",
    "billing_currency",
    "closed_effective_cost",
    "restated_effective_cost",
    "effective_cost_difference",
    "closed_at",
)


@dataclass(frozen=True)
class ChargebackTotal:
    """A period's chargeback (or showback) per currency, and the policy and rate card that priced it."""

    mode: str
    currency: str
    departments: int
    lines: int
    allocated_cost: Decimal
    amount: Decimal
    unpriced_lines: int
    policy_versions: str
    rate_card_versions: str


@dataclass(frozen=True)
class PeriodSummary:
    period: date
    sources: list[SourceLine]
    invoices: list[InvoiceLine]
    gates: list[GateLine]
    quarantined: list[tuple[str, str]]
    restatements: list[RestatementLine]
    chargeback: list[ChargebackTotal]
    # deliveries of the period still waiting for files: the close was made without them
    waiting: list[WaitingDelivery] = field(default_factory=list)


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def summarize_period(con: duckdb.DuckDBPyConnection, period: date) -> PeriodSummary:
    sources: list[SourceLine] = []
    if _table_exists(con, "marts", "fct_reconciliation"):
        rows = con.execute(
            """
            with files as (
                select source, count(*) as files_loaded, sum(row_count) as rows_loaded
                from audit.ingested_files
                where billing_period_start = ? and status = 'loaded'
                group by source
            )
            select recon.source, recon.currency,
                   coalesce(max(files.files_loaded), 0), coalesce(max(files.rows_loaded), 0),
                   sum(recon.source_billed_total), sum(recon.source_amortized_total), sum(recon.allocated_total),
                   sum(recon.unallocated_total), sum(recon.difference),
                   case when bool_and(recon.status = 'balanced') then 'balanced' else 'out_of_balance' end
            from marts.fct_reconciliation as recon
            left join files on files.source = recon.source
            where recon.billing_period_start = ?
            group by recon.source, recon.currency
            order by recon.source, recon.currency
            """,
            [period, period],
        ).fetchall()
        sources = [SourceLine(*row) for row in rows]
    invoices: list[InvoiceLine] = []
    if _table_exists(con, "marts", "fct_invoices"):
        invoices = [
            InvoiceLine(*row)
            for row in con.execute(
                """
                select invoices.invoice_id, invoices.invoice_number, invoices.client_id, invoices.currency,
                       invoices.total, invoices.status, invoices.document_type, coalesce(currencies.minor_units, 2)
                from marts.fct_invoices as invoices
                left join staging.stg_reference__currencies as currencies
                    on invoices.currency = currencies.currency_code
                where invoices.billing_period_start = ? order by invoices.invoice_id
                """,
                [period],
            ).fetchall()
        ]
    gates: list[GateLine] = []
    quarantined: list[tuple[str, str]] = []
    if _table_exists(con, "audit", "gate_results"):
        gates = [
            GateLine(*row)
            for row in con.execute(
                """
                with latest as (
                    select suite, max(checked_at) as checked_at from audit.gate_results
                    where billing_period_start = ? group by suite
                )
                select results.suite, results.expectation, results.success, results.failing_rows,
                       coalesce(results.detail, '')
                from audit.gate_results as results
                join latest using (suite, checked_at)
                where results.billing_period_start = ?
                order by results.suite, results.expectation
                """,
                [period, period],
            ).fetchall()
        ]
    if _table_exists(con, "audit", "ingested_files"):
        quarantined = con.execute(
            "select path, error from audit.ingested_files where status = 'quarantined' order by loaded_at, path"
        ).fetchall()
    restatements: list[RestatementLine] = []
    if _table_exists(con, "marts", "fct_allocation_restatements"):
        restatements = [
            RestatementLine(*row)
            for row in con.execute(
                """
                select cost_center_id, coalesce(department_id, client_id, cost_center_owner_type, ''),
                       billing_currency, closed_effective_cost, restated_effective_cost, effective_cost_difference,
                       strftime(closed_at, '%Y-%m-%d %H:%M:%S UTC')
                from marts.fct_allocation_restatements where billing_period_start = ?
                order by billing_currency, cost_center_id
                """,
                [period],
            ).fetchall()
        ]
    chargeback: list[ChargebackTotal] = []
    if _table_exists(con, "marts", "fct_chargeback_lines"):
        chargeback = [
            ChargebackTotal(*row)
            for row in con.execute(
                """
                select mode, billing_currency, count(distinct department_id), count(*), sum(allocated_cost),
                       coalesce(sum(amount), 0), count(*) filter (where pricing_status <> 'priced'),
                       string_agg(distinct policy_version, ', ' order by policy_version),
                       coalesce(string_agg(distinct rate_card_version, ', ' order by rate_card_version), '')
                from marts.fct_chargeback_lines where billing_period_start = ?
                group by mode, billing_currency order by mode, billing_currency
                """,
                [period],
            ).fetchall()
        ]
    waiting = waiting_for_period(con, period)
    return PeriodSummary(period, sources, invoices, gates, quarantined, restatements, chargeback, waiting)


def write_restatement_report(summary: PeriodSummary, directory: Path) -> Path:
    """The period's restatement lines as CSV (exact decimals), for finance to review."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{summary.period:%Y-%m}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RESTATEMENT_HEADER)
        for line in summary.restatements:
            writer.writerow(
                (
                    summary.period.isoformat(),
                    line.cost_center_id,
                    line.owner,
                    line.currency,
                    line.closed,
                    line.restated,
                    line.difference,
                    line.closed_at,
                )
            )
    return path


def money(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "-"
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum):,}"


@dataclass(frozen=True)
class PeriodLine:
    period: date
    currency: str
    sources: int
    balanced: int
    billed_in: Decimal
    amortized_in: Decimal
    unallocated: Decimal
    charged_back: Decimal
    invoiced: Decimal
    finalized_invoices: int


def summarize_periods(con: duckdb.DuckDBPyConnection) -> list[PeriodLine]:
    """One line per closed period and currency: what came in, what stayed unallocated, what was billed."""
    if not _table_exists(con, "marts", "fct_reconciliation"):
        return []
    has_invoices = _table_exists(con, "marts", "fct_invoices")
    invoices = (
        """
        select billing_period_start, currency, sum(total) as invoiced,
               count(*) filter (where status = 'finalized') as finalized
        from marts.fct_invoices group by all
        """
        if has_invoices
        else "select null::date as billing_period_start, null as currency, 0 as invoiced, 0 as finalized where false"
    )
    rows = con.execute(
        f"""
        with recon as (
            select billing_period_start, currency, count(*) as sources,
                   count(*) filter (where status = 'balanced') as balanced,
                   sum(source_billed_total) as billed_in, sum(source_amortized_total) as amortized_in,
                   sum(unallocated_total) as unallocated
            from marts.fct_reconciliation group by all
        ),
        chargeback as (
            select billing_period_start, billing_currency as currency, sum(amount) as charged_back
            from marts.fct_chargeback_lines where mode = 'chargeback' group by all
        ),
        invoices as ({invoices})
        -- a client invoiced in a currency no provider bills in (JPY) still gets its line in a closed period
        select billing_period_start, currency, coalesce(recon.sources, 0), coalesce(recon.balanced, 0),
               coalesce(recon.billed_in, 0), coalesce(recon.amortized_in, 0), coalesce(recon.unallocated, 0),
               coalesce(chargeback.charged_back, 0), coalesce(invoices.invoiced, 0), coalesce(invoices.finalized, 0)
        from recon
        full outer join (
            select * from invoices
            where billing_period_start in (select billing_period_start from recon)
        ) as invoices using (billing_period_start, currency)
        left join chargeback using (billing_period_start, currency)
        order by billing_period_start, currency
        """
    ).fetchall()
    return [PeriodLine(*row) for row in rows]


@dataclass(frozen=True)
class BudgetLine:
    period: date
    budget_id: str
    budget_scope: str
    scope_id: str  # the cost center or the project budgeted
    currency: str
    budget_amount: Decimal
    spend: Decimal
    percent_consumed: Decimal | None  # truncated to 4 decimals; None for a zero budget
    thresholds_crossed: tuple[Decimal, ...]  # ascending
    cap_percent: Decimal | None
    throttle_requested: bool
    other_currencies: str | None  # spend in these currencies is not counted (never converted)


def has_budget_status(con: duckdb.DuckDBPyConnection) -> bool:
    return _table_exists(con, "marts", "fct_budget_status") and _table_exists(con, "marts", "fct_budget_alerts")


def budget_periods(con: duckdb.DuckDBPyConnection) -> list[date]:
    """Billing periods that have budget status rows, oldest first."""
    return [
        row[0]
        for row in con.execute(
            "select distinct billing_period_start from marts.fct_budget_status order by 1"
        ).fetchall()
    ]


def summarize_budgets(con: duckdb.DuckDBPyConnection, period: date | None = None) -> list[BudgetLine]:
    """One line per budget and period (one period, or all): spend, consumption, thresholds crossed, throttling."""
    rows = con.execute(
        """
        with crossed as (
            select budget_id, billing_period_start, list(threshold_percent order by threshold_percent) as levels
            from marts.fct_budget_alerts where alert_type = 'threshold'
            group by all
        )
        select status.billing_period_start, status.budget_id, status.budget_scope,
               coalesce(status.project_id, status.cost_center_id), status.currency, status.budget_amount,
               status.spend, status.percent_consumed, coalesce(crossed.levels, []), status.cap_percent,
               status.throttle_requested, status.other_currencies
        from marts.fct_budget_status as status
        left join crossed using (budget_id, billing_period_start)
        where ? is null or status.billing_period_start = ?
        order by status.billing_period_start, status.budget_scope, status.budget_id
        """,
        [period, period],
    ).fetchall()
    return [
        BudgetLine(*row[:8], tuple(row[8]), *row[9:])  # type: ignore[arg-type]
        for row in rows
    ]


def percent_text(value: Decimal | None, places: int = 2) -> str:
    """A percentage truncated (so it never shows a threshold reached before it is), without trailing zeros:
    80.0000 -> '80', 87.5 -> '87.5', 121.9675 -> '121.96' (places=2)."""
    if value is None:
        return "n/a"
    truncated = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    return format(truncated.normalize(), "f")
