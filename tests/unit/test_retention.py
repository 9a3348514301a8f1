"""`billing retention apply|holds` on a small warehouse: dry run = apply's plan, archives that prove themselves,
legal holds, issued invoices left alone, idempotence, refusals, and an audit trail that stays intact."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.ops.audit_trail import verify_trail
from orchestration.ops.errors import OpsError
from orchestration.retention.guard import refuse_archived_close
from orchestration.retention.policy import load_versions, policy_in_force
from orchestration.settings import SEEDS_DIR
from tests.billing_cli import Billing, in_process_billing

AS_OF = "2026-11-01"  # raw usage of 2025-09 (ends 2025-10-01) left its 13 online months this morning
# (table, period, source rows as (cost, file, row))
RAW: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("onprem", "2025-08-01"): [("10.50", "1"), ("0.25", "2")],
    ("onprem", "2025-09-01"): [("7.125", "1"), ("1E-2", "2"), ("3", "3")],
    ("onprem", "2025-10-01"): [("99.99", "1")],
    ("aws_cur", "2025-09-01"): [("12.3456789", "1"), ("-2.3456789", "2")],
}
MONEY_COLUMN = {"onprem": "cost", "aws_cur": "line_item_unblended_cost"}
ISSUED_COUNT = 1


def _issued_invoice(con: duckdb.DuckDBPyConnection, period: str) -> None:
    """One issued invoice of the period, every not-null column filled (retention must never touch it)."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'audit' and table_name = 'issued_invoices' order by ordinal_position"
    ).fetchall()
    values: list[object] = []
    for name, kind in columns:
        if name == "billing_period_start" or kind == "DATE":
            values.append(date.fromisoformat(period))
        elif kind.startswith("DECIMAL"):
            values.append("100.00")
        elif kind in ("INTEGER", "BIGINT"):
            values.append(1)
        elif kind.startswith("TIMESTAMP"):
            values.append(datetime(2025, 10, 3, 9, 0))
        else:
            values.append(f"{name}-1")
    con.execute(f"insert into audit.issued_invoices values ({', '.join('?' for _ in values)})", values)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    warehouse = tmp_path / "warehouse" / "billing.duckdb"
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as con:
        ensure_warehouse(con)
        for (table, period), rows in RAW.items():
            for cost, row in rows:
                con.execute(
                    f"insert into raw.{table} (_source_file, _source_row, _file_sha256, _billing_period_start, "
                    f"_billing_account_id, {MONEY_COLUMN[table]}) values (?, ?, 'abc', ?, 'ACC-1', ?)",
                    [f"{table}/{period[:7]}.csv", row, period, cost],
                )
            con.execute(
                "insert into audit.ingested_files (path, source, billing_period_start, sha256, bytes, row_count, "
                "status, loaded_at) values (?, ?, ?, 'abc', 10, ?, 'loaded', now())",
                [f"{table}/{period[:7]}.csv", table, period, len(rows)],
            )
        _issued_invoice(con, "2025-09-01")
    return tmp_path


