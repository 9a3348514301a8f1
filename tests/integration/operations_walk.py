"""Billing operations recorded on a copy of the closed demo before it closes September again
(tests/integration/conftest.py `restated_demo`): a dispute of October's largest GLOBEX line, resolved as upheld,
an approved credit note, and a bank statement paying the rest of the invoice; then the close runs in its own
process while a dispute is recorded."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.adjustments import workflow as adjustments
from orchestration.adjustments.notes import IssuedNote
from orchestration.disputes import workflow as disputes
from orchestration.disputes.workflow import InvoiceLineTarget
from orchestration.ops.audit_trail import Clock
from orchestration.ops.people import load_directory
from orchestration.ops.policies import load_policy
from orchestration.receivables.payments import import_payments
from orchestration.settings import Settings

OCTOBER = date(2026, 10, 1)


def at(day: int, hour: int = 10) -> Clock:
    return lambda: datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@dataclass(frozen=True)
class OperationsRecorded:
    invoice_number: str
    invoice_total: Decimal
    line_number: int
    dispute_id: str
    adjustment_id: str
    required_approvals: int
    gross: Decimal
    note: IssuedNote
    payment: Decimal
    bank_reference: str


def record_operations(settings: Settings) -> OperationsRecorded:
    store, seeds = settings.ops_store_path, settings.seeds_dir
    people, policy = load_directory(seeds), load_policy(seeds)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        number, total, line_number, line_amount = con.execute(
            """
            select i.invoice_number, i.total, l.line_number, l.amount
            from audit.issued_invoices as i join audit.issued_invoice_lines as l using (invoice_id)
            where i.client_id = 'GLOBEX' and i.billing_period_start = ? and i.document_type = 'invoice'
            order by l.amount desc, l.line_number limit 1
            """,
            [OCTOBER],
        ).fetchone()
    net = (line_amount / 2).quantize(Decimal("0.01"))
    # The close registered October's documents in the operational store: intake checks the number there.
    dispute = disputes.open_dispute(
        store,
        people,
        policy,
        seeds,
        actor="cleo",
        target=InvoiceLineTarget(number, line_number),
        description="Half of these hours are a duplicate meter export",
        disputed_amount=net,
        clock=at(2),
    ).dispute_id
    disputes.acknowledge(store, people, actor="ana", dispute_id=dispute, clock=at(2, 15))
    disputes.assign(store, people, actor="ana", dispute_id=dispute, owner="omar", clock=at(3))
    disputes.resolve(
        store,
        people,
        actor="omar",
        dispute_id=dispute,
        root_cause="duplicate_charge",
        outcome="upheld",
        resolution="duplicate export confirmed",
        clock=at(13),
    )
    proposal = adjustments.propose(
        store,
        people,
        policy,
        actor="omar",
        kind="credit_note",
        invoice_number=number,
        line_number=line_number,
        net_amount=net,
        description="Credit: duplicate meter export",
        reason=f"{dispute} upheld",
        dispute_id=dispute,
        clock=at(16),
    )
    decision = adjustments.approve(
        store, people, policy, settings.output_dir, actor="mia", adjustment_id=proposal.adjustment_id, clock=at(16, 11)
    )
    if decision.note is None:  # above the materiality threshold: a second, different approver
        decision = adjustments.approve(
            store,
            people,
            policy,
            settings.output_dir,
            actor="fiona",
            adjustment_id=proposal.adjustment_id,
            clock=at(16, 12),
        )
    assert decision.note is not None
    gross = Decimal(str(proposal.record["gross_amount"]))
    # GLOBEX pays the rest of the invoice on 20 November, quoting its number.
    statement = settings.data_dir / "bank" / "2026-11-20.csv"
    statement.parent.mkdir(parents=True, exist_ok=True)
    statement.write_text(
        "booking_date,value_date,amount,currency,payer_name,payer_account,remittance_information,bank_reference\n"
        f"2026-11-20,2026-11-20,{total - gross},USD,Globex Corporation,,Invoice {number},BNK-20261120-0001\n",
        encoding="utf-8",
    )
    paid = import_payments(store, people, actor="ana", path=statement)
    assert paid.imported == 1
    return OperationsRecorded(
        invoice_number=number,
        invoice_total=total,
        line_number=line_number,
        dispute_id=dispute,
        adjustment_id=proposal.adjustment_id,
        required_approvals=int(str(proposal.record["required_approvals"])),
        gross=gross,
        note=decision.note,
        payment=total - gross,
        bank_reference="BNK-20261120-0001",
    )


def _locked(warehouse: Path) -> bool:
    """Whether a process holds DuckDB's write lock on the file, read from /proc/locks: opening the warehouse to
    find out would take a lock itself, and the close would fail to get its own."""
    try:
        inode = warehouse.stat().st_ino
    except FileNotFoundError:
        return False
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        ids = [field for field in fields if field.count(":") == 2]
        if "WRITE" in fields and ids and ids[0].rsplit(":", 1)[-1] == str(inode):
            return True
    return False


@dataclass(frozen=True)
class CloseWithDispute:
    returncode: int
    output: str
    dispute_recorded_while_locked: str | None


def close_while_recording_a_dispute(settings: Settings, period: date, target: InvoiceLineTarget) -> CloseWithDispute:
    """`billing close` in its own process; while it holds the warehouse, a dispute is recorded (no lock error)."""
    store, seeds = settings.ops_store_path, settings.seeds_dir
    people, policy = load_directory(seeds), load_policy(seeds)
    close = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "close", "--period", f"{period:%Y-%m}", "--as", "mia"],
        env={**os.environ, "BILLING_DATA_DIR": str(settings.data_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    recorded = None
    deadline = time.monotonic() + 1200
    while close.poll() is None and recorded is None and time.monotonic() < deadline:
        if _locked(settings.warehouse_path):
            during = disputes.open_dispute(
                store, people, policy, seeds, actor="ana", target=target, description="Recorded while the month closes"
            )
            if _locked(settings.warehouse_path):  # else the close let go of it meanwhile: record another
                recorded = during.dispute_id
        time.sleep(0.05)
    output, _ = close.communicate(timeout=1200)
    return CloseWithDispute(close.returncode, output, recorded)
