"""The monitoring system's monthly SLA metrics extract for the demo clients (orchestration/sources/sla_metrics.py).

One file per month, ``sla/opsmon/<YYYY-MM>/availability.csv``: a row per client and IT service the clients
subscribe to, with the minutes measured and the unplanned downtime. The downtime figures are fixed, not drawn, so
the credits they earn are known: INITECH's backup service breaches its 99.9 % target in October 2026 (262 of
44,640 minutes down: 99.413 %, the 10 % band); UMBRELLA's container platform dips to 99.699 % in September, under
the standard schedule's 99.9 % band but at or above UMBRELLA's own 99.5 % target, so it earns nothing.
SIRIUS's database is measured from its start on 2026-09-16 09:30 (21,030 minutes in September). INITECH's
database has no SLA target: measured, never credited.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from orchestration.demo.delivery import Delivery, csv_text, stamp, write_text
from orchestration.demo.periods import BillingPeriod, at_midnight
from orchestration.sources.sla_metrics import EXTRACT_NAME, REQUIRED_COLUMNS

SOURCE = "sla"
SOURCE_SYSTEM = "opsmon"

# (client, IT service) -> {month: (minutes measured or None for the whole month, downtime minutes)}
MEASUREMENTS: dict[tuple[str, str], dict[str, tuple[int | None, int]]] = {
    ("INITECH", "IT-BACKUP"): {"2026-08": (None, 12), "2026-09": (None, 0), "2026-10": (None, 262)},
    ("INITECH", "IT-DATABASE"): {"2026-08": (16_435, 5), "2026-09": (None, 20), "2026-10": (None, 3)},
    ("SIRIUS", "IT-DATABASE"): {"2026-09": (21_030, 15), "2026-10": (None, 44)},
    ("UMBRELLA", "IT-CONTAINERS"): {"2026-08": (None, 0), "2026-09": (None, 130), "2026-10": (None, 20)},
}


# The monitoring team's correction of September, delivered after September's invoices were issued: a backup
# outage on 2026-09-24 (75 minutes) was missing from the first extract. 99.826 % is under INITECH's 99.9 % target:
# the restated month earns a 10 % credit, issued as a credit note against the September invoice.
CORRECTED_PERIOD = "2026-09"
CORRECTIONS: dict[tuple[str, str], dict[str, tuple[int | None, int]]] = {
    ("INITECH", "IT-BACKUP"): {"2026-09": (None, 75)},
}


def build_month(period: BillingPeriod, *, corrected: bool = False) -> list[list[str]]:
    month_minutes = period.day_count * 24 * 60
    rows: list[list[str]] = []
    measurements = {key: dict(months) for key, months in MEASUREMENTS.items()}
    if corrected:
        for key, months in CORRECTIONS.items():
            measurements[key].update(months)
    for (client_id, service_id), months in sorted(measurements.items()):
        if period.label not in months:
            continue
        measured, downtime = months[period.label]
        rows.append(
            [
                f"AVL-{period.label}-{client_id}-{service_id}",
                client_id,
                service_id,
                period.start.isoformat(),
                period.end.isoformat(),
                str(measured if measured is not None else month_minutes),
                str(downtime),
                SOURCE_SYSTEM,
            ]
        )
    return rows


def delivery_time(period: BillingPeriod) -> datetime:
    """The extract runs at 01:00 UTC on the first day after the month."""
    return at_midnight(period.end) + timedelta(hours=1)


def write_month(landing_dir: Path, period: BillingPeriod, *, corrected: bool = False) -> Delivery:
    """The month's extract; `corrected` re-delivers it with CORRECTIONS applied, three weeks later."""
    rows = build_month(period, corrected=corrected)
    path = landing_dir / SOURCE / SOURCE_SYSTEM / period.label / EXTRACT_NAME
    write_text(path, csv_text(REQUIRED_COLUMNS, rows))
    delivered = delivery_time(period) + (timedelta(days=21) if corrected else timedelta(0))
    stamp(path, delivered)
    return Delivery(path, SOURCE, period.iso, delivered, len(rows))
