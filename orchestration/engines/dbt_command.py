"""`billing-dbt`: dbt's own command line, with a parse-state fingerprint that leaves out where a data directory keeps
its files.

dbt reuses its previous parse (partial parsing) only while a fingerprint of the profile's connection settings is
unchanged. On DuckDB those settings hold the warehouse file's path and the connection options (memory limit,
threads, spill directory), all of them per data directory, so the parse `make manifest` ships was refused at every
data directory's first close and dbt parsed the whole project again: ~15 s of a small month's close, and of every
test module's first close. None of them can change what a model or test parses to — no file of the project reads
`target.path` or the connection options while dbt parses (tests/unit/test_dbt_command.py checks) — so they are left
out of the fingerprint, and the project's directory is put in. Every other connection setting, the target, the
command-line vars, the project file and its environment variables, and each file's contents are still checked by
dbt as before.

With `--no-write-manifest` (this command's own flag, taken off before dbt reads the command line) dbt writes no
manifest.json, semantic_manifest.json or graph.gpickle into its target directory; run_results.json, the compiled SQL and
the partial-parse state are written as before. A close step on DuckDB passes it: dbt writes its 4 MB manifest twice an
invocation (after parsing and again at the end), ~1 s of a small month's 8.5 s invoice-marts step, and nothing of the
close reads that copy (Dagster knows the project from the prepared manifest, `make manifest`; the close's records read
run_results.json).
"""

from __future__ import annotations

import pprint
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Connection settings that say where and with what resources a data directory's warehouse runs.
RUN_TIME_SETTINGS = frozenset({"path", "config_options"})

# The engine the shipped parse is prepared for (`make manifest`, `ensure_dbt_manifest`): dbt's fingerprint includes
# the --target flag as given, so the parse and the close must both name it.
PREPARED_TARGET = "duckdb"

NO_MANIFEST_FLAG = "--no-write-manifest"


def executable() -> Path:
    """This virtualenv's `billing-dbt` (pyproject.toml [project.scripts])."""
    return Path(sys.executable).with_name("billing-dbt")


def profile_fingerprint_text(connection_info: Iterable[tuple[str, Any]], project_root: str) -> str:
    """What the profile's fingerprint is taken over: dbt's own text (its sorted connection settings, pprint-ed)
    without the run-time settings, and the project's directory: a parse records each file's absolute location (a
    seed is loaded from it), so a checkout moved elsewhere must be parsed again."""
    settings = sorted((key, value) for key, value in connection_info if key not in RUN_TIME_SETTINGS)
    return pprint.pformat([*settings, ("project_root", project_root)])


def _fingerprint_profile_without_run_time_settings() -> None:
    from dbt.contracts.files import FileHash
    from dbt.parser.manifest import ManifestLoader

    build_state_check = ManifestLoader.build_manifest_state_check

    def build_manifest_state_check(self: ManifestLoader) -> Any:
        state_check = build_state_check(self)
        project = self.root_project
        fingerprint = profile_fingerprint_text(project.credentials.connection_info(), project.project_root)
        state_check.profile_hash = FileHash.from_contents(fingerprint)
        return state_check

    ManifestLoader.build_manifest_state_check = build_manifest_state_check  # type: ignore[method-assign]


def _write_no_manifest() -> None:
    import dbt.parser.manifest as parsing
    import dbt.task.runnable as runnable
    from dbt.compilation import Compiler

    def write_nothing(*_: Any, **__: Any) -> None:
        return None

    # parse_manifest (after parsing) and GraphRunnableTask.run (at the end) each call write_manifest by these names.
    parsing.write_manifest = write_nothing  # type: ignore[assignment]
    runnable.write_manifest = write_nothing  # type: ignore[assignment]
    Compiler.write_graph_file = write_nothing  # type: ignore[method-assign]


def main() -> None:
    _fingerprint_profile_without_run_time_settings()
    if NO_MANIFEST_FLAG in sys.argv[1:]:
        sys.argv = [argument for argument in sys.argv if argument != NO_MANIFEST_FLAG]
        _write_no_manifest()
    from dbt.cli.main import cli

    from orchestration.process_exit import run_then_exit

    run_then_exit(cli)


if __name__ == "__main__":
    main()
