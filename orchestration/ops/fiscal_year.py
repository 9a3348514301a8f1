"""Fiscal years and quarters, from the same setting dbt uses (var `fiscal_year_start_month`).

A fiscal year is named by the calendar year it ends in: with the start month 1 (January) fiscal year 2026 is
calendar 2026; with 4 (April) fiscal year 2027 runs 2026-04-01 up to 2027-04-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

import yaml

from orchestration.ops.errors import OpsError
from orchestration.settings import DBT_PROJECT_DIR

FISCAL_YEAR_START_MONTH_VAR = "fiscal_year_start_month"


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)


@dataclass(frozen=True)
class FiscalCalendar:
    start_month: int = 1

    def year_start(self, fiscal_year: int) -> date:
        return date(fiscal_year if self.start_month == 1 else fiscal_year - 1, self.start_month, 1)

    def year_end(self, fiscal_year: int) -> date:
        """Exclusive: the first day of the next fiscal year."""
        return add_months(self.year_start(fiscal_year), 12)

    def year_of(self, day: date) -> int:
        return day.year if self.start_month == 1 or day.month < self.start_month else day.year + 1

    def quarter_start(self, fiscal_year: int, quarter: int) -> date:
        return add_months(self.year_start(fiscal_year), 3 * (quarter - 1))


@cache
def fiscal_calendar() -> FiscalCalendar:
    """The calendar dbt_project.yml declares; one setting for the models and for rate-card validation."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    month = int((project.get("vars") or {}).get(FISCAL_YEAR_START_MONTH_VAR, 1))
    if not 1 <= month <= 12:
        raise OpsError(f"dbt_project.yml var {FISCAL_YEAR_START_MONTH_VAR}={month} is not a month; set it to 1..12")
    return FiscalCalendar(month)
