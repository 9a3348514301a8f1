"""The `billing` command: talks to people, launches Dagster; holds no business rule."""

from __future__ import annotations

import os
import re
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from orchestration.ops.cli_support import table
from orchestration.settings import REPO_ROOT, Settings, debug_enabled, load_settings
from orchestration.user_errors import UserError

if TYPE_CHECKING:
    from orchestration.ops.rate_card_seeds import RateCardSeeds

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="IT services billing and chargeback: provider exports in, FOCUS, allocations, chargeback, invoices out.",
)


def _say(message: str) -> None:
    typer.echo(message, err=False)


def _settings() -> Settings:
    try:
        return load_settings()
    except ValueError as error:
        raise UserError(str(error)) from None


def parse_period(text: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-01)?", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UserError(f"--period {text!r} is not a billing month; write it as YYYY-MM, e.g. 2026-10")
    return date(int(match.group(1)), int(match.group(2)), 1)


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Random seed; the same seed writes the same bytes.")] = 2026,
    restatement: Annotated[
        bool, typer.Option(help="Also deliver the AWS 2026-09 re-delivery (restatement); not with --rows.")
    ] = True,
    rows: Annotated[
        int | None,
        typer.Option(
            help="Scale the AWS (60 %) and Azure (40 %) exports to this many cost lines a month (at least 1,000), "
            "written by DuckDB without holding them in memory."
        ),
    ] = None,
    months: Annotated[
        int | None,
        typer.Option(help="With --rows: this many consecutive billing months (1..24; default 1), ending 2026-10."),
    ] = None,
    amount_variety: Annotated[
        int,
        typer.Option(
            help="With --rows: percent of copied cost lines whose amounts differ from their template's even split.",
            min=0,
            max=100,
        ),
    ] = 0,
) -> None:
    """Write the deterministic demo landing zone (2026-08 .. 2026-10, five providers) under data/landing/, and
    approve and publish the demo rate card so that a demo close charges departments. With --rows, the AWS and
    Azure deliveries of each month are big copies of the demo's (orchestration/demo/scale.py)."""
    from orchestration.demo import write_demo_landing_zone
    from orchestration.demo.rate_card_sign_off import publish_demo_rate_card
    from orchestration.ops.errors import OpsError

    if rows is None and months is not None:
        raise UserError("--months scales the demo and needs --rows, e.g. billing demo --rows 1000000 --months 12")
    if rows is not None:
        from orchestration.demo.scale import MAX_MONTHS, MIN_ROWS

        months = 1 if months is None else months
        if rows < MIN_ROWS:
            raise UserError(f"--rows {rows} is too small: a scaled demo month has at least {MIN_ROWS:,} rows")
        if not 1 <= months <= MAX_MONTHS:
            raise UserError(f"--months {months} is out of range: write between 1 and {MAX_MONTHS} months")
    settings = _settings()
    if rows is not None and months is not None:
        from orchestration.demo.scale import write_scaled_landing_zone

        _say(f"writing the demo landing zone scaled to {rows:,} AWS + Azure rows a month to {settings.landing_dir}")
        scaled = write_scaled_landing_zone(
            settings.landing_dir,
            rows=rows,
            months=months,
            seed=seed,
            amount_variety=amount_variety,
            progress=lambda m: _say(f"  {m}"),
        )
        first = f"{scaled.periods[0]:%Y-%m}"
        summary = (
            f"wrote {len(scaled.files)} scaled files for {first} .. {scaled.periods[-1]:%Y-%m} "
            f"({sum(f.rows for f in scaled.files):,} rows); next: billing close --period {first}"
        )
    else:
        _say(f"writing the demo landing zone to {settings.landing_dir}")
        manifest = write_demo_landing_zone(
            settings.landing_dir, seed=seed, include_restatement=restatement, progress=lambda m: _say(f"  {m}")
        )
        summary = f"wrote {len(manifest.files)} files; next: billing close --period 2026-08"
    try:
        _say(publish_demo_rate_card(settings))
    except OpsError as error:
        raise UserError(f"demo rate card: {error}") from None
    _say(summary)


