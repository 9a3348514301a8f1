"""What a rate card version must satisfy before finance can approve it (and again when it is published).

Each problem is one sentence naming the version, the row (file and line) and what to do, so that the first one
can be the command's single `error:` line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from orchestration.ops.fiscal_year import FiscalCalendar
from orchestration.ops.rate_card_seeds import BUNDLES_FILE, RATE_CARDS_FILE, BundleLine, RateCardLine, VersionContent

RATE_TYPES = ("unit_price", "cost_recovery")
# The seeds are typed decimal(38,10) in dbt: more places would be rounded silently when the seed loads.
DECIMAL_PLACES = 10
INTEGER_DIGITS = 28
VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


def _where(line: RateCardLine) -> str:
    return f"{RATE_CARDS_FILE} line {line.line}" if line.line else f"new row of {RATE_CARDS_FILE}"


def _where_bundle(line: BundleLine) -> str:
    return f"{BUNDLES_FILE} line {line.line}" if line.line else f"new row of {BUNDLES_FILE}"


def parse_decimal(text: str) -> Decimal | str:
    """The seed's decimal exactly (never through float), or why it is not one: plain digits, at most 10 places."""
    if not text:
        return "is empty"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return "is not a decimal number"
    # Decimal also reads 'NaN', '1e3' and '1_000'; the warehouse's cast does not, so neither do we.
    if not value.is_finite() or not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return "is not a plain decimal number"
    if value < 0:
        return "is negative"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > DECIMAL_PLACES:
        return f"has more than {DECIMAL_PLACES} decimal places"
    if value.adjusted() >= INTEGER_DIGITS:
        return f"has more than {INTEGER_DIGITS} digits before the decimal point"
    return value


def parse_date(text: str) -> date | None:
    if not DATE_PATTERN.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _agreed(content: VersionContent, column: str) -> tuple[str | None, str | None]:
    """The value every row has in a column, or a problem naming two rows that disagree."""
    first = content.rates[0]
    for line in content.rates[1:]:
        if getattr(line, column) != getattr(first, column):
            return None, (
                f"rate card {content.version}: rows disagree on {column} ({getattr(first, column) or 'empty'} on "
                f"{RATE_CARDS_FILE} line {first.line}, {getattr(line, column) or 'empty'} on line {line.line}); "
                "every row of a version has the same fiscal_year, valid_from and valid_to"
            )
    return getattr(first, column), None


def _validity_problems(content: VersionContent, calendar: FiscalCalendar) -> list[str]:
    version, first = content.version, content.rates[0]
    problems: list[str] = []
    agreed = {}
    for column in ("fiscal_year", "valid_from", "valid_to"):
        value, problem = _agreed(content, column)
        if problem:
            problems.append(problem)
        agreed[column] = value
    if problems:
        return problems
    fiscal_text, from_text, to_text = agreed["fiscal_year"] or "", agreed["valid_from"] or "", agreed["valid_to"] or ""
    if not re.fullmatch(r"\d{4}", fiscal_text):
        return [
            f"rate card {version}: fiscal_year {fiscal_text!r} is not a year ({_where(first)}); "
            "write it as YYYY, e.g. 2026"
        ]
    valid_from = parse_date(from_text)
    if valid_from is None:
        return [
            f"rate card {version}: valid_from {from_text!r} is not a date ({_where(first)}); write it as YYYY-MM-DD"
        ]
    valid_to = parse_date(to_text) if to_text else None
    if to_text and valid_to is None:
        return [f"rate card {version}: valid_to {to_text!r} is not a date ({_where(first)}); write it as YYYY-MM-DD"]
    if valid_to is not None and not valid_from < valid_to:
        return [
            f"rate card {version}: valid_from {valid_from} is not before valid_to {valid_to} ({_where(first)}); "
            "valid_to is the first day it no longer applies"
        ]
    fiscal_year = int(fiscal_text)
    start, end = calendar.year_start(fiscal_year), calendar.year_end(fiscal_year)
    if not (start <= valid_from and valid_to is not None and valid_to <= end):
        shown_to = valid_to.isoformat() if valid_to else "open-ended"
        return [
            f"rate card {version}: validity {valid_from} to {shown_to} is not inside fiscal year {fiscal_year} "
            f"({start} to {end}) ({_where(first)}); a rate card belongs to one fiscal year: keep it within "
            f"{start} and {end}, or change fiscal_year"
        ]
    return []


