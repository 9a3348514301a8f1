"""Blocking gates: Great Expectations suites run as asset checks for the period being closed."""

from datetime import UTC, datetime

import dagster as dg

from orchestration.defs.partitions import billing_period, period_of
from orchestration.defs.quality.batches import INVOICE_TOTALS, RECONCILIATION, GateBatch
from orchestration.defs.quality.gates import GateOutcome, load_suite, run_suite
from orchestration.resources import WarehouseResource
from orchestration.settings import EXPECTATIONS_DIR

RECONCILIATION_KEY = dg.AssetKey(["marts", "fct_reconciliation"])
DRAFT_INVOICE_LINES_KEY = dg.AssetKey(["intermediate", "int_invoice_lines_drafted"])


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
    name="gx_reconciliation_balances",
    blocking=True,
    partitions_def=billing_period,
    description="GX suite expectations/fct_reconciliation.json: every source balances to zero difference.",
)
def reconciliation_gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return evaluate_gate(context, warehouse, RECONCILIATION)


@dg.asset_check(
    asset=DRAFT_INVOICE_LINES_KEY,
    name="gx_invoice_lines_sum_to_invoice",
    blocking=True,
    partitions_def=billing_period,
    additional_deps=[dg.AssetKey(["intermediate", "int_invoices_drafted"])],
    description="GX suite expectations/invoice_totals.json: Σ line amount + tax = invoice total, exactly.",
)
def invoice_totals_gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    return evaluate_gate(context, warehouse, INVOICE_TOTALS)


gate_checks = [reconciliation_gate, invoice_totals_gate]