@app.command("demo-sla-correction")
def demo_sla_correction() -> None:
    """Re-deliver the demo's September SLA metrics extract with an outage the first one missed: closing
    2026-09 again after its invoices were issued yields a credit note, never an edited invoice."""
    from orchestration.demo import write_sla_correction

    settings = _settings()
    path = write_sla_correction(settings.landing_dir)
    _say(f"wrote {path.relative_to(settings.landing_dir)} (corrected); next: billing close --period 2026-09")


@app.command()
def close(
    period: Annotated[str, typer.Option("--period", help="Billing month to close, YYYY-MM.")],
    user: Annotated[str | None, typer.Option("--as", help="Acting user recorded on the run (or BILLING_USER).")] = None,
) -> None:
    """Close one billing month through Dagster and print what came in, where it went and what was invoiced."""
    from orchestration.reporting import summarize_period, write_restatement_report
    from orchestration.runner import CloseError, run_close

    settings = _settings()
    month = parse_period(period)
    from orchestration.ops.cli_support import refusals
    from orchestration.retention.guard import refuse_archived_close

    with refusals():
        refuse_archived_close(settings.warehouse_path, month)
    _say(f"closing {month:%Y-%m} (warehouse {settings.warehouse_path})")
    try:
        outcome = run_close(settings, month, acting_user=user or settings.acting_user, progress=_say)
    except CloseError as error:
        raise UserError(str(error)) from None
    import duckdb

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        summary = summarize_period(con, month)
    _print_summary(summary)
    if summary.restatements:
        _print_restatements(summary, write_restatement_report(summary, settings.output_dir / "restatements"))
    _say(f"dagster run {outcome.run_id} (see it with `make ui`)")
    if not outcome.success:
        for failure in outcome.failures:
            _say(f"  {failure}")
        failed_gates = [g for g in summary.gates if not g.success]
        if not summary.sources and any(g.expectation == "expect_table_row_count_to_be_between" for g in failed_gates):
            refused = f" ({len(summary.quarantined)} file(s) quarantined, listed above)" if summary.quarantined else ""
            if summary.waiting:
                refused += f" ({len(summary.waiting)} delivery(ies) still waiting for files, WAITING above)"
            raise UserError(
                f"close of {month:%Y-%m} stopped: no provider delivery for {month:%Y-%m} was loaded{refused}; "
                "land this month's exports and close it again; invoices were not finalized"
            )
        if failed_gates:
            first = failed_gates[0]
            raise UserError(
                f"close of {month:%Y-%m} stopped: gate {first.suite} failed {first.expectation} "
                f"on {first.failing_rows} row(s): {first.detail}; invoices were not finalized"
            )
        raise UserError(
            f"close of {month:%Y-%m} failed: {outcome.failures[0] if outcome.failures else 'see the run in the UI'}"
        )
    current = settings.published_dir / "current"
    if current.exists():
        _say(f"published for BI tools and the dashboard: {current} -> {current.resolve().name}")
    waiting = len(summary.waiting)
    without = f" without {waiting} delivery(ies) still waiting for files (WAITING above)" if waiting else ""
    _say(f"close of {month:%Y-%m} complete{without}")


def _print_summary(summary) -> None:  # type: ignore[no-untyped-def]
    from orchestration.reporting import money

    _say("")
    _say(
        f"{'source':<12} {'cur':<4} {'files':>5} {'rows':>7} {'billed in':>15} {'amortized in':>15} "
        f"{'allocated':>15} {'unallocated':>13} {'status':<14}"
    )
    for line in summary.sources:
        _say(
            f"{line.source:<12} {line.currency:<4} {line.files_loaded:>5} {line.rows_loaded:>7} "
            f"{money(line.billed_in):>15} {money(line.amortized_in):>15} {money(line.allocated):>15} "
            f"{money(line.unallocated):>13} {line.status:<14}"
        )
    if not summary.sources:
        _say("  (no reconciled sources for this period)")
    _say("")
    for total in summary.chargeback:
        unpriced = f", {total.unpriced_lines} unpriced" if total.unpriced_lines else ""
        _say(
            f"{total.mode:<10} {total.currency:<4} {total.departments:>2} departments {total.lines:>4} lines "
            f"cost {money(total.allocated_cost):>14} amount {money(total.amount):>14}  "
            f"policy {total.policy_versions}, rate card {total.rate_card_versions or '-'}{unpriced}"
        )
    for invoice in summary.invoices:
        number = invoice.invoice_number or f"({invoice.invoice_id})"
        total = money(invoice.total, invoice.minor_units)
        kind = invoice.document_type.replace("_", " ")
        _say(f"{kind:<11} {number:<22} {invoice.client_id:<10} {invoice.currency} {total:>14}  {invoice.status}")
    if not summary.invoices:
        _say("no invoices for this period")
    for gate in summary.gates:
        mark = "pass" if gate.success else f"FAIL ({gate.failing_rows} rows: {gate.detail})"
        _say(f"gate {gate.suite}: {gate.expectation}: {mark}")
    for path, error in summary.quarantined:
        _say(f"quarantined {path}: {error}")
    for delivery in summary.waiting:
        _say(f"WAITING: {delivery.describe()}")


