"""`billing docs`: documentation for auditors. Cheap to import: the work is imported when the command runs."""

from __future__ import annotations

from typing import Annotated

import typer

from orchestration.settings import load_settings
from orchestration.user_errors import UserError


def docs(
    period: Annotated[
        list[str] | None,
        typer.Option("--period", help="Closed month to validate, YYYY-MM; repeat for several (default: every one)."),
    ] = None,
) -> None:
    """Documentation for auditors in data/output/docs/: dbt docs (models, columns, tests, lineage, catalog),
    Great Expectations Data Docs (every gate suite validated per closed month) and a landing page linking both.
    Built from a copy of the warehouse: refused while a close holds it."""
    from orchestration.auditor_docs.build import build_auditor_docs
    from orchestration.auditor_docs.errors import DocsError
    from orchestration.cli import parse_period

    try:
        settings = load_settings()
    except ValueError as error:
        raise UserError(str(error)) from None
    months = [parse_period(text) for text in period or []]
    try:
        done = build_auditor_docs(settings, months, progress=typer.echo)
    except DocsError as error:
        raise UserError(str(error)) from None
    typer.echo(f"dbt docs: {done.dbt.directory / 'static_index.html'} (and index.html, manifest.json, catalog.json)")
    failed = [v for v in done.gx.validations if not v.success]
    outcome = f", {len(failed)} FAILED" if failed else ""
    typer.echo(
        f"Great Expectations Data Docs: {done.gx.directory / 'index.html'} "
        f"({len(done.gx.validations)} validations{outcome})"
    )
    typer.echo(f"documentation for auditors: {done.landing_page}")
