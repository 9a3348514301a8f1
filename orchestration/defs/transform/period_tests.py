"""Whether a close's data tests may check only the billing period it closes (dbt_project/macros/
incremental_by_period.sql, `closing_period_tests_only`).

The models holding rows by billing period keep every other period as that period's own close computed and tested it.
A close then tests its own period only, when two things hold: the dbt project (every model, data test and project
macro) is the one every period was last tested with in full, and this close rebuilds no period-incremental model for
every period (a table dropped because its SQL changed, or missing). Otherwise it tests every period, and a dbt step
records the project's fingerprint only once all of its nodes passed over every period: a defect that a release's first
close finds in an earlier period is looked for again by each close until it is mended.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from orchestration.defs.transform.incremental import json_sha256, node_definition, project_macros_digest
from orchestration.defs.transform.records import read_record, run_statuses, write_record

ENVIRONMENT = "BILLING_TEST_CLOSING_PERIOD_ONLY"
PASSED = frozenset({"success", "pass", "warn"})


def project_fingerprint(manifest: Mapping[str, Any]) -> str:
    """What a data test's verdict depends on besides the rows: the SQL and configuration of every model and test, and
    the project's macros (where a test's SQL may come from). Documentation is left out."""
    nodes = {
        unique_id: {**node_definition(node), "test": node.get("test_metadata")}
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "test")
    }
    return json_sha256({"nodes": nodes, "macros": project_macros_digest(manifest)})


def closing_period_only(
    record_path: Path, step: str, fingerprint: str, rebuilt_whole: bool, later_steps: Iterable[str] = ()
) -> bool:
    """True when `step`'s data tests may check the closing period only. A step that rebuilds a model for every period
    first forgets its own record and those of the steps that run after it (`later_steps`, which read what it wrote):
    each then tests every period the rebuild wrote. An earlier step's record stands: it read nothing rebuilt."""
    record = read_record(record_path)
    if rebuilt_whole:
        forgotten = {step, *later_steps}
        write_record(record_path, {key: value for key, value in record.items() if key not in forgotten})
        return False
    return record.get(step) == fingerprint


def record_tested(record_path: Path, step: str, fingerprint: str, run_results_path: Path) -> bool:
    """Records that `step` tested every period with this project, when its dbt invocation ran data tests and every
    node in it passed (a warning passes, as it does not stop the close). Returns whether it recorded."""
    statuses = {
        unique_id: status
        for unique_id, status in run_statuses(run_results_path).items()
        if not unique_id.startswith("exposure.")  # an exposure is only documentation: dbt reports it as no-op
    }
    if not any(unique_id.startswith("test.") for unique_id in statuses) or not set(statuses.values()) <= PASSED:
        return False
    record = read_record(record_path)
    record[step] = fingerprint
    write_record(record_path, record)
    return True