def _rate_problems(content: VersionContent) -> list[str]:
    version = content.version
    problems: list[str] = []
    seen: dict[tuple[str, str], RateCardLine] = {}
    for line in content.rates:
        what = f"{line.it_service_id or '(no service)'} {line.billing_currency or '(no currency)'}"
        if not line.it_service_id or not line.billing_currency:
            problems.append(
                f"rate card {version}: a row has no it_service_id or billing_currency ({_where(line)}); fill in both"
            )
            continue
        key = (line.it_service_id, line.billing_currency)
        if key in seen:
            problems.append(
                f"rate card {version} prices {what} twice ({RATE_CARDS_FILE} lines {seen[key].line} and "
                f"{line.line}); keep one row per service and currency"
            )
        seen.setdefault(key, line)
        if line.rate_type not in RATE_TYPES:
            problems.append(
                f"rate card {version}: {what} has rate_type {line.rate_type!r} ({_where(line)}); "
                f"use one of {', '.join(RATE_TYPES)}"
            )
        elif line.rate_type == "unit_price" and not line.unit:
            problems.append(
                f"rate card {version}: {what} is unit_price without a unit ({_where(line)}); fill in the "
                "unit it is priced per, or make it cost_recovery"
            )
        rate = parse_decimal(line.unit_rate)
        if isinstance(rate, str):
            problems.append(
                f"rate card {version}: unit_rate {line.unit_rate!r} of {what} {rate} ({_where(line)}); "
                "write a decimal number >= 0 such as 0.060000"
            )
    return problems


def _bundle_problems(content: VersionContent) -> list[str]:
    version = content.version
    priced = {line.it_service_id for line in content.rates}
    problems: list[str] = []
    bundles: dict[str, list[BundleLine]] = defaultdict(list)
    for line in content.bundles:
        bundles[line.bundle_id].append(line)
    for bundle_id, lines in bundles.items():
        if not bundle_id:
            problems.append(
                f"rate card {version}: a bundle row has no bundle_id ({_where_bundle(lines[0])}); fill it in"
            )
            continue
        members: dict[str, BundleLine] = {}
        for line in lines:
            if line.it_service_id not in priced:
                problems.append(
                    f"rate card {version}: bundle {bundle_id} includes {line.it_service_id or '(no service)'}, which "
                    f"the version does not price ({_where_bundle(line)}); price it in {RATE_CARDS_FILE} or remove "
                    "it from the bundle"
                )
            if line.it_service_id in members:
                problems.append(
                    f"rate card {version}: bundle {bundle_id} lists {line.it_service_id} twice ({BUNDLES_FILE} lines "
                    f"{members[line.it_service_id].line} and {line.line}); keep one row per member"
                )
            members.setdefault(line.it_service_id, line)
        first = lines[0]
        for line in lines[1:]:
            if line.discount_percent != first.discount_percent:
                problems.append(
                    f"rate card {version}: bundle {bundle_id} has different discounts ({first.discount_percent!r} on "
                    f"{BUNDLES_FILE} line {first.line}, {line.discount_percent!r} on line {line.line}); "
                    "give every row of a bundle the same discount_percent"
                )
                break
        discount = parse_decimal(first.discount_percent)
        if isinstance(discount, str) or not discount < 100:
            why = discount if isinstance(discount, str) else "is not below 100"
            problems.append(
                f"rate card {version}: discount_percent {first.discount_percent!r} of bundle {bundle_id} {why} "
                f"({_where_bundle(first)}); write a percentage from 0 up to (not including) 100"
            )
    return problems


def version_problems(content: VersionContent, calendar: FiscalCalendar) -> list[str]:
    """Every reason this version cannot be approved, in file order; empty when it can."""
    if not VERSION_PATTERN.fullmatch(content.version):
        return [
            f"rate card version {content.version!r} is not a valid name; use letters, digits, '.', '_' and '-' "
            "such as RC-FY2027.1"
        ]
    if not content.rates:
        return [f"rate card {content.version} has no rows in {RATE_CARDS_FILE}; draft its rates there first"]
    return [*_validity_problems(content, calendar), *_rate_problems(content), *_bundle_problems(content)]
