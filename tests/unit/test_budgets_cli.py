"""`billing budgets list` without what it needs: one `error:` line and exit status 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main


def _budgets_list(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """Run the console script's entry point in-process (no interpreter start-up per case)."""
    monkeypatch.setenv("BILLING_DATA_DIR", str(data_dir))
    monkeypatch.setattr("sys.argv", ["billing", "budgets", "list", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_without_a_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = tmp_path / "warehouse" / "billing.duckdb"
    assert _budgets_list(tmp_path, monkeypatch, capsys) == (
        1,
        "",
        f"error: no warehouse at {warehouse}; run `billing demo` and `billing close` first\n",
    )


def test_with_a_warehouse_that_has_no_budget_status_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "warehouse").mkdir()
    duckdb.connect(str(tmp_path / "warehouse" / "billing.duckdb")).close()
    assert _budgets_list(tmp_path, monkeypatch, capsys, "--period", "2026-10") == (
        1,
        "",
        "error: the warehouse has no budget status yet; close a month (`billing close --period YYYY-MM`) to compute "
        "it from seeds/budgets.csv\n",
    )


def test_a_malformed_period(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _budgets_list(tmp_path, monkeypatch, capsys, "--period", "October") == (
        1,
        "",
        "error: --period 'October' is not a billing month; write it as YYYY-MM, e.g. 2026-10\n",
    )
