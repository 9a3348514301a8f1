"""The demo's billing months and the timestamp text formats the providers use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True, order=True)
class BillingPeriod:
    """A calendar-month billing period, [start, end)."""

    start: date

    @property
    def end(self) -> date:
        """First day of the next month (exclusive end, as AWS, GCP and FOCUS state it)."""
        return (self.start.replace(day=28) + timedelta(days=4)).replace(day=1)

    @property
    def last_day(self) -> date:
        """Last day of the month (inclusive end, as Azure EA states it)."""
        return self.end - timedelta(days=1)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range((self.end - self.start).days)]

    @property
    def day_count(self) -> int:
        return (self.end - self.start).days

    @property
    def label(self) -> str:
        """'2026-09'."""
        return self.start.strftime("%Y-%m")

    @property
    def compact(self) -> str:
        """'202609' (GCP invoice.month)."""
        return self.start.strftime("%Y%m")

    @property
    def iso(self) -> str:
        """'2026-09-01' (the ground-truth key)."""
        return self.start.isoformat()


DEMO_PERIODS: tuple[BillingPeriod, ...] = (
    BillingPeriod(date(2026, 8, 1)),
    BillingPeriod(date(2026, 9, 1)),
    BillingPeriod(date(2026, 10, 1)),
)


def period_of(label: str) -> BillingPeriod:
    """BillingPeriod for '2026-09'."""
    year, month = label.split("-")
    return BillingPeriod(date(int(year), int(month), 1))


def at_midnight(day: date) -> datetime:
    """00:00:00 UTC of `day`."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def iso_z(moment: datetime | date) -> str:
    """'2026-09-01T00:00:00Z' (GCP, FOCUS, on-prem, AWS identity_time_interval)."""
    if not isinstance(moment, datetime):
        moment = at_midnight(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_millis_z(moment: datetime | date) -> str:
    """'2026-08-01T00:00:00.000Z' (AWS savings-plan start/end text)."""
    if not isinstance(moment, datetime):
        moment = at_midnight(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def us_date(day: date) -> str:
    """'09/01/2026' (Azure EA)."""
    return day.strftime("%m/%d/%Y")
