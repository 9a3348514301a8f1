"""Budget alert delivery: POST each new alert of marts.fct_budget_alerts to a webhook, once.

Which alerts are "new" is kept in the warehouse: every attempt is a row of the append-only
``audit.budget_alert_deliveries`` (status ``sent`` or ``failed``), and an alert is sent only while it has no
``sent`` row. Only alerts of billing periods whose gates are green are sent (a month that has not closed green
raises no alert). A failing webhook never raises: the attempt is recorded as ``failed``, logged, and the alert
is tried again at the next close. The business rules (what crosses a threshold) live in dbt; this module only
moves rows to the webhook.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import duckdb

from orchestration.invoicing.finalize import failing_gates

DELIVERIES_DDL = """
create table if not exists audit.budget_alert_deliveries (
    alert_id varchar not null,
    billing_period_start date not null,
    budget_id varchar not null,
    alert_type varchar not null,
    status varchar not null,
    http_status integer,
    error varchar,
    payload varchar not null,
    webhook_host varchar not null,
    attempted_at timestamp not null,
    run_id varchar
)
"""

ALERT_COLUMNS = (
    "alert_id",
    "budget_id",
    "budget_name",
    "budget_scope",
    "cost_center_id",
    "project_id",
    "owner_email",
    "billing_period_start",
    "alert_type",
    "threshold_percent",
    "severity",
    "currency",
    "budget_amount",
    "threshold_amount",
    "spend",
    "percent_consumed",
    "throttle_requested",
    "currency_check",
    "other_currencies",
)

PAYLOAD_VERSION = 1
USER_AGENT = "billing-budget-alerts/1"


@dataclass
class DeliveryReport:
    """What one delivery pass did; `summary()` is the line written to the run log."""

    pending: int = 0
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    held_back: int = 0  # alerts of periods whose gates are not green
    configured: bool = True
    stopped: str | None = None  # why the pass stopped early (webhook unreachable)

    def summary(self) -> str:
        held = f"; {self.held_back} held back (their month has not closed green)" if self.held_back else ""
        if not self.configured:
            return (
                f"budget alerts: {self.pending} new alert(s) not sent: no webhook configured "
                f"(set BILLING_BUDGET_WEBHOOK_URL){held}"
            )
        text = f"budget alerts: {len(self.sent)} sent, {len(self.failed)} failed of {self.pending} new{held}"
        if self.failed:
            text += "; failed alerts are retried at the next close"
        if self.stopped:
            text += f"; stopped early: {self.stopped}"
        return text


def ensure_delivery_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists audit")
    con.execute(DELIVERIES_DDL)


def _decimal_text(value: Decimal | None) -> str | None:
    """Exact decimal as plain text without trailing zeros (3700.0000000000 -> '3700'); JSON numbers would be floats."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def alert_payload(alert: dict[str, Any]) -> dict[str, Any]:
    """The JSON document POSTed for one alert (README "Budgets and alerts" documents it)."""
    period: date = alert["billing_period_start"]
    percent = _decimal_text(alert["percent_consumed"])
    consumed = f"{percent}% of" if percent is not None else "against a zero"
    level = "cap" if alert["alert_type"] == "cap" else "threshold"
    return {
        "payload_version": PAYLOAD_VERSION,
        "event": "budget.cap_reached" if alert["alert_type"] == "cap" else "budget.threshold_crossed",
        "alert_id": alert["alert_id"],
        "billing_period": f"{period:%Y-%m}",
        "billing_period_start": period.isoformat(),
        "budget_id": alert["budget_id"],
        "budget_name": alert["budget_name"],
        "scope": alert["budget_scope"],
        "cost_center_id": alert["cost_center_id"],
        "project_id": alert["project_id"],
        "owner_email": alert["owner_email"],
        "alert_type": alert["alert_type"],
        "threshold_percent": _decimal_text(alert["threshold_percent"]),
        "severity": alert["severity"],
        "currency": alert["currency"],
        "budget_amount": _decimal_text(alert["budget_amount"]),
        "threshold_amount": _decimal_text(alert["threshold_amount"]),
        "spend": _decimal_text(alert["spend"]),
        "percent_consumed": percent,
        "throttle_requested": bool(alert["throttle_requested"]),
        "currency_check": alert["currency_check"],
        "other_currencies": alert["other_currencies"].split(",") if alert["other_currencies"] else [],
        "summary": (
            f"{alert['budget_id']} {period:%Y-%m}: spend {alert['currency']} {_decimal_text(alert['spend'])} is "
            f"{consumed} {alert['currency']} {_decimal_text(alert['budget_amount'])} budget; "
            f"{level} {_decimal_text(alert['threshold_percent'])}% reached"
            + ("; throttling requested" if alert["throttle_requested"] else "")
            + (
                f"; spend in {alert['other_currencies']} not counted (never converted)"
                if alert["other_currencies"]
                else ""
            )
        ),
    }


