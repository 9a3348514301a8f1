"""Wall time, CPU time and peak memory of a command and every process it starts (Dagster, dbt, DuckDB threads).

The peak is the largest sum of resident memory over the process tree, sampled from /proc every 100 ms: a close
runs dbt in a child process, so the parent's own maximum RSS would miss most of it. Linux only; elsewhere the
peak is the largest single child's (getrusage).
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_bytes: int
    returncode: int
    output: str
    # User and system CPU time of the command and the processes it waited for (dbt): over `seconds`, how many
    # cores it kept busy on average. 0.0 where not measured.
    cpu_seconds: float = 0.0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in (PROC / str(pid) / "task").glob("*"):
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _rss_bytes(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, now."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        total += _rss_bytes(current)
        pending.extend(_children(current))
    return total


def run_measured(command: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None) -> Measured:
    """Run a command to completion; its wall time and the peak memory of its process tree.

    The output goes to a file, not a pipe, and the command runs in its own session whose leftovers are stopped when
    it ends: a close's Dagster mirrors its captured output through `tail -F` processes, and one left behind held a
    pipe open, so waiting for the pipe to close waited for ever (CI hung on it once)."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as output_file:
        before = _children_cpu_seconds()
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            stdout=output_file,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        seconds, peak = _wait_sampling(process, started)
        cpu_seconds = _children_cpu_seconds() - before
        _stop_leftovers(process.pid)
        output_file.seek(0)
        output = output_file.read()
    return Measured(seconds, peak, process.returncode, output, cpu_seconds)


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stop_leftovers(session_id: int) -> None:
    """Kill whatever the command left running in its session (its process group). SIGKILL: the leftovers inherit
    their parent's ignored signals, and under pytest-xdist SIGTERM is ignored (which is also why Dagster's own
    clean-up could not stop its `tail -F`)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(session_id, signal.SIGKILL)


def _wait_sampling(process: subprocess.Popen[str], started: float) -> tuple[float, int]:
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(process.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    if PROC.is_dir():
        sampler.start()
    process.wait()
    seconds = time.perf_counter() - started
    done.set()
    if sampler.is_alive():
        sampler.join()
    else:
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, peak


def environment(**overrides: str) -> dict[str, str]:
    return {**os.environ, **overrides}
