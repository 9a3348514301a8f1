"""Great Expectations Data Docs of the gate suites, with a validation per suite and closed period.

A file-backed GX context lives in the work directory (thrown away afterwards); the suites are the JSON files in
expectations/, validated on the very batches the blocking gates read during a close
(orchestration/defs/quality/batches.py), here read from the warehouse copy. The local site GX renders is copied to
the output. Nothing leaves the machine: GX_ANALYTICS_ENABLED=false, and GX is imported only when this runs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.auditor_docs.errors import DocsError
from orchestration.defs.quality.batches import INVOICE_TOTALS, RECONCILIATION, GateBatch
from orchestration.defs.quality.gates import load_suite

GATE_BATCHES: dict[str, GateBatch] = {batch.suite: batch for batch in (RECONCILIATION, INVOICE_TOTALS)}
SITE = "local_site"


@dataclass(frozen=True)
class SuiteValidation:
    suite: str
    period: date
    rows: int
    expectations: int
    failed: int

    @property
    def success(self) -> bool:
        return self.failed == 0


@dataclass(frozen=True)
class GxDocs:
    directory: Path
    suites: list[str]
    validations: list[SuiteValidation]
    # Suites in expectations/ that no gate batch reads: shown with their expectations, never validated.
    unvalidated_suites: list[str]


def suite_files(expectations_dir: Path) -> list[Path]:
    files = sorted(expectations_dir.glob("*.json"))
    if not files:
        raise DocsError(f"no Great Expectations suite (*.json) in {expectations_dir}; restore expectations/")
    return files


def read_batches(warehouse_copy: Path, suites: Sequence[str], periods: Sequence[date]) -> dict[tuple[str, date], Any]:
    """The gate batches (pandas frames) of every suite with a gate and every period, from the copy."""
    frames: dict[tuple[str, date], Any] = {}
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        for suite in suites:
            batch = GATE_BATCHES.get(suite)
            if batch is None:
                continue
            for period in periods:
                try:
                    frames[(suite, period)] = batch.read(con, period)
                except duckdb.Error as error:
                    raise DocsError(
                        f"the warehouse copy has no table for gate {suite} ({str(error).splitlines()[0]}); "
                        "close a month with this version of the platform, then run `billing docs` again"
                    ) from None
    return frames


def build_gx_docs(
    expectations_dir: Path,
    warehouse_copy: Path | None,
    periods: Sequence[date],
    work_dir: Path,
    out_dir: Path,
    progress: Callable[[str], None],
) -> GxDocs:
    files = suite_files(expectations_dir)
    suites = [load_suite(path) for path in files]
    names = [suite["name"] for suite in suites]
    frames = read_batches(warehouse_copy, names, periods) if warehouse_copy is not None else {}

    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    progress("  loading Great Expectations...")
    import great_expectations as gx  # slow import: only when the docs are built
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx.get_context(mode="file", project_root_dir=str(work_dir / "gx-project"))
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    site = dict(context.list_data_docs_sites()[SITE])
    site["show_how_to_buttons"] = False  # for auditors reading results, not for people setting GX up
    context.update_data_docs_site(SITE, site)  # type: ignore[arg-type]
    source = context.data_sources.add_pandas(name="warehouse_batches")
    validations: list[SuiteValidation] = []
    run_time = datetime.now(UTC)
    for suite, path in zip(suites, files, strict=True):
        name = suite["name"]
        configurations = [
            ExpectationConfiguration(type=e["type"], kwargs=e.get("kwargs", {}), meta=e.get("meta"))
            for e in suite["expectations"]
        ]
        gx_suite = context.suites.add(
            ExpectationSuite(name=name, expectations=configurations, meta={"source": f"expectations/{path.name}"})
        )
        if name not in GATE_BATCHES:
            continue
        definition = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(name="period")
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{name} gate", data=definition, suite=gx_suite)
        )
        for period in periods:
            frame = frames[(name, period)]
            result = validation.run(
                batch_parameters={"dataframe": frame},
                run_id=RunIdentifier(run_name=f"{period:%Y-%m}", run_time=run_time),
                result_format="SUMMARY",
            )
            failed = sum(1 for item in result.results if not item.success)
            validations.append(SuiteValidation(name, period, len(frame), len(result.results), failed))
            progress(
                f"  {name} {period:%Y-%m}: {len(result.results) - failed}/{len(result.results)} expectations met "
                f"on {len(frame)} rows"
            )
    context.build_data_docs(site_names=[SITE])
    built = Path(context.root_directory) / "uncommitted" / "data_docs" / SITE
    if not (built / "index.html").exists():
        raise DocsError(f"Great Expectations wrote no Data Docs in {built}; check the great-expectations version")
    shutil.copytree(built, out_dir, dirs_exist_ok=True)
    unvalidated = [name for name in names if name not in GATE_BATCHES]
    return GxDocs(out_dir, names, validations, unvalidated)
