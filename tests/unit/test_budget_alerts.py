"""Budget alert delivery against a local webhook: payload, once-only, failures retried, nothing without a URL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.budgets.delivery import deliver_alerts
from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.invoicing.finalize import REQUIRED_SUITES
from tests.webhook import recording_webhook

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)

ALERTS = [
    # alert_id, budget_id, scope, cost_center, project, period, type, percent, severity, amount, threshold, spend, pct
    ("B-CC:2026-10-01:threshold:80", "B-CC", "cost_center", "CC-1", None, OCTOBER, "threshold", "80", "warning",
     "1000", "800", "812.3456789012", "81.2345", "EUR"),
    ("B-P:2026-10-01:cap:120", "B-P", "project", "CC-2", "p-one", OCTOBER, "cap", "120", "critical",
     "100", "120", "130", "130.0000", None),
    ("B-ZERO:2026-10-01:threshold:100", "B-ZERO", "cost_center", "UNALLOCATED", None, OCTOBER, "threshold", "100",
     "critical", "0", "0", "5.5", None, None),
    ("B-CC:2026-11-01:threshold:80", "B-CC", "cost_center", "CC-1", None, NOVEMBER, "threshold", "80", "warning",
     "1000", "800", "900", "90.0000", None),
]  # fmt: skip


@pytest.fixture
def warehouse(tmp_path: Path):  # type: ignore[no-untyped-def]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_warehouse(con)
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.fct_budget_alerts (
            alert_id varchar, budget_id varchar, budget_name varchar, budget_scope varchar, cost_center_id varchar,
            project_id varchar, owner_email varchar, billing_period_start date, alert_type varchar,
            threshold_percent decimal(38,10), severity varchar, currency varchar, budget_amount decimal(38,10),
            threshold_amount decimal(38,10), spend decimal(38,10), percent_consumed decimal(38,4),
            throttle_requested boolean, currency_check varchar, other_currencies varchar
        )
        """
    )
    for alert_id, budget, scope, center, project, period, kind, pct, severity, amount, at, spend, used, other in ALERTS:
        con.execute(
            "insert into marts.fct_budget_alerts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?, ?, ?, ?, ?, ?, ?)",
            [alert_id, budget, f"{budget} name", scope, center, project, "owner@bank.example", period, kind,
             Decimal(pct), severity, Decimal(amount), Decimal(at), Decimal(spend),
             Decimal(used) if used else None, kind == "cap", "spend_in_other_currency" if other else "ok", other],
        )  # fmt: skip
    # October closed green; November's gates never ran, so its alert waits.
    for suite in REQUIRED_SUITES:
        con.execute(
            "insert into audit.gate_results values (?, ?, 'expect_x', true, 0, null, 'run', now()::timestamp)",
            [OCTOBER, suite],
        )
    yield con
    con.close()


def _deliver(con, url):  # type: ignore[no-untyped-def]
    lines: list[str] = []
    report = deliver_alerts(con, url, timeout=5, run_id="run-1", log=lines.append, warn=lines.append)
    return report, lines


def test_without_a_webhook_nothing_is_sent_and_the_log_says_so(warehouse) -> None:  # type: ignore[no-untyped-def]
    report, lines = _deliver(warehouse, None)
    assert not report.configured and report.pending == 3 and report.held_back == 1
    assert lines == [
        "budget alerts: 3 new alert(s) not sent: no webhook configured (set BILLING_BUDGET_WEBHOOK_URL); "
        "1 held back (their month has not closed green)"
    ]
    assert warehouse.execute("select count(*) from audit.budget_alert_deliveries").fetchone() == (0,)


