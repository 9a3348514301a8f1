"""Usage mistakes at the command line get one `error:` line naming the mistake, never an 'unexpected' error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from orchestration.cli import main


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["billing", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_a_missing_option_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(monkeypatch, capsys, "close") == (2, "", "error: Missing option '--period'. (see `billing --help`)\n")


def test_an_unknown_command_is_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(monkeypatch, capsys, "clsoe")
    assert (code, err) == (2, "error: No such command 'clsoe'. Did you mean 'close'? (see `billing --help`)\n")


def test_a_bare_command_shows_its_help(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(monkeypatch, capsys, "budgets")
    assert code == 0 and "list" in out and "error" not in out + err


def test_a_close_stays_stoppable_when_its_parent_ignores_sigterm() -> None:
    """pytest-xdist's workers ignore SIGTERM and every child inherits that: Dagster could then not stop the `tail -F`
    mirrors of a close's output (each waited 30 s and stayed running). The command line takes SIGTERM back."""
    script = (
        "import signal, sys\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "sys.argv = ['billing', '--help']\n"
        "from orchestration.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('SIGTERM', signal.getsignal(signal.SIGTERM).name, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)

    assert result.stderr.strip().splitlines()[-1] == "SIGTERM SIG_DFL", result.stderr[-2000:]
