"""The small JSON records a close keeps beside dbt's state (data/dbt/): read as empty when missing or unreadable
(whatever they would let a close skip is then built), written whole or not at all."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path


def read_record(path: Path) -> dict[str, str]:
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(recorded, dict):
        return {}
    return {str(key): str(value) for key, value in recorded.items()}


def run_statuses(run_results_path: Path) -> dict[str, str]:
    """Each node's status in a dbt invocation's run_results.json; empty when the file is missing or unreadable."""
    try:
        results = json.loads(run_results_path.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {str(result["unique_id"]): str(result.get("status")) for result in results}


def write_record(path: Path, record: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(dict(record), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)
