"""The quarterly revision: a new draft rate card version from what a closed quarter cost.

`marts.fct_rate_card_revisions` (dbt) proposes, per service and currency, a rate from the quarter's cost and
volume. This module turns one quarter's proposals into draft rows appended to the seeds — finance then reviews,
approves and publishes them like any other draft. It reads the warehouse read-only and writes only the seeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.ops.errors import OpsError
from orchestration.ops.fiscal_year import FiscalCalendar, add_months, fiscal_calendar
from orchestration.ops.rate_card_rules import VERSION_PATTERN, version_problems
from orchestration.ops.rate_card_seeds import BundleLine, RateCardLine, RateCardSeeds, VersionContent, append_rows
from orchestration.ops.rate_cards import known_versions, published_content

REVISIONS_MART = "marts.fct_rate_card_revisions"
REVISION_COLUMNS = (
    "it_service_id",
    "it_service_name",
    "billing_currency",
    "rate_type",
    "unit",
    "current_rate_card_version",
    "current_unit_rate",
    "derived_unit_cost",
    "proposed_unit_rate",
    "change_percent",
    "months_closed",
    "basis",
)


@dataclass(frozen=True)
class Quarter:
    fiscal_year: int
    quarter: int

    @property
    def label(self) -> str:
        return f"{self.fiscal_year}-Q{self.quarter}"


def parse_quarter(text: str) -> Quarter:
    match = re.fullmatch(r"(\d{4})-?Q([1-4])", text.strip().upper())
    if not match:
        raise OpsError(f"--quarter {text!r} is not a quarter; write it as YYYY-Qn, e.g. 2026-Q4")
    return Quarter(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class RevisionLine:
    """One row of the mart for the quarter: a service's current rate, its derived unit cost, the proposal."""

    it_service_id: str
    it_service_name: str | None
    billing_currency: str
    rate_type: str
    unit: str | None
    current_rate_card_version: str | None
    current_unit_rate: Decimal | None
    derived_unit_cost: Decimal | None
    proposed_unit_rate: Decimal | None
    change_percent: Decimal | None
    months_closed: int | None
    basis: str | None


def read_revision_lines(warehouse: Path, quarter_start: date) -> list[RevisionLine]:
    """The mart's rows for the quarter, from a read-only connection (a running close keeps the write lock)."""
    if not warehouse.exists():
        raise OpsError(f"no warehouse at {warehouse}; run `billing demo` and `billing close` first")
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            (exists,) = con.execute(
                "select count(*) from information_schema.tables where table_schema = 'marts' "
                "and table_name = 'fct_rate_card_revisions'"
            ).fetchone() or (0,)
            if not exists:
                raise OpsError(
                    f"the warehouse {warehouse} has no {REVISIONS_MART} yet; close the quarter's months "
                    "(`billing close --period YYYY-MM`) to build it"
                )
            rows = con.execute(
                f"select {', '.join(REVISION_COLUMNS)} from {REVISIONS_MART} where quarter_start = ? "
                "order by it_service_id, billing_currency",
                [quarter_start],
            ).fetchall()
    except duckdb.IOException as error:
        raise OpsError(
            f"the warehouse {warehouse} is in use by another process ({str(error).splitlines()[0]}); retry"
        ) from None
    return [RevisionLine(*row) for row in rows]


def _decimal_text(value: Decimal) -> str:
    """Exactly the mart's value, in plain notation (never exponent notation, which the seeds do not accept)."""
    return format(value, "f")


@dataclass(frozen=True)
class Revision:
    version: str
    quarter: Quarter
    fiscal_year: int
    valid_from: date
    valid_to: date
    lines: list[RevisionLine]
    bundles_from: str | None  # the version the bundles were copied from
    content: VersionContent
    bundle_members_left_out: list[BundleLine]
    rate_cards_path: Path
    bundles_path: Path


