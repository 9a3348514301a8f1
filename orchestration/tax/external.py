"""Write an external tax service's determinations into raw.external_tax_determinations.

int_tax_determination prefers a row of that table over the seed rules for its key (client_id,
billing_period_start, tax_category). Call `apply_external_tax_service` after int_tax_requests is built and
before int_tax_determination is (see the report in the pull request for where the close calls it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import duckdb

from orchestration.settings import Settings
from orchestration.tax.registry import load_tax_service
from orchestration.tax.service import (
    EXEMPT_CATEGORY_CODES,
    ROUNDING_MODES,
    TAX_CATEGORY_CODES,
    TaxDetermination,
    TaxRequest,
    TaxService,
)

EXTERNAL_TABLE = "raw.external_tax_determinations"

EXTERNAL_TAX_DETERMINATIONS_DDL = f"""
create table if not exists {EXTERNAL_TABLE} (
    client_id varchar not null,
    billing_period_start date not null,
    tax_category varchar not null,
    seller_legal_entity_id varchar,
    jurisdiction_id varchar,
    treatment varchar not null,
    tax_category_code varchar not null,
    tax_rate decimal(38, 10) not null,
    rounding_mode varchar not null,
    exemption_reason varchar,
    exemption_reason_code varchar,
    rule_id varchar,
    service varchar not null,
    determined_at timestamp not null
)
"""

REQUESTS_SQL = """
select client_id, billing_period_start, invoice_date, tax_category, contract_id, seller_legal_entity_id,
    seller_country, seller_subdivision, buyer_country, buyer_subdivision, customer_type, buyer_vat_id,
    delivery_region
from intermediate.int_tax_requests
where billing_period_start = ?
order by client_id, tax_category
"""


class TaxServiceError(ValueError):
    """The service answered something that cannot be used; nothing was written."""


@dataclass
class ExternalTaxReport:
    service: str | None
    requested: int = 0
    written: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.service is None:
            return "tax service: none configured; the seed rules decide every determination"
        return f"tax service {self.service}: {self.written} determination(s) for {self.requested} request(s)"


def ensure_tax_tables(con: duckdb.DuckDBPyConnection) -> None:
    """raw.external_tax_determinations exists (empty) in every warehouse, so dbt can read it."""
    con.execute("create schema if not exists raw")
    con.execute(EXTERNAL_TAX_DETERMINATIONS_DDL)


def read_tax_requests(con: duckdb.DuckDBPyConnection, billing_period_start: object) -> list[TaxRequest]:
    """The requests of one billing period, as int_tax_requests (built by dbt) has them."""
    return [TaxRequest(*row) for row in con.execute(REQUESTS_SQL, [billing_period_start]).fetchall()]


def validate(requests: Sequence[TaxRequest], determinations: Sequence[TaxDetermination]) -> list[str]:
    """Why the answer cannot be used (empty = usable)."""
    keys = {request.key for request in requests}
    problems: list[str] = []
    seen: set[tuple[object, ...]] = set()
    for item in determinations:
        label = f"{item.client_id} {item.billing_period_start} {item.tax_category}"
        if item.key not in keys:
            problems.append(f"{label}: not requested")
        if item.key in seen:
            problems.append(f"{label}: determined twice")
        seen.add(item.key)
        if item.tax_category_code not in TAX_CATEGORY_CODES:
            problems.append(f"{label}: tax category code {item.tax_category_code!r} is not UNCL5305")
        if item.rounding_mode not in ROUNDING_MODES:
            problems.append(f"{label}: rounding mode {item.rounding_mode!r} is not one of {sorted(ROUNDING_MODES)}")
        if not isinstance(item.tax_rate, Decimal) or not item.tax_rate.is_finite() or not 0 <= item.tax_rate < 1:
            problems.append(f"{label}: tax rate {item.tax_rate!r} is not a Decimal fraction in [0, 1)")
        elif item.tax_category_code in EXEMPT_CATEGORY_CODES:
            if item.tax_rate != 0:
                problems.append(f"{label}: category {item.tax_category_code} carries rate {item.tax_rate}, not 0")
            if not item.exemption_reason and not item.exemption_reason_code:
                problems.append(f"{label}: category {item.tax_category_code} needs an exemption reason")
    return problems


def write_determinations(
    con: duckdb.DuckDBPyConnection,
    requests: Sequence[TaxRequest],
    determinations: Sequence[TaxDetermination],
    service: str,
    determined_at: datetime,
) -> int:
    """Replace the rows of the requested keys by the service's answer, in one transaction."""
    ensure_tax_tables(con)
    con.execute("begin transaction")
    try:
        for request in requests:
            con.execute(
                f"delete from {EXTERNAL_TABLE} where client_id = ? and billing_period_start = ? and tax_category = ?",
                list(request.key),
            )
        for item in determinations:
            con.execute(
                f"insert into {EXTERNAL_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    item.client_id,
                    item.billing_period_start,
                    item.tax_category,
                    item.seller_legal_entity_id,
                    item.jurisdiction_id,
                    item.treatment,
                    item.tax_category_code,
                    item.tax_rate,
                    item.rounding_mode,
                    item.exemption_reason,
                    item.exemption_reason_code,
                    item.rule_id,
                    service,
                    determined_at.astimezone(UTC).replace(tzinfo=None),
                ],
            )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(determinations)


def apply_external_tax_service(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    requests: Sequence[TaxRequest],
    service: TaxService | None = None,
    now: datetime | None = None,
) -> ExternalTaxReport:
    """Ask the configured service (settings.tax_service, or `service` given directly) for `requests` and store
    its determinations. No service configured: nothing is asked or written (the table stays as it is, empty by
    default). An unusable answer raises TaxServiceError and writes nothing."""
    ensure_tax_tables(con)
    name = settings.tax_service if service is None else f"{type(service).__module__}:{type(service).__qualname__}"
    service = service if service is not None else load_tax_service(settings)
    if service is None or name is None:
        return ExternalTaxReport(service=None)
    report = ExternalTaxReport(service=name, requested=len(requests))
    if not requests:
        return report
    determinations = list(service.determine(list(requests)))
    report.problems = validate(requests, determinations)
    if report.problems:
        raise TaxServiceError(f"tax service {name}: " + "; ".join(report.problems))
    report.written = write_determinations(con, requests, determinations, name, now or datetime.now(UTC))
    return report