def _print_restatements(summary, report: Path) -> None:  # type: ignore[no-untyped-def]
    from orchestration.reporting import money

    first = summary.restatements[0]
    _say("")
    _say(
        f"RESTATEMENT: {summary.period:%Y-%m} was closed on {first.closed_at}; its closed totals are kept, "
        f"and allocated cost now differs for {len(summary.restatements)} cost center(s):"
    )
    for line in summary.restatements:
        _say(
            f"  {line.cost_center_id:<12} {line.owner:<12} {line.currency} closed {money(line.closed):>14} "
            f"now {money(line.restated):>14} difference {money(line.difference, 10):>20}"
        )
    _say(f"restatement report: {report}")


@app.command()
def status() -> None:
    """Print every closed billing month: cost in, unallocated, charged back and invoiced, per currency; and the
    deliveries in parts still waiting for files."""
    import duckdb

    from orchestration.reporting import money, summarize_periods

    settings = _settings()
    if not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}; run `billing demo` and `billing close` first")
    from orchestration.ingest.waiting import waiting_for_period

    try:
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            lines = summarize_periods(con)
            waiting = waiting_for_period(con, None)
    except duckdb.IOException as error:
        raise UserError(f"the warehouse is in use by another process ({str(error).splitlines()[0]}); retry") from None
    _say(
        f"{'period':<8} {'cur':<4} {'balanced':>8} {'billed in':>14} {'amortized in':>14} {'unallocated':>12} "
        f"{'charged back':>13} {'invoiced':>11} {'issued':>6}"
    )
    for line in lines:
        _say(
            f"{line.period:%Y-%m}  {line.currency:<4} {line.balanced:>4}/{line.sources:<3} {money(line.billed_in):>14} "
            f"{money(line.amortized_in):>14} {money(line.unallocated):>12} {money(line.charged_back):>13} "
            f"{money(line.invoiced):>11} {line.finalized_invoices:>6}"
        )
    if not lines:
        _say("no closed months yet")
    for delivery in waiting:
        # as of each source's last ingest: a month of it does not close until the rest has landed
        _say(f"WAITING: {delivery.state()}")


budgets_app = typer.Typer(
    no_args_is_help=True,
    help="Budgets and alerts: spend against each budget per month, thresholds crossed, throttle requests.",
)
app.add_typer(budgets_app, name="budgets")


