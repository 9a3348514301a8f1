"""The `billing` console script ends without tearing its interpreter down: its output, exit status and exit handlers
are what they would be after a normal exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BILLING = Path(sys.executable).with_name("billing")
# Output through a pipe as a job runner gets it: block-buffered (PYTHONUNBUFFERED would write every print at once).
BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}


def test_exit_now_runs_the_exit_handlers_and_flushes_piped_output() -> None:
    # Piped stdout is block-buffered: without the flush, both lines would be lost with the process.
    script = (
        "import atexit\n"
        "from orchestration.process_exit import exit_now\n"
        "atexit.register(lambda: print('exit handler ran'))\n"
        "print('the command said this')\n"
        "exit_now(3)\n"
        "print('never')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=BUFFERED, capture_output=True, text=True, check=False)

    assert (result.returncode, result.stdout, result.stderr) == (3, "the command said this\nexit handler ran\n", "")


@pytest.mark.parametrize(
    ("code", "status", "stderr"), [(None, 0, ""), (0, 0, ""), (2, 2, ""), ("a message", 1, "a message\n")]
)
def test_a_system_exit_gives_the_status_python_would(code: object, status: int, stderr: str) -> None:
    script = f"from orchestration.process_exit import exit_now, exit_status\nexit_now(exit_status({code!r}))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)

    assert (result.returncode, result.stderr) == (status, stderr)


@pytest.fixture
def data_dir(tmp_path: Path) -> dict[str, str]:
    return {**BUFFERED, "BILLING_DATA_DIR": str(tmp_path / "data")}


def test_the_console_script_prints_everything_through_a_pipe(data_dir: dict[str, str]) -> None:
    result = subprocess.run([str(BILLING), "rates", "list"], env=data_dir, capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["version", "FY", "valid", "from"]
    assert lines[1].split()[:6] == ["RC-FY2026.1", "2026", "2026-01-01", "2027-01-01", "draft", "20"]


def test_the_console_script_refuses_with_one_line_and_status_one(data_dir: dict[str, str]) -> None:
    result = subprocess.run(
        [str(BILLING), "close", "--period", "1999-01"], env=data_dir, capture_output=True, text=True, check=False
    )

    assert result.returncode == 1
    assert result.stdout.startswith("closing 1999-01 (warehouse ")
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("error: 1999-01 cannot be closed: closable months are 2015-01 to ")
    assert result.stderr.endswith(" (a month can be closed once it has ended)\n")
