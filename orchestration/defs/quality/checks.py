"""Blocking gates: Great Expectations suites run as asset checks for the period being closed."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.defs.partitions import billing_period, period_of
from orchestration.defs.quality.batches import INVOICE_TOTALS, RECONCILIATION, GateBatch
from orchestration.defs.quality.gates import ExpectationOutcome, GateOutcome, load_suite, run_suite
from orchestration.ingest.waiting import waiting_for_period
from orchestration.resources import WarehouseResource
from orchestration.settings import EXPECTATIONS_DIR

RECONCILIATION_KEY = dg.AssetKey(["marts", "fct_reconciliation"])
DRAFT_INVOICE_LINES_KEY = dg.AssetKey(["intermediate", "int_invoice_lines_drafted"])
RECONCILIATION_GATE = dg.AssetCheckKey(RECONCILIATION_KEY, "gx_reconciliation_balances")
INVOICE_TOTALS_GATE = dg.AssetCheckKey(DRAFT_INVOICE_LINES_KEY, "gx_invoice_lines_sum_to_invoice")
# The gates that run a Great Expectations suite.
GX_GATES = frozenset({RECONCILIATION_GATE, INVOICE_TOTALS_GATE})


def record_gate(con, outcome: GateOutcome, period, run_id: str) -> None:  # type: ignore[no-untyped-def]
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    for item in outcome.outcomes:
        con.execute(
            """
            insert into audit.gate_results
                (billing_period_start, suite, expectation, success, failing_rows, detail, run_id, checked_at)
            values (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [period, outcome.suite, item.expectation, item.success, item.failing_rows, item.detail, run_id, checked_at],
        )


def evaluate_gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, batch: GateBatch):  # type: ignore[no-untyped-def]
    period = period_of(context.partition_key)
    suite = load_suite(EXPECTATIONS_DIR / f"{batch.suite}.json")
    with warehouse.connect() as con:
        frame = batch.read(con, period)
        outcome = run_suite(suite, frame, batch.key_columns)
        record_gate(con, outcome, period, context.run.run_id)
    failures = outcome.failures()
    for failure in failures:
        context.log.error(
            f"gate {outcome.suite} failed: {failure.expectation} on {failure.failing_rows} row(s): {failure.detail}"
        )
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "billing_period": period.isoformat(),
            "rows_checked": len(frame),
            "failed_expectations": [f"{f.expectation}: {f.detail}" for f in failures],
        },
    )


@dg.asset_check(
    asset=RECONCILIATION_KEY,
    name=RECONCILIATION_GATE.name,
    blocking=True,
    partitions_def=billing_period,
    description="GX suite expectations/fct_reconciliation.json: every source balances to zero difference.",
)
def reconciliation_gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return evaluate_gate(context, warehouse, RECONCILIATION)


@dg.asset_check(
    asset=DRAFT_INVOICE_LINES_KEY,
    name=INVOICE_TOTALS_GATE.name,
    blocking=True,
    partitions_def=billing_period,
    additional_deps=[dg.AssetKey(["intermediate", "int_invoices_drafted"])],
    description="GX suite expectations/invoice_totals.json: Σ line amount + tax = invoice total, exactly.",
)
def invoice_totals_gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return evaluate_gate(context, warehouse, INVOICE_TOTALS)


DELIVERIES_COMPLETE = "deliveries_complete"


@dg.asset_check(
    asset=RECONCILIATION_KEY,
    name="deliveries_complete",
    blocking=True,
    partitions_def=billing_period,
    description=(
        "No delivery of the month is still waiting for files its manifest lists (audit.waiting_deliveries): "
        "invoices are not finalized on the previous delivery while a newer one is landing."
    ),
)
def deliveries_complete_gate(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    period = period_of(context.partition_key)
    with warehouse.connect() as con:
        # A delivery whose month is not known yet (no landed part, a manifest naming none) is listed by the close
        # summary but holds no month's close: it could be of any of them.
        waiting = [w for w in waiting_for_period(con, period) if w.billing_period_start == period]
        detail = ""
        if waiting:
            more = f" (and {len(waiting) - 1} more)" if len(waiting) > 1 else ""
            detail = (
                f"{waiting[0].describe()}{more}; or, if that delivery will not complete, remove its manifest from "
                "the landing zone"
            )
        outcome = GateOutcome(
            DELIVERIES_COMPLETE,
            [ExpectationOutcome("no_delivery_of_the_month_waiting_for_files", not waiting, len(waiting), detail)],
        )
        record_gate(con, outcome, period, context.run.run_id)
    if waiting:
        context.log.error(f"gate {DELIVERIES_COMPLETE} failed: {detail}")
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "billing_period": period.isoformat(),
            "deliveries_waiting_for_files": [f"{w.source}: {w.manifest}" for w in waiting],
        },
    )


gate_checks = [reconciliation_gate, invoice_totals_gate, deliveries_complete_gate]