@budgets_app.command("list")
def budgets_list(
    period: Annotated[str | None, typer.Option("--period", help="Billing month, YYYY-MM (default: all).")] = None,
) -> None:
    """List each budget per closed month: budget, spend, % consumed, thresholds crossed, throttle flag."""
    import duckdb

    from orchestration.reporting import budget_periods, has_budget_status, money, percent_text, summarize_budgets

    settings = _settings()
    month = parse_period(period) if period is not None else None
    if not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}; run `billing demo` and `billing close` first")
    try:
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
            if not has_budget_status(con):
                raise UserError(
                    "the warehouse has no budget status yet; close a month (`billing close --period YYYY-MM`) to "
                    "compute it from seeds/budgets.csv"
                )
            lines = summarize_budgets(con, month)
            periods = budget_periods(con)
    except duckdb.IOException as error:
        raise UserError(f"the warehouse is in use by another process ({str(error).splitlines()[0]}); retry") from None
    if not lines:
        if month is None:
            _say("no budget is in force in any closed month; add budgets to seeds/budgets.csv and close a month")
            return
        known = ", ".join(f"{p:%Y-%m}" for p in periods) or "none yet"
        raise UserError(f"no budget status for {month:%Y-%m} (months with budget status: {known}); close it first")
    scopes = [f"{line.budget_scope.replace('_', ' ')} {line.scope_id}" for line in lines]
    budget_width = max(len("budget"), *(len(line.budget_id) for line in lines))
    scope_width = max(len("for"), *(len(scope) for scope in scopes))
    _say(
        f"{'period':<8} {'budget':<{budget_width}} {'for':<{scope_width}} {'cur':<4} {'budget amt':>13} "
        f"{'spend':>13} {'consumed':>9}  {'thresholds crossed':<18}  throttle"
    )
    notes: list[str] = []
    for line, scope in zip(lines, scopes, strict=True):
        consumed = "n/a" if line.percent_consumed is None else f"{percent_text(line.percent_consumed)}%"
        crossed = ", ".join(f"{percent_text(level)}%" for level in line.thresholds_crossed) or "-"
        if line.cap_percent is None:
            throttle = "-"
        else:
            throttle = f"{'YES' if line.throttle_requested else 'no'} (cap {percent_text(line.cap_percent)}%)"
        _say(
            f"{line.period:%Y-%m}  {line.budget_id:<{budget_width}} {scope:<{scope_width}} "
            f"{line.currency:<4} {money(line.budget_amount):>13} {money(line.spend):>13} {consumed:>9}  "
            f"{crossed:<18}  {throttle}"
        )
        if line.other_currencies:
            notes.append(
                f"note: {line.budget_id} {line.period:%Y-%m}: spend in {line.other_currencies} is not counted in "
                f"this {line.currency} budget (never converted)"
            )
    for note in notes:
        _say(note)


rates_app = typer.Typer(
    no_args_is_help=True,
    help="Rate cards: drafted in the seeds, approved by finance, published; only published rates charge.",
)
app.add_typer(rates_app, name="rates")

ActingUser = Annotated[
    str | None, typer.Option("--as", help="Acting user recorded on the sign-off (default: BILLING_USER, then $USER).")
]


def _rate_card_seeds(settings: Settings) -> RateCardSeeds:
    from orchestration.ops.errors import OpsError
    from orchestration.ops.rate_card_seeds import RateCardSeeds

    try:
        return RateCardSeeds.load(settings.seeds_dir)
    except OpsError as error:
        raise UserError(str(error)) from None


@rates_app.command("list")
def rates_list() -> None:
    """List every rate card version (seeds and operational store): validity, status, who approved and published."""
    from orchestration.ops.errors import OpsError
    from orchestration.ops.rate_cards import list_versions

    settings = _settings()
    seeds = _rate_card_seeds(settings)
    try:
        statuses = list_versions(settings.ops_store_path, seeds)
    except OpsError as error:
        raise UserError(str(error)) from None
    if not statuses:
        _say(f"no rate card versions yet; draft one in {seeds.rate_cards_path}")
        return
    rows = [
        (
            s.version,
            s.fiscal_year,
            s.valid_from,
            s.valid_to or "open",
            s.status + ("*" if s.drift else ""),
            str(s.lines),
            s.approved.actor if s.approved else "-",
            s.approved.when if s.approved else "-",
            s.published.actor if s.published else "-",
            s.published.when if s.published else "-",
        )
        for s in statuses
    ]
    header = (
        "version",
        "FY",
        "valid from",
        "valid to",
        "status",
        "lines",
        "approved by",
        "approved at",
        "published by",
        "published at",
    )
    for line in table(header, rows, right={5}):
        _say(line)
    for status in statuses:
        if status.drift:
            _say(f"* {status.version}: {status.drift}")


