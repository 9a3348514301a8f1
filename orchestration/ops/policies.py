"""Finance's billing-operations policies, read from the seeds dbt also loads: the dispute SLA in business days
(seeds/dispute_sla_policy.csv, seeds/business_holidays.csv), the materiality threshold above which an adjustment
needs two approvers (seeds/adjustment_approval_policy.csv), currencies' minor units and tax rounding modes."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from orchestration.ops.errors import OpsError

SLA_STAGES = ("acknowledge", "investigate", "resolve")
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN}


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise OpsError(f"{path} is missing; it is finance's billing-operations policy (see the README)")
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _decimal(path: Path, row: int, column: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise OpsError(f"{path} row {row}: {column} {text!r} is not a number") from None
    if not value.is_finite():
        raise OpsError(f"{path} row {row}: {column} {text!r} is not a number")
    return value


@dataclass(frozen=True)
class BusinessCalendar:
    """Monday to Friday, except the listed holidays (UTC days)."""

    holidays: frozenset[date]

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same time of day `days` business days later; a start outside business days counts from the next
        business day's beginning (a dispute opened on Saturday is due as if opened Monday 00:00)."""
        moment = start.astimezone(UTC)
        if not self.is_business_day(moment.date()):
            day = moment.date()
            while not self.is_business_day(day):
                day += timedelta(days=1)
            moment = datetime.combine(day, time(0), UTC)
        day, left = moment.date(), days
        while left > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                left -= 1
        return datetime.combine(day, moment.timetz())


@dataclass(frozen=True)
class OperationsPolicy:
    sla_business_days: dict[str, int]
    calendar: BusinessCalendar
    materiality_thresholds: dict[str, Decimal]
    minor_units: dict[str, int]
    tax_rounding: dict[str, str]  # jurisdiction id -> half_up | half_even | down

    def due(self, opened_at: datetime) -> dict[str, datetime]:
        return {
            stage: self.calendar.add_business_days(opened_at, self.sla_business_days[stage]) for stage in SLA_STAGES
        }

    def threshold(self, currency: str) -> Decimal:
        if currency not in self.materiality_thresholds:
            raise OpsError(
                f"currency {currency} has no materiality threshold in seeds/adjustment_approval_policy.csv; finance "
                "adds one before adjustments in it can be proposed"
            )
        return self.materiality_thresholds[currency]

    def round_money(self, amount: Decimal, currency: str, mode: str = "half_up") -> Decimal:
        if currency not in self.minor_units:
            raise OpsError(f"currency {currency} is not in seeds/currencies.csv")
        return amount.quantize(Decimal(1).scaleb(-self.minor_units[currency]), rounding=ROUNDING[mode])


def load_policy(seeds_dir: Path) -> OperationsPolicy:
    sla_path = seeds_dir / "dispute_sla_policy.csv"
    sla: dict[str, int] = {}
    for number, row in enumerate(_rows(sla_path), start=2):
        if row.get("stage") in SLA_STAGES:
            try:
                sla[row["stage"]] = int(row.get("business_days", ""))
            except ValueError:
                raise OpsError(f"{sla_path} row {number}: business_days must be a whole number") from None
    missing = [stage for stage in SLA_STAGES if stage not in sla]
    if missing:
        raise OpsError(f"{sla_path} has no business_days for {', '.join(missing)}; add a row per stage")
    holidays_path = seeds_dir / "business_holidays.csv"
    holidays = set()
    for number, row in enumerate(_rows(holidays_path), start=2):
        try:
            holidays.add(date.fromisoformat(row.get("holiday_date", "")))
        except ValueError:
            raise OpsError(f"{holidays_path} row {number}: holiday_date must be YYYY-MM-DD") from None
    policy_path = seeds_dir / "adjustment_approval_policy.csv"
    thresholds = {
        row["currency"]: _decimal(policy_path, number, "materiality_threshold", row.get("materiality_threshold", ""))
        for number, row in enumerate(_rows(policy_path), start=2)
    }
    minor_units = {row["currency_code"]: int(row["minor_units"]) for row in _rows(seeds_dir / "currencies.csv")}
    rounding = {row["jurisdiction_id"]: row["rounding_mode"] for row in _rows(seeds_dir / "tax_jurisdictions.csv")}
    return OperationsPolicy(sla, BusinessCalendar(frozenset(holidays)), thresholds, minor_units, rounding)