@pytest.fixture
def billing(data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Billing:
    """Run the console script's entry point in-process: (exit status, stdout, stderr)."""
    monkeypatch.setenv("BILLING_DATA_DIR", str(data_dir))
    monkeypatch.delenv("BILLING_OPS_STORE_PATH", raising=False)
    monkeypatch.delenv("BILLING_SEEDS_DIR", raising=False)

    return in_process_billing(monkeypatch, capsys)


def _counts(data_dir: Path) -> dict[str, object]:
    with duckdb.connect(str(data_dir / "warehouse" / "billing.duckdb"), read_only=True) as con:
        raw = con.execute(
            "select 'onprem', _billing_period_start, count(*) from raw.onprem group by all "
            "union all select 'aws_cur', _billing_period_start, count(*) from raw.aws_cur group by all order by 1, 2"
        ).fetchall()
        issued = con.execute("select count(*) from audit.issued_invoices").fetchone()
        ingested = con.execute("select count(*), max(status) from audit.ingested_files").fetchone()
    return {"raw": raw, "issued": issued, "ingested": ingested}


def _plan(out: str) -> dict[tuple[str, str], tuple[int, str, str]]:
    """The plan's table: (table, period) -> (rows, action, why)."""
    found = {}
    for line in out.splitlines():
        if line.startswith("raw_usage "):
            _, table, period, rows, rest = line.split(maxsplit=4)
            action, why = rest.split("  ", 1)
            found[(table, period)] = (int(rows), action, why.strip())
    return found


def _planned(out: str) -> set[tuple[str, str, int]]:
    """(table, period, rows) of the plan's `would archive+purge` lines."""
    return {(table, period, rows) for (table, period), (rows, action, _) in _plan(out).items() if "archive" in action}


def _archived(out: str) -> set[tuple[str, str, int]]:
    """(table, period, rows) of apply's `archived raw.x YYYY-MM: N rows ...` lines."""
    found = set()
    for line in out.splitlines():
        if line.startswith("archived "):
            _, table, period, rows, *_ = line.split()
            found.add((table, period.rstrip(":"), int(rows)))
    return found


def test_dry_run_lists_exactly_what_apply_then_does_and_changes_nothing(billing: Billing, data_dir: Path) -> None:
    before = _counts(data_dir)
    code, out, err = billing("retention", "apply", "--dry-run", "--as-of", AS_OF, "--as", "fiona")
    assert (code, err) == (0, "")
    due = {("raw.onprem", "2025-08", 2), ("raw.onprem", "2025-09", 3), ("raw.aws_cur", "2025-09", 2)}
    assert _planned(out) == due
    assert _plan(out)[("raw.onprem", "2025-10")] == (1, "keep", "inside retention: online until 2026-12-01")
    assert _plan(out)[("raw.onprem", "2025-08")] == (
        2,
        "would archive+purge",
        "online time ended 2026-10-01: archive to Parquet, then purge",
    )
    assert "dry run: 3 slice(s), 7 row(s) would be archived; nothing changed" in out
    assert "issued_documents: 1 issued invoice(s) and note(s), periods 2025-09..2025-09: kept 120 months" in out
    assert _counts(data_dir) == before
    assert not (data_dir / "archive").exists()
    assert not (data_dir / "ops" / "ops.sqlite").exists()  # nothing recorded either

    code, out, err = billing("retention", "apply", "--as-of", AS_OF, "--as", "fiona")
    assert (code, err) == (0, "")
    assert _archived(out) == due
    assert "applied: 3 slice(s), 7 row(s) archived" in out


def test_apply_archives_with_a_checksum_and_purges_only_the_due_periods(billing: Billing, data_dir: Path) -> None:
    before = _counts(data_dir)
    assert billing("retention", "apply", "--as-of", AS_OF, "--as", "fiona")[0] == 0
    after = _counts(data_dir)
    # only 2025-10 stays online; issued invoices and the delivery history are untouched
    assert after["raw"] == [("onprem", "2025-10-01", 1)]
    assert (
        (after["issued"], after["ingested"])
        == (before["issued"], before["ingested"])
        == ((ISSUED_COUNT,), (4, "loaded"))
    )

    part = data_dir / "archive" / "raw_usage" / "onprem" / "billing_period_start=2025-09-01" / "part-0.parquet"
    digest = hashlib.sha256(part.read_bytes()).hexdigest()
    assert part.with_name("part-0.parquet.sha256").read_text() == f"{digest}  part-0.parquet\n"
    archived = pq.read_table(part).to_pylist()
    assert [(r["cost"], r["_source_row"], r["_billing_period_start"]) for r in archived] == [
        ("7.125", "1", "2025-09-01"),
        ("1E-2", "2", "2025-09-01"),
        ("3", "3", "2025-09-01"),
    ]
    with duckdb.connect(str(data_dir / "warehouse" / "billing.duckdb"), read_only=True) as con:
        manifest = con.execute(
            "select table_name, billing_period_start, row_count, money_totals, archive_path, archive_sha256, "
            "applied_by, policy_version from audit.retention_actions order by table_name, billing_period_start"
        ).fetchall()
    assert [(m[0], f"{m[1]:%Y-%m}", m[2], json.loads(m[3])) for m in manifest] == [
        ("aws_cur", "2025-09", 2, {"line_item_unblended_cost": "10.000000000000000000"}),
        ("onprem", "2025-08", 2, {"cost": "10.750000000000000000"}),
        ("onprem", "2025-09", 3, {"cost": "10.135000000000000000"}),
    ]
    assert manifest[2][4:] == (
        "archive/raw_usage/onprem/billing_period_start=2025-09-01/part-0.parquet",
        digest,
        "fiona",
        "2026.1",
    )

    # a second apply is a no-op: nothing due, no new archive part, no new event
    events = verify_trail(data_dir / "ops" / "ops.sqlite").events
    code, out, _ = billing("retention", "apply", "--as-of", AS_OF, "--as", "fiona")
    assert code == 0 and out.endswith("applied: nothing was due; nothing changed\n")
    assert not part.with_name("part-1.parquet").exists()
    assert _counts(data_dir) == after
    assert verify_trail(data_dir / "ops" / "ops.sqlite").events == events == 3


def test_a_legal_hold_keeps_its_period_until_released(billing: Billing, data_dir: Path) -> None:
    code, out, err = billing(
        "retention", "holds", "place", "--class", "raw_usage", "--period", "2025-09", "--source", "onprem",
        "--reason", "Initech audit request 2026-117", "--as", "fiona",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        "placed legal hold LH-000001 on raw_usage, period 2025-09, source onprem as fiona: "
        "Initech audit request 2026-117\n"
    )
    code, out, _ = billing("retention", "apply", "--dry-run", "--as-of", AS_OF, "--as", "fiona")
    assert _planned(out) == {("raw.onprem", "2025-08", 2), ("raw.aws_cur", "2025-09", 2)}
    assert _plan(out)[("raw.onprem", "2025-09")] == (
        3,
        "held",
        "legal hold LH-000001 (raw_usage, period 2025-09, source onprem): Initech audit request 2026-117",
    )

    code, out, _ = billing("retention", "apply", "--as-of", AS_OF, "--as", "fiona")
    assert _archived(out) == {("raw.onprem", "2025-08", 2), ("raw.aws_cur", "2025-09", 2)}
    assert ("onprem", "2025-09-01", 3) in _counts(data_dir)["raw"]

    code, out, _ = billing("retention", "holds", "list", "--as", "mia")
    assert code == 0 and "LH-000001  raw_usage, period 2025-09, source onprem" in out and "active" in out
    code, out, err = billing("retention", "holds", "release", "LH-000001", "--reason", "audit closed", "--as", "fiona")
    assert (code, err) == (0, "")
    assert billing("retention", "holds", "list", "--as", "fiona")[1] == "no active legal holds\n"

    code, out, _ = billing("retention", "apply", "--as-of", AS_OF, "--as", "fiona")
    assert _archived(out) == {("raw.onprem", "2025-09", 3)}
    assert _counts(data_dir)["raw"] == [("onprem", "2025-10-01", 1)]

    # placing and releasing the hold and each archive are events of an intact hash chain
    code, out, err = billing("audit", "verify", "--as", "fiona")
    assert (code, err) == (0, "")
    assert out.startswith("audit trail intact: 5 event(s)")
    assert "2 workflow record(s) match their events" in out
    with sqlite3.connect(data_dir / "ops" / "ops.sqlite") as con:
        actions = con.execute("select action, actor, entity_id, reason from audit_events order by event_id").fetchall()
    assert [a[:3] for a in actions] == [
        ("legal_hold.placed", "fiona", "LH-000001"),
        ("retention.archived", "fiona", "aws_cur/2025-09-01/part-0"),
        ("retention.archived", "fiona", "onprem/2025-08-01/part-0"),
        ("legal_hold.released", "fiona", "LH-000001"),
        ("retention.archived", "fiona", "onprem/2025-09-01/part-0"),
    ]
    assert (actions[0][3], actions[3][3]) == ("Initech audit request 2026-117", "audit closed")


def test_a_client_hold_keeps_every_source_of_its_period(billing: Billing, data_dir: Path) -> None:
    billing(
        "retention", "holds", "place", "--class", "raw_usage", "--period", "2025-09", "--client", "globex",
        "--reason", "GLOBEX dispute DSP-000007", "--as", "fiona",
    )  # fmt: skip
    _, out, _ = billing("retention", "apply", "--as-of", AS_OF, "--as", "fiona")
    assert _archived(out) == {("raw.onprem", "2025-08", 2)}
    why = "legal hold LH-000001 (raw_usage, period 2025-09, client GLOBEX): GLOBEX dispute DSP-000007"
    assert _plan(out)[("raw.aws_cur", "2025-09")] == (2, "held", why)
    assert _plan(out)[("raw.onprem", "2025-09")] == (3, "held", why)


def test_who_may_not_is_refused_in_one_line_and_nothing_changes(billing: Billing, data_dir: Path) -> None:
    before = _counts(data_dir)
    assert billing("retention", "apply", "--as-of", AS_OF, "--as", "mia") == (
        1,
        "",
        "error: mia (billing_manager) may not archive and purge data under the retention policy; that takes the "
        "role finance_controller\n",
    )
    assert billing("retention", "holds", "place", "--class", "raw_usage", "--reason", "x", "--as", "ana") == (
        1,
        "",
        "error: ana (billing_analyst) may not place or release a legal hold; that takes the role finance_controller\n",
    )
    assert billing("retention", "apply", "--dry-run", "--as", "dora")[2] == (
        "error: dora (department_viewer) may not view legal holds and the retention plan; that takes the role "
        "billing_manager, finance_controller\n"
    )
    assert billing("retention", "holds", "place", "--class", "raw", "--reason", "x", "--as", "fiona")[2] == (
        "error: --class 'raw' is not a data class; use one of raw_usage, landing_files, issued_documents, "
        "audit_events, personal_tag_values\n"
    )
    assert billing("retention", "holds", "release", "LH-000009", "--reason", "x", "--as", "fiona")[2] == (
        "error: there is no legal hold LH-000009; see `billing retention holds list`\n"
    )
    assert billing("retention", "apply", "--as-of", "2026-13-01", "--as", "fiona")[2] == (
        "error: --as-of '2026-13-01' is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01\n"
    )
    assert billing("retention", "apply", "--as-of", "2999-01-01", "--as", "fiona")[2] == (
        "error: --as-of 2999-01-01 is in the future: apply never purges what is still inside its retention period; "
        "preview a future day with --dry-run\n"
    )
    assert _counts(data_dir) == before and not (data_dir / "archive").exists()
    # the dry run is the billing manager's to read
    assert billing("retention", "apply", "--dry-run", "--as-of", AS_OF, "--as", "mia")[0] == 0


def test_apply_refuses_while_a_close_holds_the_warehouse(billing: Billing, data_dir: Path) -> None:
    warehouse = data_dir / "warehouse" / "billing.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(warehouse)!r}); "
         "print('locked', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        code, out, err = billing("retention", "apply", "--as-of", AS_OF, "--as", "fiona")
    finally:
        holder.kill()
        holder.wait()
    assert code == 1 and out.startswith("") and err.count("\n") == 1
    assert err.startswith(f"error: the warehouse {warehouse} is in use by another process, a close probably (")
    assert err.endswith("); run retention again when it has finished\n")
    assert not (data_dir / "archive").exists()


def test_the_policy_in_force_is_the_latest_version_effective_on_the_day(tmp_path: Path) -> None:
    seed = (SEEDS_DIR / "retention_policies.csv").read_text(encoding="utf-8")
    newer = [line.replace("2026.1,2026-01-01", "2027.1,2027-01-01") for line in seed.splitlines()[1:]]
    (tmp_path / "retention_policies.csv").write_text(seed + "\n".join(newer).replace(",13,", ",6,") + "\n")
    assert policy_in_force(tmp_path, date(2026, 12, 31)).of("raw_usage").online_months == 13
    assert policy_in_force(tmp_path, date(2027, 1, 1)).of("raw_usage").online_months == 6
    with pytest.raises(OpsError, match=r"no retention policy is in force on 2025-12-31 \(the first takes effect"):
        policy_in_force(tmp_path, date(2025, 12, 31))
    (tmp_path / "retention_policies.csv").write_text("\n".join(seed.splitlines()[:3]) + "\n")
    with pytest.raises(OpsError, match=r"version 2026\.1 does not say what happens to issued_documents, audit_events"):
        load_versions(tmp_path)


def test_a_close_of_an_archived_period_is_refused_in_one_line(billing: Billing, data_dir: Path) -> None:
    warehouse = data_dir / "warehouse" / "billing.duckdb"
    refuse_archived_close(warehouse, date(2025, 9, 1))  # nothing archived yet: a close may run
    billing("retention", "apply", "--as-of", AS_OF, "--as", "fiona")
    with pytest.raises(OpsError) as refused:
        refuse_archived_close(warehouse, date(2025, 9, 1))
    assert str(refused.value) == (
        "2025-09 was archived by retention (raw aws_cur, onprem purged, Parquet under data/archive/raw_usage, see "
        "audit.retention_actions); its invoices stand as issued: a close cannot recompute it — restore the "
        "archived rows into the warehouse first if it must be re-run"
    )
    refuse_archived_close(warehouse, date(2025, 10, 1))  # still online: a close may run