def pending_alerts(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Alerts with no `sent` delivery yet, oldest period first."""
    rows = con.execute(
        f"""
        select {", ".join(ALERT_COLUMNS)}
        from marts.fct_budget_alerts
        where alert_id not in (select alert_id from audit.budget_alert_deliveries where status = 'sent')
        order by billing_period_start, budget_id, alert_type desc, threshold_percent, alert_id
        """
    ).fetchall()
    return [dict(zip(ALERT_COLUMNS, row, strict=True)) for row in rows]


class WebhookUnreachable(Exception):
    """No HTTP answer at all (refused, timed out, DNS, a URL urllib cannot use): later alerts would fail alike."""


def post_json(url: str, document: dict[str, Any], *, timeout: float, idempotency_key: str) -> int:
    """POST `document`; returns the HTTP status (2xx), raises HTTPError for others, WebhookUnreachable without one."""
    request = urllib.request.Request(
        url,
        data=json.dumps(document, sort_keys=True).encode("utf-8"),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            # Receivers that deduplicate can key on it: the same alert always carries the same key.
            "Idempotency-Key": idempotency_key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError:
        raise
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise WebhookUnreachable(f"{type(reason).__name__}: {reason}") from None


def _record(
    con: duckdb.DuckDBPyConnection,
    alert: dict[str, Any],
    document: dict[str, Any],
    *,
    status: str,
    http_status: int | None,
    error: str | None,
    host: str,
    run_id: str | None,
) -> None:
    con.execute(
        """
        insert into audit.budget_alert_deliveries
            (alert_id, billing_period_start, budget_id, alert_type, status, http_status, error, payload,
             webhook_host, attempted_at, run_id)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            alert["alert_id"],
            alert["billing_period_start"],
            alert["budget_id"],
            alert["alert_type"],
            status,
            http_status,
            error,
            json.dumps(document, sort_keys=True),
            host,
            datetime.now(UTC).replace(tzinfo=None),
            run_id,
        ],
    )


def deliver_alerts(
    con: duckdb.DuckDBPyConnection,
    url: str | None,
    *,
    timeout: float,
    run_id: str | None,
    log: Callable[[str], None],
    warn: Callable[[str], None],
) -> DeliveryReport:
    """Send every alert not yet sent whose period closed green; never raises for a webhook failure."""
    ensure_delivery_log(con)
    report = DeliveryReport(configured=bool(url))
    green: dict[date, bool] = {}
    ready: list[dict[str, Any]] = []
    for alert in pending_alerts(con):
        period = alert["billing_period_start"]
        if period not in green:
            green[period] = not failing_gates(con, period)
        if green[period]:
            ready.append(alert)
        else:
            report.held_back += 1
    report.pending = len(ready)
    if not url:
        (warn if report.pending else log)(report.summary())
        return report
    host = urlsplit(url).netloc.rsplit("@", 1)[-1]  # never the path or credentials: they may be secret
    for alert in ready:
        document = alert_payload(alert)
        record = partial(_record, con, alert, document, host=host, run_id=run_id)

        try:
            http_status = post_json(url, document, timeout=timeout, idempotency_key=alert["alert_id"])
        except urllib.error.HTTPError as error:
            report.failed.append(alert["alert_id"])
            record(status="failed", http_status=error.code, error=f"HTTP {error.code}")
            warn(f"budget alert {alert['alert_id']}: webhook {host} answered HTTP {error.code}; retried next close")
            continue
        except WebhookUnreachable as error:
            report.failed.append(alert["alert_id"])
            record(status="failed", http_status=None, error=str(error))
            left = len(ready) - len(report.sent) - len(report.failed)
            report.stopped = f"webhook {host} unreachable ({error}); {left} more alert(s) left for the next close"
            warn(f"budget alert {alert['alert_id']}: {report.stopped}")
            break
        report.sent.append(alert["alert_id"])
        record(status="sent", http_status=http_status, error=None)
    (warn if report.failed else log)(report.summary())
    return report
