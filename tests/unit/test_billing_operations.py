"""Billing operations on an issued September: a dispute walked from intake to a dual-approved credit note, the
maker-checker refusals (each leaving no record), the hash-chained audit trail and what the close snapshots."""

from __future__ import annotations

import hashlib
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import facturx
import pytest

from orchestration.adjustments import workflow as adjustments
from orchestration.adjustments.notes import note_document
from orchestration.disputes import workflow as disputes
from orchestration.disputes.workflow import ChargebackLineTarget, InvoiceLineTarget
from orchestration.documents.invoices.cii import render_cii_xml
from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.invoicing.finalize import finalize_period
from orchestration.invoicing.register import register_issued_documents
from orchestration.ops.audit_trail import verify_trail
from orchestration.ops.errors import OpsError
from orchestration.ops.issued_register import issued_document
from orchestration.ops.people import Directory, load_directory
from orchestration.ops.policies import OperationsPolicy, load_policy
from orchestration.ops.snapshot import snapshot_ops_store
from orchestration.settings import SEEDS_DIR
from tests.unit.invoice_drafts import SEPTEMBER, add_drafts, draft, record_green_gates

# The Wednesday before Thanksgiving (a holiday in seeds/business_holidays.csv).
OPENED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
RSM = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"
RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"


def at(day: int, hour: int = 12, month: int = 11) -> disputes.Clock:
    return lambda: datetime(2026, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Books:
    store: Path
    output: Path
    warehouse: duckdb.DuckDBPyConnection
    people: Directory
    policy: OperationsPolicy

    def counts(self) -> dict[str, int]:
        tables = (
            "disputes",
            "dispute_events",
            "adjustments",
            "adjustment_decisions",
            "adjustment_notes",
            "audit_events",
        )
        with sqlite3.connect(self.store) as con:
            return {table: con.execute(f"select count(*) from {table}").fetchone()[0] for table in tables}


@pytest.fixture
def books(tmp_path: Path) -> Iterator[Books]:
    """September issued by the close: GLOBEX 1,633.13 USD (two lines), INITECH 238.00 EUR; registered in the store."""
    con = duckdb.connect()
    ensure_warehouse(con)
    add_drafts(
        con,
        [
            draft("GLOBEX", "LE-US", "USD", [("1200.00", "106.50"), ("300.00", "26.63")]),
            draft("INITECH", "LE-DE", "EUR", [("200.00", "38.00")]),
        ],
    )
    con.execute(
        "create table marts.fct_cost_allocations as select date '2026-09-01' as billing_period_start, "
        "'CC-9100' as cost_center_id, 'USD' as billing_currency, 1.0::decimal(38,10) as allocated_effective_cost, "
        "1.0::decimal(38,10) as allocated_billed_cost"
    )
    record_green_gates(con)
    finalize_period(con, SEPTEMBER, issued_by="mia", issued_at=datetime(2026, 10, 2, 9, 30))
    store = tmp_path / "ops" / "ops.sqlite"
    assert register_issued_documents(con, store) == 2
    assert register_issued_documents(con, store) == 0  # idempotent: the next close adds nothing
    yield Books(store, tmp_path / "output", con, load_directory(SEEDS_DIR), load_policy(SEEDS_DIR))
    con.close()


def _open_upheld_dispute(books: Books) -> str:
    opened = disputes.open_dispute(
        books.store,
        books.people,
        books.policy,
        SEEDS_DIR,
        actor="cleo",
        target=InvoiceLineTarget("EBTS-INV-2026-000001", 1),
        description="Compute hours billed twice for the week of 14 September",
        disputed_amount=Decimal("1100.00"),
        clock=lambda: OPENED,
    )
    dispute_id = opened.dispute_id
    disputes.acknowledge(books.store, books.people, actor="ana", dispute_id=dispute_id, clock=at(27, 9))
    disputes.assign(books.store, books.people, actor="ana", dispute_id=dispute_id, owner="omar", clock=at(27, 10))
    disputes.comment(
        books.store,
        books.people,
        actor="omar",
        dispute_id=dispute_id,
        text="Duplicate meter export found",
        clock=at(30),
    )
    disputes.resolve(
        books.store,
        books.people,
        actor="omar",
        dispute_id=dispute_id,
        root_cause="duplicate_charge",
        outcome="upheld",
        resolution="1,100.00 USD of compute billed twice; credit it",
        clock=at(1, 9, month=12),
    )
    return dispute_id


def test_a_dispute_walks_from_intake_to_a_dual_approved_credit_note(books: Books) -> None:
    dispute_id = _open_upheld_dispute(books)
    state = disputes.get_dispute(books.store, books.people, actor="ana", dispute_id=dispute_id)
    assert (dispute_id, state.status, state.owner) == ("DSP-000001", "resolved", "omar")
    # Deadlines in business days: Thanksgiving (26 Nov) and the weekend do not count.
    assert [state.record[f"{s}_due_at"] for s in ("acknowledge", "investigate", "resolve")] == [
        "2026-11-27T10:00:00.000000+00:00",
        "2026-12-01T10:00:00.000000+00:00",
        "2026-12-10T10:00:00.000000+00:00",
    ]
    assert state.breached_stages("2026-12-01T12:00:00.000000+00:00") == []

    # 1,100.00 net at the line's 8.875 % is 97.625 tax, half up 97.63: 1,197.63 > 1,000 USD, two approvers.
    proposal = adjustments.propose(
        books.store,
        books.people,
        books.policy,
        actor="omar",
        kind="credit_note",
        invoice_number="EBTS-INV-2026-000001",
        line_number=1,
        net_amount=Decimal("1100.00"),
        description="Credit: compute hours billed twice (14-20 Sep)",
        reason=f"{dispute_id} upheld: duplicate meter export",
        dispute_id=dispute_id,
        clock=at(1, 10, month=12),
    )
    assert (proposal.adjustment_id, proposal.record["gross_amount"], proposal.record["required_approvals"]) == (
        "ADJ-000001",
        "1197.63",
        2,
    )
    first = adjustments.approve(
        books.store,
        books.people,
        books.policy,
        books.output,
        actor="mia",
        adjustment_id="ADJ-000001",
        clock=at(1, 11, month=12),
    )
    assert (first.note, first.state.status) == (None, "partially_approved")
    second = adjustments.approve(
        books.store,
        books.people,
        books.policy,
        books.output,
        actor="fiona",
        adjustment_id="ADJ-000001",
        clock=at(2, 9, month=12),
    )
    note = second.note
    assert note is not None
    assert (note.document_number, note.total, second.state.status) == (
        "EBTS-ACN-2026-000001",
        Decimal("-1197.63"),
        "issued",
    )
    # The note's documents: GLOBEX takes PDF; the audit package holds the proposal, the approvals and the dispute.
    files = {kind: Path(path) for kind, path, _ in note.files}
    assert set(files) >= {"pdf", "audit_package"}
    assert files["pdf"].parent == books.output / "2026-09"
    assert files["pdf"].read_bytes().startswith(b"%PDF")
    with zipfile.ZipFile(files["audit_package"]) as package:
        names = package.namelist()
    assert sum(name.endswith(("approvals.csv", "dispute.csv", "dispute_events.csv")) for name in names) == 3
    # The e-invoice of the note: an EN 16931 credit note (381) referencing the invoice, XSD-valid.
    with sqlite3.connect(books.store) as con:
        invoice = issued_document(con, "EBTS-INV-2026-000001")
        record = dict(
            zip(
                ("adjustment_id", "kind", "line_number", "net_amount", "tax_amount", "description", "reason"),
                con.execute(
                    "select adjustment_id, kind, line_number, net_amount, tax_amount, description, "
                    "reason from adjustments"
                ).fetchone(),
                strict=True,
            )
        )
    assert invoice is not None
    xml = render_cii_xml(note_document(record, invoice, note.document_number, date(2026, 12, 2), 2))
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    root = ET.fromstring(xml)
    assert root.find(f".//{RSM}ExchangedDocument/{RAM}TypeCode").text == "381"  # type: ignore[union-attr]
    referenced = root.find(f".//{RAM}InvoiceReferencedDocument/{RAM}IssuerAssignedID")
    assert referenced is not None and referenced.text == "EBTS-INV-2026-000001"
    grand_total = root.find(f".//{RAM}GrandTotalAmount")
    assert grand_total is not None and grand_total.text == "1197.63"  # a credit note states its amounts positive
    recorded = {
        row[0]: row[1]
        for row in sqlite3.connect(books.store).execute("select file_name, sha256 from adjustment_note_documents")
    }
    assert recorded == {Path(path).name: sha for _, path, sha in note.files}
    assert recorded[files["pdf"].name] == hashlib.sha256(files["pdf"].read_bytes()).hexdigest()

    # Every step is in the audit trail, in order, and the trail verifies.
    with sqlite3.connect(books.store) as con:
        actions = [row[0] for row in con.execute("select action from audit_events order by event_id")]
    assert actions == [
        "invoice.finalized",
        "invoice.finalized",
        "dispute.opened",
        "dispute.acknowledged",
        "dispute.assigned",
        "dispute.commented",
        "dispute.resolved",
        "adjustment.proposed",
        "adjustment.approved",
        "adjustment.approved",
        "credit_note.issued",
    ]
    assert verify_trail(books.store).intact

    # The next close sees the note and its approvals: the receivable of the invoice drops by 1,197.63.
    report = snapshot_ops_store(books.store, books.warehouse)
    assert report.operations_rows["raw.ops_adjustment_notes"] == 1
    assert books.warehouse.execute(
        "select document_number, original_invoice_number, total, tax_amount from raw.ops_adjustment_notes"
    ).fetchall() == [("EBTS-ACN-2026-000001", "EBTS-INV-2026-000001", Decimal("-1197.63"), Decimal("-97.63"))]
    assert books.warehouse.execute("select audit_event_count from raw.ops_snapshot").fetchone() == (11,)


def _propose(books: Books, actor: str, line: int, net: str, dispute_id: str | None = None) -> str:
    return adjustments.propose(
        books.store,
        books.people,
        books.policy,
        actor=actor,
        kind="credit_note",
        invoice_number="EBTS-INV-2026-000001",
        line_number=line,
        net_amount=Decimal(net),
        description="Credit",
        reason="upheld dispute",
        dispute_id=dispute_id,
    ).adjustment_id


def test_maker_checker_refusals_leave_no_record(books: Books) -> None:
    dispute_id = _open_upheld_dispute(books)
    adjustment = _propose(books, "mia", 1, "1100.00", dispute_id)  # a manager may propose, and then not approve

    def refused(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
        before = books.counts()
        with pytest.raises(OpsError) as error:
            call(*args, **kwargs)
        assert books.counts() == before, "a refused action left a record"
        return str(error.value)

    def approve(actor: str) -> adjustments.Decision:
        return adjustments.approve(
            books.store, books.people, books.policy, books.output, actor=actor, adjustment_id=adjustment
        )

    assert refused(approve, "mia") == (
        "mia proposed ADJ-000001 and cannot approve it too: the checker must be someone other than the maker"
    )
    assert refused(approve, "ana") == (
        "ana (billing_analyst) may not approve or reject an adjustment; that takes the role billing_manager, "
        "finance_controller"
    )
    assert refused(_propose, books, "dora", 1, "10.00") == (
        "dora (department_viewer) may not propose an adjustment; that takes the role billing_analyst, billing_manager"
    )
    assert approve("max").note is None  # 1,197.63 USD is above the 1,000 USD threshold: a second approver
    assert refused(approve, "max") == (
        "max has already approved ADJ-000001; its second approval must come from another approver"
    )
    # 1,633.13 USD invoiced, 1,197.63 pending: 401.00 + 35.59 tax would credit more than the 435.50 left.
    assert refused(_propose, books, "ana", 1, "401.00") == (
        "a credit of 436.59 USD (net 401.00 + tax 35.59) is above what is left to credit on EBTS-INV-2026-000001: "
        "435.50 of its 1633.13 USD (credits issued and pending count); nothing was proposed"
    )
    assert refused(_propose, books, "ana", 2, "300.01") == (
        "a credit of 300.01 USD is above line 2 of EBTS-INV-2026-000001 (300.00 USD net); credit at most the line"
    )
    assert _propose(books, "ana", 1, "400.00") == "ADJ-000002"  # exactly what is left (435.50 with tax) is fine
    with sqlite3.connect(books.store) as con:
        assert con.execute("select count(*) from adjustment_notes").fetchone() == (0,)


def test_viewers_act_only_within_their_scope(books: Books) -> None:
    with pytest.raises(OpsError) as error:
        disputes.open_dispute(
            books.store,
            books.people,
            books.policy,
            SEEDS_DIR,
            actor="cleo",
            target=InvoiceLineTarget("EBTG-INV-2026-000001", 1),
            description="not ours",
        )
    assert (
        str(error.value)
        == "cleo (client_viewer) sees only GLOBEX's records; invoice EBTG-INV-2026-000001 is not one of them"
    )
    with pytest.raises(OpsError, match="dora \\(department_viewer\\) sees only D-ITOPS's records"):
        disputes.open_dispute(
            books.store,
            books.people,
            books.policy,
            SEEDS_DIR,
            actor="dora",
            target=ChargebackLineTarget(SEPTEMBER, "D-FIN", "IT-COMPUTE"),
            description="not ours",
        )
    opened = disputes.open_dispute(
        books.store,
        books.people,
        books.policy,
        SEEDS_DIR,
        actor="dora",
        target=ChargebackLineTarget(SEPTEMBER, "D-ITOPS", "IT-COMPUTE"),
        description="storage counted as compute",
    )
    assert opened.dispute_id == "DSP-000001"
    assert [s.dispute_id for s in disputes.list_disputes(books.store, books.people, actor="cleo")] == []
    assert [s.dispute_id for s in disputes.list_disputes(books.store, books.people, actor="ana")] == ["DSP-000001"]
    with pytest.raises(OpsError, match="is not in the billing operations team"):
        disputes.assign(books.store, books.people, actor="ana", dispute_id="DSP-000001", owner="fiona")


def test_tampering_with_the_audit_trail_is_detected(books: Books) -> None:
    _open_upheld_dispute(books)
    assert verify_trail(books.store).intact
    with sqlite3.connect(books.store) as con:
        # Somebody with the database file bypasses billing: drops the guard and rewrites history.
        con.execute("drop trigger audit_events_no_update")
        con.execute("update audit_events set actor = 'mallory' where action = 'dispute.resolved'")
    problems = verify_trail(books.store).problems
    assert problems == [
        "audit event 7 (dispute.resolved dispute_event 4 by mallory) was altered after it was recorded: its content "
        "no longer matches its sha256"
    ]
    with sqlite3.connect(books.store) as con:
        con.execute("update audit_events set actor = 'omar' where action = 'dispute.resolved'")
        con.execute("drop trigger disputes_no_update")
        con.execute("update disputes set disputed_amount = '11.00'")
        con.execute("drop trigger audit_events_no_delete")
        con.execute("delete from audit_events where event_id = (select max(event_id) from audit_events)")
    assert verify_trail(books.store).problems == [
        "audit events 7..7 were recorded and are gone: the end of the trail was deleted",
        "disputes DSP-000001 differs from what its audit event recorded: it was edited",
        "dispute_events 4 has no audit event: it was added outside billing",
    ]


def _billing(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from orchestration.cli import main

    monkeypatch.setattr("sys.argv", ["billing", *args])
    code = 0
    try:
        main()
    except SystemExit as done:
        code = int(done.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_commands_refuse_in_one_line_and_verify_reports_tampering(
    books: Books, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BILLING_DATA_DIR", str(books.store.parent.parent))
    monkeypatch.setenv("BILLING_OPS_STORE_PATH", str(books.store))
    monkeypatch.setenv("BILLING_USER", "ana")
    assert _billing(
        monkeypatch,
        capsys,
        "disputes",
        "open",
        "--invoice",
        "EBTS-INV-2099-000001",
        "--line",
        "1",
        "--description",
        "typo in the number",
    ) == (
        1,
        "",
        "error: EBTS-INV-2099-000001 is not an issued invoice or note (the register is updated by every close); "
        "check the number with `billing invoices list`\n",
    )
    code, out, _ = _billing(
        monkeypatch,
        capsys,
        "disputes",
        "open",
        "--invoice",
        "EBTS-INV-2026-000001",
        "--line",
        "2",
        "--description",
        "storage billed as compute",
    )
    assert code == 0 and out.startswith("opened DSP-000001 on EBTS-INV-2026-000001 line 2 as ana; acknowledge by ")
    assert _billing(monkeypatch, capsys, "audit", "verify")[0] == 0
    with sqlite3.connect(books.store) as con:
        con.execute("drop trigger audit_events_no_delete")
        con.execute("delete from audit_events where action = 'invoice.finalized' and entity_id like 'EBTG%'")
    code, out, err = _billing(monkeypatch, capsys, "audit", "verify")
    assert code == 1
    assert out.splitlines() == [
        "TAMPERED: audit event(s) 1..1 are missing: history was deleted before event 2",
        "TAMPERED: audit event 2 does not follow the event before it (chain broken: an event was deleted, inserted "
        "or edited)",
    ]
    assert err.startswith("error: the audit trail in ") and "was tampered with (2 problem(s) above)" in err


def test_a_store_from_before_the_audit_trail_enters_it_on_upgrade(tmp_path: Path) -> None:
    from orchestration.ops.store import MIGRATIONS

    store = tmp_path / "ops.sqlite"
    with sqlite3.connect(store) as con:  # a schema version 1 store with one approval, as the last release left it
        con.execute("create table schema_version (version integer primary key, applied_at text not null)")
        for statement in MIGRATIONS[1]:
            con.execute(statement)
        con.execute("insert into schema_version values (1, '2026-11-01T00:00:00+00:00')")
        con.execute(
            "insert into rate_card_events (rate_card_version, action, actor, acted_at, content_sha256) "
            "values ('RC-FY2026.1', 'approved', 'alice', '2026-11-02T09:00:00+00:00', 'abc')"
        )
    people = load_directory(SEEDS_DIR)
    with pytest.raises(OpsError):  # any action migrates the store first; this one is refused after that
        disputes.acknowledge(store, people, actor="ana", dispute_id="DSP-000404")
    result = verify_trail(store)
    assert (result.intact, result.events) == (True, 0)  # the refused action rolled the migration back too
    disputes.open_dispute(
        store,
        people,
        load_policy(SEEDS_DIR),
        SEEDS_DIR,
        actor="dora",
        target=ChargebackLineTarget(SEPTEMBER, "D-ITOPS", "IT-COMPUTE"),
        description="after the upgrade",
    )
    with sqlite3.connect(store) as con:
        assert con.execute("select action, actor, occurred_at from audit_events order by event_id").fetchall()[0] == (
            "rate_card.approved",
            "alice",
            "2026-11-02T09:00:00+00:00",
        )
        assert [row[0] for row in con.execute("select action from audit_events order by event_id")] == [
            "rate_card.approved",
            "dispute.opened",
        ]
    assert verify_trail(store).intact


def test_each_breached_sla_stage_is_alerted_once(books: Books) -> None:
    opened = disputes.open_dispute(
        books.store,
        books.people,
        books.policy,
        SEEDS_DIR,
        actor="ana",
        target=InvoiceLineTarget("EBTG-INV-2026-000001", 1),
        description="Reverse charge wording missing",
        clock=lambda: OPENED,
    )
    disputes.acknowledge(books.store, books.people, actor="ana", dispute_id=opened.dispute_id, clock=at(26))
    # Acknowledged in time (26 Nov, before the 27th); nobody assigned by 1 Dec 10:00: only the investigation is late.
    first = disputes.record_breach_alerts(books.store, books.people, actor="ana", clock=at(2, 9, month=12))
    assert [(state.dispute_id, stage) for state, stage in first] == [("DSP-000001", "investigate")]
    assert disputes.record_breach_alerts(books.store, books.people, actor="ana", clock=at(3, 9, month=12)) == []
    late = disputes.record_breach_alerts(books.store, books.people, actor="ana", clock=at(11, 9, month=12))
    assert [stage for _, stage in late] == ["resolve"]
    state = disputes.get_dispute(books.store, books.people, actor="ana", dispute_id="DSP-000001")
    assert state.breached_stages("2026-12-11T09:00:00.000000+00:00") == ["investigate", "resolve"]
    assert state.status == "acknowledged"  # an alert is a record, not a state change
