"""What `billing close` prints while its run goes: every step's start and end, and inside a step that builds several
assets (the dbt step builds ~160), how many are done, so a ten-million-line month's minutes of dbt are not silent."""

from __future__ import annotations

import dagster as dg

from orchestration.runner import StepFollower


@dg.multi_asset(specs=[dg.AssetSpec("allocations"), dg.AssetSpec("chargeback"), dg.AssetSpec("invoices")])
def models():  # type: ignore[no-untyped-def]
    """Three models built in one step, as dbt builds the warehouse's."""
    yield dg.MaterializeResult(asset_key="allocations")
    yield dg.MaterializeResult(asset_key="chargeback")
    yield dg.MaterializeResult(asset_key="invoices")


@dg.asset(deps=["invoices"])
def publication() -> None:
    """One asset in a step of its own."""


def _run_lines(every: float) -> list[str]:
    instance = dg.DagsterInstance.ephemeral()
    job = dg.Definitions(assets=[models, publication], jobs=[dg.define_asset_job("close")]).resolve_job_def("close")
    result = job.execute_in_process(instance=instance)
    assert result.success
    lines: list[str] = []
    follower = StepFollower(instance, result.run_id, lines.append, every=every)
    follower.poll()
    follower.poll()  # a second poll reads nothing twice
    return [line.split("] ", 1)[1] for line in lines]


def test_a_step_building_several_assets_says_how_many_are_done() -> None:
    assert _run_lines(every=0) == [
        "models: started",
        "models: 1 of 3 assets done (latest allocations)",
        "models: 2 of 3 assets done (latest chargeback)",
        "models: done",
        "publication: started",
        "publication: done",
    ]


def test_progress_lines_wait_for_the_interval() -> None:
    assert _run_lines(every=3600) == [
        "models: started",
        "models: done",
        "publication: started",
        "publication: done",
    ]