@rates_app.command("approve")
def rates_approve(
    version: Annotated[str, typer.Argument(help="Rate card version, e.g. RC-FY2026.1.")],
    note: Annotated[
        str | None, typer.Option("--note", help="Why, or what was checked (kept with the sign-off).")
    ] = None,
    user: ActingUser = None,
) -> None:
    """Finance sign-off of a draft version exactly as the seeds have it now (its content hash is recorded)."""
    from orchestration.ops.errors import OpsError
    from orchestration.ops.people import Action, load_directory
    from orchestration.ops.rate_cards import approve

    settings = _settings()
    seeds = _rate_card_seeds(settings)
    try:
        actor = load_directory(settings.seeds_dir).authorize(user or settings.acting_user, Action.RATE_CARD_APPROVE)
        event = approve(settings.ops_store_path, seeds, version, actor=actor.user_id, note=note, role=actor.role)
    except OpsError as error:
        raise UserError(str(error)) from None
    lines = len(seeds.content(version).rates)
    _say(
        f"approved {version} ({lines} rate lines, content sha256 {event.content_sha256[:12]}) as {event.actor} at "
        f"{event.when}; next: billing rates publish {version}"
    )


@rates_app.command("publish")
def rates_publish(
    version: Annotated[str, typer.Argument(help="Rate card version, e.g. RC-FY2026.1.")],
    user: ActingUser = None,
) -> None:
    """Publish an approved version: its rows are frozen in the operational store and charge from the next close."""
    from orchestration.ops.errors import OpsError
    from orchestration.ops.people import Action, load_directory
    from orchestration.ops.rate_cards import publish

    settings = _settings()
    seeds = _rate_card_seeds(settings)
    try:
        actor = load_directory(settings.seeds_dir).authorize(user or settings.acting_user, Action.RATE_CARD_PUBLISH)
        done = publish(settings.ops_store_path, seeds, version, actor=actor.user_id, role=actor.role)
    except OpsError as error:
        raise UserError(str(error)) from None
    first = done.content.rates[0]
    _say(
        f"published {version}: {done.rates} rate lines and {done.bundles} bundle lines, valid {first.valid_from} to "
        f"{first.valid_to or 'open'} (approved by {done.approved.actor} at {done.approved.when}, published by "
        f"{done.published.actor} at {done.published.when}); months closed from now on charge with it"
    )


def _parse_day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2027-01-01") from None


@rates_app.command("revise")
def rates_revise(
    quarter: Annotated[str, typer.Option("--quarter", help="Closed quarter the proposals come from, e.g. 2026-Q4.")],
    new_version: Annotated[str, typer.Option("--new-version", help="Name of the new draft, e.g. RC-FY2027.1.")],
    valid_from: Annotated[
        str | None, typer.Option("--valid-from", help="First day (default: first day of the next quarter).")
    ] = None,
    valid_to: Annotated[
        str | None, typer.Option("--valid-to", help="First day it no longer applies (default: next fiscal year).")
    ] = None,
) -> None:
    """Draft a new rate card version from a closed quarter's derived unit costs (marts.fct_rate_card_revisions):
    rows appended to the seeds for finance to review, approve and publish."""
    from orchestration.ops.errors import OpsError
    from orchestration.ops.rate_card_revision import draft_revision, parse_quarter
    from orchestration.reporting import money

    settings = _settings()
    start, end = _parse_day("--valid-from", valid_from), _parse_day("--valid-to", valid_to)
    try:
        revision = draft_revision(
            warehouse=settings.warehouse_path,
            store=settings.ops_store_path,
            seeds_dir=settings.seeds_dir,
            quarter=parse_quarter(quarter),
            new_version=new_version,
            valid_from=start,
            valid_to=end,
        )
    except OpsError as error:
        raise UserError(str(error)) from None

    def rate(value: Decimal | None) -> str:
        return "-" if value is None else format(value.normalize(), "f")

    def change(value: Decimal | None) -> str:
        return "-" if value is None else f"{'+' if value > 0 else ''}{money(value)}%"

    rows = [
        (
            line.it_service_id,
            line.billing_currency,
            line.unit or "-",
            rate(line.current_unit_rate),
            rate(line.derived_unit_cost),
            rate(line.proposed_unit_rate),
            change(line.change_percent),
        )
        for line in revision.lines
    ]
    header = ("service", "cur", "unit", "current rate", "derived unit cost", "proposed rate", "change")
    _say(f"rate card revision from {revision.quarter.label}:")
    for text in table(header, rows, right={3, 4, 5, 6}):
        _say(text)
    bundles = len(revision.content.bundles)
    copied = f", {bundles} bundle lines copied from {revision.bundles_from}" if revision.bundles_from else ""
    for member in revision.bundle_members_left_out:
        _say(
            f"note: bundle {member.bundle_id} member {member.it_service_id} was not copied: {revision.version} "
            "does not price it"
        )
    _say(
        f"drafted {revision.version} (fiscal year {revision.fiscal_year}, {revision.valid_from} to "
        f"{revision.valid_to}): {len(revision.content.rates)} rate lines appended to {revision.rate_cards_path}"
        f"{copied}; review them, then: billing rates approve {revision.version}"
    )


