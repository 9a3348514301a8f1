"""The budget alert delivery asset: after a green close, POST the alerts not yet sent to the webhook."""

import dagster as dg

from orchestration.defs.budgets.delivery import deliver_alerts
from orchestration.defs.invoicing.assets import ISSUED_INVOICES
from orchestration.defs.partitions import billing_period
from orchestration.resources import BudgetWebhookResource, WarehouseResource

BUDGET_ALERTS_KEY = dg.AssetKey(["marts", "fct_budget_alerts"])
ALERT_DELIVERIES = dg.AssetKey(["audit", "budget_alert_deliveries"])


@dg.multi_asset(
    name="deliver_budget_alerts",
    specs=[
        dg.AssetSpec(
            ALERT_DELIVERIES,
            group_name="budgets",
            kinds={"duckdb", "python"},
            description=(
                "Every attempt to POST a budget alert to the webhook (sent or failed); append-only. An alert "
                "with a `sent` row is never sent again."
            ),
            # After finalization, which runs only once both gates passed: a red close sends nothing.
            deps=[BUDGET_ALERTS_KEY, ISSUED_INVOICES],
        )
    ],
    partitions_def=billing_period,
)
def deliver_budget_alerts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, budget_webhook: BudgetWebhookResource
) -> dg.MaterializeResult:
    """POST each budget alert (marts.fct_budget_alerts) not sent yet, of every month that closed green, to the
    webhook in BILLING_BUDGET_WEBHOOK_URL, one JSON document per alert. Without a webhook nothing is sent and
    the run log says so. A failing webhook never fails the close: the attempt is recorded as failed and the
    alert is sent again at the next close."""
    url = budget_webhook.url.strip() if budget_webhook.configured else None
    with warehouse.connect() as con:
        report = deliver_alerts(
            con,
            url,
            timeout=budget_webhook.timeout_seconds,
            run_id=context.run.run_id,
            log=context.log.info,
            warn=context.log.warning,
        )
    return dg.MaterializeResult(
        asset_key=ALERT_DELIVERIES,
        metadata={
            "webhook": "configured" if report.configured else "not configured (BILLING_BUDGET_WEBHOOK_URL unset)",
            "alerts_new": report.pending,
            "alerts_sent": len(report.sent),
            "alerts_failed": len(report.failed),
            "alerts_held_back": report.held_back,
            "summary": report.summary(),
        },
    )
