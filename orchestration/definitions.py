"""The billing code location: one Definitions object, built from defs/ when Dagster loads it."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.automation import landing_zone_sensor, monthly_close_schedule
from orchestration.defs.budgets.assets import deliver_budget_alerts
from orchestration.defs.chargeback.assets import department_statements
from orchestration.defs.close import close_month_job
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.invoicing.assets import finalize_invoices
from orchestration.defs.publish.assets import published_marts
from orchestration.defs.quality.checks import gate_checks
from orchestration.defs.transform.dbt import billing_models, invoice_marts
from orchestration.resources import build_resources
from orchestration.settings import load_settings


def build_definitions() -> dg.Definitions:
    settings = load_settings()
    return dg.Definitions(
        assets=[
            *ingest_assets,
            billing_models,
            finalize_invoices,
            invoice_marts,
            department_statements,
            deliver_budget_alerts,
            published_marts,
        ],
        asset_checks=gate_checks,
        jobs=[close_month_job(settings.engine)],
        schedules=[monthly_close_schedule(settings)],
        sensors=[landing_zone_sensor(settings)],
        resources=build_resources(settings),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
