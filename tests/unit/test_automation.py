"""The monthly schedule and the landing-zone sensor, exercised with Dagster's own test helpers."""

import dataclasses
import json
import os
from datetime import date, datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.automation import affected_periods, landing_zone_sensor, monthly_close_schedule
from orchestration.demo import aws_cur as demo_aws
from orchestration.demo import azure_cost as demo_azure
from orchestration.demo.periods import DEMO_PERIODS
from orchestration.settings import load_settings
from orchestration.sources import FORMATS

HEADER = "datacenter_id,billing_period_start,usage_start,usage_end,project,vm_name,cost,currency\n"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BILLING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BILLING_CLOSE_DAY", "4")
    monkeypatch.setenv("BILLING_CLOSE_HOUR", "7")
    return load_settings()


def drop(settings, name: str, period: str, body: str | None = None) -> Path:
    path = settings.landing_dir / "onprem" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    row = f"DC-LON1,{period}-01,{period}-02T00:00:00Z,{period}-03T00:00:00Z,PRJ-001,vm-1,1.00,USD\n"
    path.write_text(HEADER + (row if body is None else body), encoding="utf-8")
    return path


def test_schedule_closes_the_previous_month_on_the_configured_day_and_hour(settings) -> None:
    schedule = monthly_close_schedule(settings)
    assert schedule.cron_schedule == "0 7 4 * *"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 11, 4, 7, 0))
    requests = list(schedule.evaluate_tick(context).run_requests or [])
    assert [r.partition_key for r in requests] == ["2026-10-01"]


def test_sensor_requests_one_run_per_affected_period_then_goes_quiet(settings) -> None:
    sensor = landing_zone_sensor(settings)
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    drop(settings, "a.csv", "2026-08")
    drop(settings, "b.csv", "2026-09")
    drop(settings, "c.csv", "2026-09")
    with dg.instance_for_test() as instance:
        first = sensor(dg.build_sensor_context(instance=instance))
        assert sorted(r.partition_key for r in first.run_requests) == ["2026-08-01", "2026-09-01"]
        quiet = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert quiet.run_requests == [] and quiet.skip_reason is not None
        changed = drop(
            settings,
            "c.csv",
            "2026-09",
            body="DC-LON1,2026-09-01,2026-09-05T00:00:00Z,2026-09-06T00:00:00Z,PRJ-002,vm-2,2.50,USD\n",
        )
        os.utime(changed, (changed.stat().st_atime, changed.stat().st_mtime + 10))
        again = sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert [r.partition_key for r in again.run_requests] == ["2026-09-01"]
        assert set(json.loads(again.cursor)) == {"onprem/a.csv", "onprem/b.csv", "onprem/c.csv"}


def test_sensor_routes_an_unreadable_file_to_the_latest_close(settings) -> None:
    drop(settings, "bad.csv", "2026-09", body="DC-LON1,2026-09-01,yesterday,2026-09-03T00:00:00Z,PRJ-001,vm,1,USD\n")
    with dg.instance_for_test() as instance:
        result = landing_zone_sensor(settings)(dg.build_sensor_context(instance=instance))
    assert len(result.run_requests) == 1  # the latest closable month, whose ingest quarantines the file


def test_close_job_schedule_and_sensor_are_in_the_code_location(settings) -> None:
    from orchestration.definitions import build_definitions

    defs = build_definitions()
    assert defs.resolve_job_def("close_month").partitions_def is not None
    assert defs.resolve_schedule_def("monthly_close").job_name == "close_month"
    assert defs.resolve_sensor_def("landing_zone_sensor").job_name == "close_month"
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw/aws_cur", "marts/fct_reconciliation", "audit/issued_invoices", "marts/fct_invoices"} <= keys


def test_a_file_spanning_two_periods_affects_both(tmp_path: Path) -> None:
    path = tmp_path / "landing" / "focus" / "both.csv"
    path.parent.mkdir(parents=True)
    header = "BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,"
    header += "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory\n"
    rows = "".join(
        f"A1,{start},{end},{start},{start},1,1,USD,Usage\n"
        for start, end in (("2026-08-01", "2026-09-01"), ("2026-09-01", "2026-10-01"))
    )
    path.write_text(header + rows, encoding="utf-8")
    assert affected_periods([("focus", path)]) == ({date(2026, 8, 1), date(2026, 9, 1)}, [], [])


def test_the_sensor_reads_a_big_exports_period_without_parsing_its_rows(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month-end CUR of millions of lines parsed row by row took the sensor minutes and gigabytes (beyond a sensor's
    time): a CUR's or Azure export's period is read from the file's first rows instead, as the ingest does, and a
    FOCUS file's periods (it may span several) from its BillingPeriodStart column, in DuckDB."""
    september, october = DEMO_PERIODS[-2], DEMO_PERIODS[-1]
    demo_aws.write_month(settings.landing_dir / "aws_cur" / "cur2", 2026, september)
    demo_azure.write_month(settings.landing_dir / "azure_cost" / "ea", 2026, october)
    drop(settings, "dc.csv", "2026-08")
    spanning = settings.landing_dir / "focus" / "saas" / "focus.csv"
    spanning.parent.mkdir(parents=True)
    header = "BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,"
    header += "BilledCost,EffectiveCost,BillingCurrency,ChargeCategory\n"
    rows = "A1,2026-07-01,2026-08-01,2026-07-01,2026-07-02,1,1,USD,Usage\n"
    rows += "A1,2026-06-01T00:00:00Z,2026-07-01,2026-06-01,2026-06-02,1,1,USD,Usage\n"
    spanning.write_text(header + rows, encoding="utf-8")

    def row_by_row(path: Path):
        raise AssertionError(f"{path.name} parsed row by row")

    for source in ("aws_cur", "azure_cost", "focus"):
        monkeypatch.setitem(FORMATS, source, dataclasses.replace(FORMATS[source], parse=row_by_row))
    with dg.instance_for_test() as instance:
        result = landing_zone_sensor(settings)(dg.build_sensor_context(instance=instance))
    assert sorted(r.partition_key for r in result.run_requests) == [
        "2026-06-01",
        "2026-07-01",
        "2026-08-01",
        "2026-09-01",
        "2026-10-01",
    ]
