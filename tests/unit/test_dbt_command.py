"""`billing-dbt`'s parse fingerprint (orchestration/engines/dbt_command.py): a data directory's paths and DuckDB's
run-time options leave it unchanged, so a first close reuses the parse `make manifest` prepared; anything that can
change what the project parses to still changes it."""

from __future__ import annotations

import re

from orchestration.engines.dbt_command import profile_fingerprint_text
from orchestration.settings import DBT_PROJECT_DIR

CONNECTION = [
    ("database", "billing"),
    ("schema", "main"),
    ("path", "/data/first/warehouse/billing.duckdb"),
    ("config_options", {"memory_limit": "4GB", "threads": "2", "temp_directory": "/data/first/tmp"}),
    ("extensions", None),
]


def _with(key: str, value: object) -> list[tuple[str, object]]:
    return [(name, value if name == key else current) for name, current in CONNECTION]


def test_another_data_directory_or_memory_bound_keeps_the_fingerprint() -> None:
    prepared = profile_fingerprint_text(CONNECTION, "/repo/dbt_project")
    elsewhere = _with("path", "/data/second/warehouse/billing.duckdb")
    elsewhere = [
        (name, {"memory_limit": "3GB", "threads": "1", "temp_directory": "/data/second/tmp"})
        if name == "config_options"
        else (name, value)
        for name, value in elsewhere
    ]
    assert profile_fingerprint_text(reversed(elsewhere), "/repo/dbt_project") == prepared


def test_a_setting_the_project_can_read_or_a_moved_checkout_changes_the_fingerprint() -> None:
    prepared = profile_fingerprint_text(CONNECTION, "/repo/dbt_project")
    assert profile_fingerprint_text(_with("schema", "billing"), "/repo/dbt_project") != prepared
    assert profile_fingerprint_text(_with("database", "other"), "/repo/dbt_project") != prepared
    # a parse records each file's absolute location (seeds are loaded from it)
    assert profile_fingerprint_text(CONNECTION, "/moved/dbt_project") != prepared


def test_no_project_file_reads_the_settings_left_out_of_the_fingerprint() -> None:
    """What the fingerprint leaves out must not reach a parse: a model or macro reading `target.path` or the
    connection options would be parsed once for the first data directory and reused for every other."""
    reads = re.compile(r"target\s*(\.\s*|\[\s*['\"])(path|config_options|temp_directory|memory_limit)\b")
    found = [
        str(path.relative_to(DBT_PROJECT_DIR))
        for path in DBT_PROJECT_DIR.rglob("*")
        if path.suffix in {".sql", ".yml", ".yaml"}
        and "target" not in path.relative_to(DBT_PROJECT_DIR).parts[:1]
        and reads.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
