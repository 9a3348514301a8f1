"""Run the `billing` console script's entry point in-process, as a person would type it, and read what it said."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchestration.cli import main

Billing = Callable[..., tuple[int, str, str]]


def in_process_billing(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Billing:
    """`billing *args` -> (exit status, stdout, stderr); the environment is the caller's (monkeypatch it first)."""

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", ["billing", *args])
        try:
            main()  # returns on success, exits with status 1 after an `error:` line
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run