def _register_subcommands() -> None:
    from orchestration.adjustments.commands import adjustments_app
    from orchestration.disputes.commands import disputes_app
    from orchestration.invoicing.commands import invoices_app
    from orchestration.ops.audit_commands import audit_app
    from orchestration.publish.commands import publish_command
    from orchestration.receivables.commands import payments_app

    app.add_typer(invoices_app, name="invoices")
    app.add_typer(disputes_app, name="disputes")
    app.add_typer(adjustments_app, name="adjustments")
    app.add_typer(payments_app, name="payments")
    app.add_typer(audit_app, name="audit")
    from orchestration.retention.commands import retention_app

    app.add_typer(retention_app, name="retention")
    app.command("publish")(publish_command)
    from orchestration.transparency.commands import explain

    app.command("explain")(explain)
    from orchestration.auditor_docs.commands import docs

    app.command("docs")(docs)


_register_subcommands()


@app.command("bench-ingest")
def bench_ingest(
    rows: Annotated[int, typer.Option(help="Rows per export format.", min=1)] = 1_000_000,
) -> None:
    """Measure ingest rows/s for a Parquet (AWS CUR 2.0) and a CSV (Azure) export; reports, never asserts."""
    from orchestration.bench.ingest import render, run_ingest_benchmark, write_report

    settings = _settings()
    settings.duckdb_temp_dir.mkdir(parents=True, exist_ok=True)
    _say(f"ingest benchmark: {rows:,} rows per format (scaled copies of the demo's October exports)")
    figures = run_ingest_benchmark(rows, work_dir=settings.duckdb_temp_dir)
    _say(render(figures))
    _say(f"report: {write_report(figures, settings.output_dir / 'bench')}")


