"""`billing docs` refuses, in one line and before building anything, to copy a warehouse a close is using, to
document a month that is not closed, or a month when there is no warehouse; the live file is left as it was."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import duckdb
import pytest

from orchestration.auditor_docs.warehouse import writer_holds
from orchestration.cli import main
from orchestration.runner import dagster_yaml


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path))
    return tmp_path


def _warehouse(data_dir: Path, *periods: str) -> Path:
    path = data_dir / "warehouse" / "billing.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.fct_reconciliation (billing_period_start date)")
        for period in periods:
            con.execute("insert into marts.fct_reconciliation values (?::date)", [f"{period}-01"])
    return path


def _docs(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    monkeypatch.setattr("sys.argv", ["billing", "docs", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    _, err = capsys.readouterr()
    return int(exit_info.value.code or 0), err


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_warehouse_held_by_a_writer_is_not_copied(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = _warehouse(data_dir, "2026-10")
    before = _sha256(warehouse)
    writer = duckdb.connect(str(warehouse))  # what a close step holds
    try:
        assert writer_holds(warehouse)
        code, err = _docs(monkeypatch, capsys)
    finally:
        writer.close()
    assert code == 1
    assert err == (
        f"error: the warehouse {warehouse} is held by another process (a close or another writer); "
        "run `billing docs` again when it has finished\n"
    )
    assert not writer_holds(warehouse)  # the refusal took no lock and left none
    assert _sha256(warehouse) == before
    assert not (data_dir / "output" / "docs").exists()
    assert list((data_dir / "tmp").iterdir()) == []  # the work directory is removed


def test_a_close_in_progress_refuses_the_copy_between_its_steps(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Between two steps a close holds no lock: its unfinished run in the run history is what says it is running."""
    import dagster as dg

    _warehouse(data_dir, "2026-09")
    home = data_dir / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml(home), encoding="utf-8")
    run_id = str(uuid.uuid4())
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.add_run(
            dg.DagsterRun(
                job_name="close_month",
                run_id=run_id,
                status=dg.DagsterRunStatus.STARTED,
                tags={"dagster/partition": "2026-10-01"},
            )
        )
    code, err = _docs(monkeypatch, capsys)
    assert code == 1
    assert err == (
        f"error: a close is in progress (dagster run {run_id}: close_month 2026-10, STARTED); run `billing docs` "
        "again when it has finished (a close that was killed stays in progress until its run is terminated or "
        "deleted in `make ui`)\n"
    )
    assert not (data_dir / "output" / "docs").exists()


def test_a_month_that_is_not_closed_is_refused_with_the_closed_ones(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _warehouse(data_dir, "2026-08", "2026-09")
    code, err = _docs(monkeypatch, capsys, "--period", "2026-09", "--period", "2026-11")
    assert (code, err) == (
        1,
        "error: 2026-11 is not a closed period in the warehouse (closed: 2026-08, 2026-09); "
        "close it first or leave out --period\n",
    )


def test_without_a_warehouse_a_month_cannot_be_documented(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _docs(monkeypatch, capsys, "--period", "2026-10")
    warehouse = data_dir / "warehouse" / "billing.duckdb"
    assert (code, err) == (
        1,
        f"error: no warehouse at {warehouse}, so no closed period to document; close a month first or leave out "
        "--period\n",
    )
    assert not warehouse.exists()  # never created by looking for it


def test_a_period_is_a_billing_month(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _docs(monkeypatch, capsys, "--period", "October")
    assert (code, err) == (1, "error: --period 'October' is not a billing month; write it as YYYY-MM, e.g. 2026-10\n")