def test_each_alert_is_posted_once_and_a_failure_is_retried_next_time(warehouse) -> None:  # type: ignore[no-untyped-def]
    with recording_webhook() as hook:
        hook.fail_next = [503]  # the first alert is refused once
        first, lines = _deliver(warehouse, hook.url)
        assert first.failed == ["B-CC:2026-10-01:threshold:80"]
        assert first.sent == ["B-P:2026-10-01:cap:120", "B-ZERO:2026-10-01:threshold:100"]
        assert "webhook 127.0.0.1" in lines[0] and "HTTP 503" in lines[0] and "secret" not in " ".join(lines)
        second, _ = _deliver(warehouse, hook.url)
        assert second.sent == ["B-CC:2026-10-01:threshold:80"] and not second.failed
        third, _ = _deliver(warehouse, hook.url)
        assert third.pending == 0 and not third.sent
    assert [r.answered for r in hook.received] == [503, 200, 200, 200]
    assert sorted(body["alert_id"] for body in hook.accepted) == sorted(a[0] for a in ALERTS if a[5] == OCTOBER)
    assert hook.received[0].path == "/hooks/billing?token=secret"
    assert hook.received[0].headers["Content-Type"] == "application/json"
    assert hook.received[0].headers["Idempotency-Key"] == "B-CC:2026-10-01:threshold:80"
    log = warehouse.execute(
        "select alert_id, status, http_status, webhook_host from audit.budget_alert_deliveries order by attempted_at"
    ).fetchall()
    host = hook.url.split("/")[2]
    assert log == [
        ("B-CC:2026-10-01:threshold:80", "failed", 503, host),
        ("B-P:2026-10-01:cap:120", "sent", 200, host),
        ("B-ZERO:2026-10-01:threshold:100", "sent", 200, host),
        ("B-CC:2026-10-01:threshold:80", "sent", 200, host),
    ]


def test_payload_is_exact_json_with_decimal_text(warehouse) -> None:  # type: ignore[no-untyped-def]
    with recording_webhook() as hook:
        _deliver(warehouse, hook.url)
    bodies = {body["alert_id"]: body for body in hook.accepted}
    assert bodies["B-CC:2026-10-01:threshold:80"] == {
        "payload_version": 1,
        "event": "budget.threshold_crossed",
        "alert_id": "B-CC:2026-10-01:threshold:80",
        "billing_period": "2026-10",
        "billing_period_start": "2026-10-01",
        "budget_id": "B-CC",
        "budget_name": "B-CC name",
        "scope": "cost_center",
        "cost_center_id": "CC-1",
        "project_id": None,
        "owner_email": "owner@bank.example",
        "alert_type": "threshold",
        "threshold_percent": "80",
        "severity": "warning",
        "currency": "USD",
        "budget_amount": "1000",
        "threshold_amount": "800",
        "spend": "812.3456789012",
        "percent_consumed": "81.2345",
        "throttle_requested": False,
        "currency_check": "spend_in_other_currency",
        "other_currencies": ["EUR"],
        "summary": "B-CC 2026-10: spend USD 812.3456789012 is 81.2345% of USD 1000 budget; threshold 80% reached; "
        "spend in EUR not counted (never converted)",
    }
    cap = bodies["B-P:2026-10-01:cap:120"]
    assert (cap["event"], cap["throttle_requested"], cap["project_id"]) == ("budget.cap_reached", True, "p-one")
    zero = bodies["B-ZERO:2026-10-01:threshold:100"]
    assert zero["percent_consumed"] is None and zero["budget_amount"] == "0"
    assert zero["summary"].startswith("B-ZERO 2026-10: spend USD 5.5 is against a zero USD 0 budget")


def test_an_unreachable_webhook_never_raises_and_keeps_every_alert_for_next_time(warehouse) -> None:  # type: ignore[no-untyped-def]
    with recording_webhook() as hook:
        url = hook.url  # the server is shut down on leaving: the port refuses connections
    report, lines = _deliver(warehouse, url)
    assert report.sent == [] and len(report.failed) == 1 and "unreachable" in (report.stopped or "")
    assert "2 more alert(s) left for the next close" in lines[-1]
    sent = warehouse.execute("select count(*) from audit.budget_alert_deliveries where status = 'sent'").fetchone()
    assert sent == (0,)