def _bundles_source(lines: list[RevisionLine], seeds: RateCardSeeds, store: Path) -> tuple[str | None, list]:
    """The current version whose bundles carry over: the one in force last if the quarter saw several."""
    current = sorted({line.current_rate_card_version for line in lines if line.current_rate_card_version})
    candidates = []
    for version in current:
        content = published_content(store, version) or (seeds.content(version) if seeds.has(version) else None)
        if content is not None and content.rates:
            candidates.append((content.rates[0].valid_from, version, content))
    if not candidates:
        return None, []
    _, version, content = max(candidates)
    return version, list(content.bundles)


def draft_revision(
    *,
    warehouse: Path,
    store: Path,
    seeds_dir: Path,
    quarter: Quarter,
    new_version: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
    calendar: FiscalCalendar | None = None,
) -> Revision:
    """Append the quarter's proposals to the seeds as draft `new_version`; refuses without writing anything."""
    calendar = calendar or fiscal_calendar()
    seeds = RateCardSeeds.load(seeds_dir)
    if not VERSION_PATTERN.fullmatch(new_version):
        raise OpsError(
            f"--new-version {new_version!r} is not a valid rate card version; use letters, digits, '.', '_' and "
            "'-' such as RC-FY2027.1"
        )
    if seeds.has(new_version) or new_version in known_versions(store):
        raise OpsError(
            f"rate card {new_version} already exists (in {seeds.rate_cards_path} or the operational store); "
            "choose a new version name"
        )
    quarter_start = calendar.quarter_start(quarter.fiscal_year, quarter.quarter)
    lines = read_revision_lines(warehouse, quarter_start)
    if not lines:
        months = ", ".join(f"{add_months(quarter_start, n):%Y-%m}" for n in range(3))
        raise OpsError(
            f"{REVISIONS_MART} has no rows for {quarter.label} (quarter starting {quarter_start}); close the "
            f"quarter's months ({months}) first"
        )
    unpriced = [f"{line.it_service_id} {line.billing_currency}" for line in lines if line.proposed_unit_rate is None]
    if unpriced:
        raise OpsError(
            f"{REVISIONS_MART} proposes no rate for {', '.join(unpriced)} in {quarter.label}; close the quarter's "
            "months or draft the version by hand"
        )
    start = valid_from or add_months(quarter_start, 3)
    fiscal_year = calendar.year_of(start)
    end = valid_to or calendar.year_end(fiscal_year)
    rates = tuple(
        RateCardLine(
            new_version,
            str(fiscal_year),
            start.isoformat(),
            end.isoformat(),
            line.it_service_id,
            line.billing_currency,
            line.rate_type,
            line.unit or "",
            _decimal_text(line.proposed_unit_rate),  # type: ignore[arg-type]  # refused above when None
            line.basis or "",
        )
        for line in lines
    )
    bundles_from, bundle_lines = _bundles_source(lines, seeds, store)
    priced = {line.it_service_id for line in rates}
    # A member the new version does not price would make it unapprovable: left out, and said so.
    left_out = [b for b in bundle_lines if b.it_service_id not in priced]
    bundles = tuple(
        BundleLine(new_version, b.bundle_id, b.bundle_name, b.it_service_id, b.discount_percent)
        for b in bundle_lines
        if b.it_service_id in priced
    )
    content = VersionContent(new_version, rates, bundles)
    problems = version_problems(content, calendar)
    if problems:
        raise OpsError(f"the draft would not be approvable: {problems[0]}; nothing was written")
    changes: list[tuple[Path, list[tuple[str, ...]]]] = [(seeds.rate_cards_path, [r.values() for r in rates])]
    if bundles:
        changes.append((seeds.bundles_path, [b.values() for b in bundles]))
    append_rows(changes)
    return Revision(
        new_version,
        quarter,
        fiscal_year,
        start,
        end,
        lines,
        bundles_from,
        content,
        left_out,
        seeds.rate_cards_path,
        seeds.bundles_path,
    )