@app.command()
def bench(
    rows: Annotated[
        list[int] | None,
        typer.Option(help="Cost lines a month; repeat for several sizes (default 1,000,000 and 10,000,000)."),
    ] = None,
    months: Annotated[
        int,
        typer.Option(help="Months loaded for the re-close figure (1 = no re-close; at most 10, the seeds' months)."),
    ] = 10,
    pandas_memory_gib: Annotated[
        float, typer.Option(help="Memory the pandas peer may use (its address-space limit), GiB; 0 = unlimited.")
    ] = 8.0,
    amount_variety: Annotated[
        int,
        typer.Option(
            help="Percent of copied cost lines whose amounts differ from their template's even split (0-100; "
            "0 repeats the demo's amounts, which flatters the allocation: it runs once per distinct amount).",
            min=0,
            max=100,
        ),
    ] = 0,
    reclose_repeats: Annotated[
        int,
        typer.Option(
            help="Times the re-close pair (the month alone, among the months) runs; the medians are reported.",
            min=1,
            max=9,
        ),
    ] = 3,
    tiny_recloses: Annotated[
        int,
        typer.Option(
            help="Times the demo's own month is closed again unchanged for the fixed-overhead figure (the median is "
            "reported; 0 leaves the tiny month out).",
            min=0,
            max=9,
        ),
    ] = 3,
) -> None:
    """Benchmark the close at scale against the engine floor and a naive pandas peer; reports, never asserts.

    Writes data/output/bench/bench.json (the last size; every size under `runs`) and prints figures and ratios."""
    import json

    from orchestration.bench.run import BenchConfig, BenchError, render, render_tiny_month, run_bench, run_tiny_month

    settings = _settings()
    sizes = rows or [1_000_000, 10_000_000]
    if any(size < 1_000 for size in sizes):
        raise UserError("bench: --rows must be at least 1,000 cost lines a month")
    if not 1 <= months <= 10:
        raise UserError(
            f"bench: --months {months} is out of range: 1 to 10 (the reference data covers 2026-01 .. 2026-10; "
            "a later month has no exchange rate and cannot close)"
        )
    runs = []
    for size in sizes:
        config = BenchConfig(
            rows=size,
            months=months,
            bench_dir=settings.data_dir / "bench",
            output_dir=settings.output_dir / "bench" / f"rows-{size}",
            pandas_memory_limit_bytes=int(pandas_memory_gib * 1024**3) or None,
            amount_variety=amount_variety,
            reclose_repeats=reclose_repeats,
        )
        _say(f"bench: {size:,} rows a month, {months} month(s), data under {config.bench_dir}")
        try:
            report = run_bench(settings, config, progress=lambda m: _say(f"  {m}"))
        except BenchError as error:
            raise UserError(f"bench: {error}") from None
        runs.append(report)
        _say(render(report))
    summary: dict[str, object] = {**runs[-1], "runs": runs}
    if tiny_recloses:
        _say(f"bench: the fixed overhead, the demo's own month closed and closed again {tiny_recloses} time(s)")
        try:
            tiny_dir = settings.data_dir / "bench" / "tiny"
            tiny = run_tiny_month(settings, tiny_dir, tiny_recloses, progress=lambda m: _say(f"  {m}"))
        except BenchError as error:
            raise UserError(f"bench: {error}") from None
        summary["tiny_month"] = tiny
        _say(render_tiny_month(tiny))
    path = settings.output_dir / "bench" / "bench.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    _say(f"report: {path}")


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port for the Dagster UI.")] = 3000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
) -> None:
    """Open the Dagster UI on the same warehouse and run history as `billing close`."""
    from orchestration.runner import CloseError, ensure_dbt_manifest, prepare_environment

    settings = _settings()
    prepare_environment(settings)
    try:
        ensure_dbt_manifest(_say)
    except CloseError as error:
        raise UserError(str(error)) from None
    dagster = Path(sys.executable).with_name("dagster")
    _say(f"Dagster UI on http://{host}:{port} (run history in {settings.dagster_home}); Ctrl-C to stop")
    os.chdir(REPO_ROOT)
    os.execv(str(dagster), [str(dagster), "dev", "-w", str(REPO_ROOT / "workspace.yaml"), "-h", host, "-p", str(port)])


def main() -> None:
    """Entry point: every failure is one line on stderr and exit status 1, never a traceback."""
    import signal
    import warnings

    # A parent that ignores SIGTERM (pytest-xdist's workers, some job runners) passes that on to every process a close
    # starts: Dagster then cannot stop the `tail -F` processes that mirror a run's output, waits 30 s for each and
    # leaves them running. A month close must stay stoppable anyway.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Dagster's beta/preview notices are for developers of this code, not for people closing a month.
    warnings.filterwarnings("ignore", category=Warning, module=r"dagster(\.|_dbt)?.*")
    warnings.filterwarnings("ignore", message=r".*(beta|preview).*", category=Warning)
    try:
        app(standalone_mode=False)
    except UserError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as error:  # the last line of defence: still one line, with what to do
        # Usage errors (a missing --period, an unknown command) come from click or from typer's own copy of it,
        # so they are recognised by their interface, not their class.
        format_message = getattr(error, "format_message", None)
        if callable(format_message) and isinstance(getattr(error, "exit_code", None), int):
            if type(error).__name__ == "NoArgsIsHelpError":
                sys.exit(0)  # the help was printed: that is the answer to a bare `billing`
            typer.echo(f"error: {format_message()} (see `billing --help`)", err=True)
            sys.exit(error.exit_code)
        first = str(error).splitlines()[0] if str(error) else ""
        typer.echo(
            f"error: unexpected {type(error).__name__}: {first} (rerun with BILLING_DEBUG=1 for details)", err=True
        )
        if debug_enabled():
            raise
        sys.exit(1)


def run() -> None:
    """The `billing` console script: main(), then the process ends as soon as its output is flushed
    (orchestration/process_exit.py). Tests call main() in-process."""
    from orchestration.process_exit import run_then_exit

    run_then_exit(main)


if __name__ == "__main__":
    run()
