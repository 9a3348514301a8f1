"""What the bench measures around a close: the peak memory of a whole process tree, and the DuckDB limits."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from orchestration.bench.memory import environment, run_measured
from orchestration.defs.transform.dbt import build_arguments
from orchestration.resources import build_resources
from orchestration.settings import load_settings

# A parent that starts a child holding ~300 MB: the tree's peak must include the child's memory.
HOG = "import time; block = bytearray(300 * 1024 * 1024); block[::4096] = b'x' * len(block[::4096]); time.sleep(1.5)"


def test_the_peak_memory_of_a_command_includes_the_processes_it_starts() -> None:
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {HOG!r}], check=True)"
    measured = run_measured([sys.executable, "-c", parent], env=environment())

    assert measured.returncode == 0
    assert measured.peak_rss_bytes >= 300 * 1024 * 1024
    assert measured.seconds >= 1.5


# A child that computes for a fixed amount of CPU time (os.times of its own), then sleeps as long.
BUSY = "import os, time\nwhile os.times().user < 0.6: pass\ntime.sleep(0.6)"


def test_the_cpu_time_of_a_command_includes_the_processes_it_waits_for() -> None:
    """close_cpu_seconds: how much of the close's time the machine's cores were busy, dbt's process included."""
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {BUSY!r}], check=True)"
    measured = run_measured([sys.executable, "-c", parent], env=environment())

    assert measured.returncode == 0
    assert measured.cpu_seconds >= 0.6  # the child's own computing counted
    assert measured.cpu_seconds < measured.seconds  # its sleep not


def test_a_failing_command_reports_its_status_and_output() -> None:
    command = [sys.executable, "-c", "import sys; print('no such month'); sys.exit(3)"]
    measured = run_measured(command, env=environment())

    assert (measured.returncode, measured.output.strip()) == (3, "no such month")


def test_a_process_the_command_leaves_behind_neither_holds_the_bench_nor_outlives_the_command() -> None:
    """As Dagster's `tail -F` log mirrors once did: a leftover holding the command's output must not keep the bench
    waiting, and it is stopped when the command ends."""
    leftover = (
        "import signal, subprocess; signal.signal(signal.SIGTERM, signal.SIG_IGN); "  # as under pytest-xdist
        "print(subprocess.Popen(['sleep', '600']).pid); print('closed')"
    )
    finished: list = []
    waiting = threading.Thread(
        target=lambda: finished.append(run_measured([sys.executable, "-c", leftover], env=environment())), daemon=True
    )
    waiting.start()
    waiting.join(timeout=120)  # a hang shows as a failure, not as a CI job that never ends

    assert finished, "the bench still waits on the command's leftover process"
    sleeper_pid, last_line = finished[0].output.split()
    assert last_line == "closed"
    assert not _running(int(sleeper_pid))


def _running(pid: int) -> bool:
    """Whether the process is still running (gone or a zombie awaiting its reaper counts as stopped)."""
    for _ in range(50):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state == "Z":
            return False
        time.sleep(0.1)
    return True


def test_duckdb_memory_limit_and_spill_directory_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BILLING_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("BILLING_DUCKDB_TEMP_DIR", raising=False)
    defaults = load_settings()
    assert (defaults.duckdb_memory_limit, defaults.duckdb_threads) == ("3GB", 2)
    assert defaults.duckdb_temp_dir == tmp_path / "data" / "tmp"

    monkeypatch.setenv("BILLING_DUCKDB_MEMORY_LIMIT", "6GiB")
    monkeypatch.setenv("BILLING_DUCKDB_TEMP_DIR", str(tmp_path / "spill"))
    configured = load_settings()
    assert (configured.duckdb_memory_limit, configured.duckdb_temp_dir) == ("6GiB", tmp_path / "spill")


def test_dbt_builds_one_node_at_a_time_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BILLING_DBT_THREADS", raising=False)
    assert build_arguments(build_resources(load_settings())["engine"])[-2:] == ["--threads", "1"]

    monkeypatch.setenv("BILLING_DBT_THREADS", "4")
    assert build_arguments(build_resources(load_settings())["engine"])[-2:] == ["--threads", "4"]

    monkeypatch.setenv("BILLING_DBT_THREADS", "0")
    with pytest.raises(ValueError, match=r"^BILLING_DBT_THREADS=0 is out of range; set it to 1\.\.64$"):
        load_settings()


def test_a_memory_limit_duckdb_would_not_understand_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BILLING_DUCKDB_MEMORY_LIMIT", "lots")
    refusal = r"BILLING_DUCKDB_MEMORY_LIMIT='lots' is not a memory size; write it as e.g. 4GB"
    with pytest.raises(ValueError, match=refusal):
        load_settings()


def test_a_close_prepared_in_this_process_leaves_the_next_settings_as_the_operator_set_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from orchestration.runner import prepare_environment

    for name in (
        "DAGSTER_HOME",
        "BILLING_WAREHOUSE_PATH",
        "BILLING_DUCKDB_TEMP_DIR",
        "BILLING_DBT_DUCKDB_TEMP_DIR",
        "BILLING_DBT_DUCKDB_MEMORY_LIMIT",
        "BILLING_DBT_DUCKDB_THREADS",
    ):
        monkeypatch.delenv(name, raising=False)  # restored (removed) after the test
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "first"))
    prepare_environment(load_settings())

    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path / "second"))
    assert load_settings().duckdb_temp_dir == tmp_path / "second" / "tmp"  # not the first close's spill directory
    assert os.environ["BILLING_DBT_DUCKDB_TEMP_DIR"] == str(tmp_path / "first" / "tmp")  # what dbt was given
