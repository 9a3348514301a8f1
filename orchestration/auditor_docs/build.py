"""`billing docs`: the dbt docs, the Great Expectations Data Docs and a landing page in <output>/docs/.

The warehouse copy, dbt's target and the GX project live in a work directory under <data>/tmp/ that is removed
afterwards; the docs are built in <output>/.docs-building-*/ and swapped in whole at the end, so a failed run
leaves the previous docs as they were.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.auditor_docs.dbt_docs import DbtDocs, generate_dbt_docs
from orchestration.auditor_docs.errors import DocsError
from orchestration.auditor_docs.gx_docs import GxDocs, build_gx_docs
from orchestration.auditor_docs.landing import LandingPage, audit_packages, render
from orchestration.auditor_docs.warehouse import closed_periods, copy_warehouse, recorded_gates
from orchestration.settings import EXPECTATIONS_DIR, Settings

DOCS = "docs"


@dataclass(frozen=True)
class AuditorDocs:
    directory: Path
    landing_page: Path
    periods: list[date]
    dbt: DbtDocs
    gx: GxDocs
    warehouse_found: bool


def select_periods(closed: Sequence[date], requested: Sequence[date]) -> list[date]:
    """The requested periods (default: every closed one); a period the warehouse has not closed is refused."""
    if not requested:
        return list(closed)
    missing = [p for p in requested if p not in closed]
    if missing:
        known = ", ".join(f"{p:%Y-%m}" for p in closed) or "none yet"
        raise DocsError(
            f"{', '.join(f'{p:%Y-%m}' for p in missing)} is not a closed period in the warehouse (closed: {known}); "
            "close it first or leave out --period"
        )
    return sorted(set(requested))


def _swap_in(built: Path, target: Path) -> None:
    """Replace target by built: the old docs are moved aside first and removed once the new ones are in place."""
    old = target.with_name(f".{target.name}-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    built.rename(target)
    if old.exists():
        shutil.rmtree(old)


def build_auditor_docs(
    settings: Settings, requested: Sequence[date], progress: Callable[[str], None], expectations_dir: Path | None = None
) -> AuditorDocs:
    target = settings.output_dir / DOCS
    settings.duckdb_temp_dir.mkdir(parents=True, exist_ok=True)
    settings.output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docs-", dir=settings.duckdb_temp_dir) as temporary:
        work = Path(temporary)
        if settings.warehouse_path.exists():
            progress(f"copying the warehouse {settings.warehouse_path} (the live file is never opened)")
        copy = copy_warehouse(settings.warehouse_path, work / "warehouse", settings.dagster_home)
        if copy is None:
            if requested:
                raise DocsError(
                    f"no warehouse at {settings.warehouse_path}, so no closed period to document; "
                    "close a month first or leave out --period"
                )
            progress("  no warehouse yet: dbt docs from the project alone (empty catalog), suites without results")
            periods: list[date] = []
        else:
            periods = select_periods(closed_periods(copy), requested)
            progress(f"  periods covered: {', '.join(f'{p:%Y-%m}' for p in periods) or 'none closed yet'}")
        built = Path(tempfile.mkdtemp(prefix=f".{DOCS}-building-", dir=settings.output_dir))
        try:
            progress("dbt docs generate --static...")
            dbt = generate_dbt_docs(copy, settings.seeds_dir, work, built / "dbt", settings.data_dir / "logs" / "docs")
            progress(f"  {dbt.models} models, {dbt.catalog_tables} tables and views in the catalog")
            progress("Great Expectations Data Docs...")
            gx = build_gx_docs(expectations_dir or EXPECTATIONS_DIR, copy, periods, work, built / "gx", progress)
            page = LandingPage(
                generated_at=datetime.now(UTC),
                warehouse=settings.warehouse_path,
                copied=copy is not None,
                periods=periods,
                dbt=dbt,
                gx=gx,
                recorded_gates=[g for g in recorded_gates(copy) if g.period in periods] if copy else [],
                audit_packages=audit_packages(settings.output_dir, periods),
            )
            (built / "index.html").write_text(render(page), encoding="utf-8")
            built.chmod(0o755)
            _swap_in(built, target)
        except BaseException:
            shutil.rmtree(built, ignore_errors=True)
            raise
    return AuditorDocs(
        directory=target,
        landing_page=target / "index.html",
        periods=periods,
        dbt=DbtDocs(target / "dbt", dbt.models, dbt.catalog_tables, dbt.empty_catalog),
        gx=GxDocs(target / "gx", gx.suites, gx.validations, gx.unvalidated_suites),
        warehouse_found=copy is not None,
    )
