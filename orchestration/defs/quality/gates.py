"""Run a Great Expectations suite (JSON in expectations/) on a pandas batch and say which rows failed."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    success: bool
    failing_rows: int
    detail: str


@dataclass(frozen=True)
class GateOutcome:
    suite: str
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    def failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def load_suite(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _label(expectation: dict[str, Any]) -> str:
    kwargs = expectation.get("kwargs", {})
    column = kwargs.get("column")
    return f"{expectation['type']}({column})" if column else expectation["type"]


def _describe(rows: pd.DataFrame, key_columns: list[str], limit: int = 5) -> str:
    shown = rows.head(limit)
    parts = []
    for _, row in shown.iterrows():
        parts.append(", ".join(f"{c}={row[c]}" for c in key_columns if c in row))
    more = f" (+{len(rows) - limit} more)" if len(rows) > limit else ""
    return "; ".join(f"[{p}]" for p in parts) + more


def import_great_expectations() -> None:
    """Import Great Expectations before a gate needs it. Importing it costs ~2.4 s of CPU (its expectation catalogue
    brings in scipy), so it waits until a gate runs; a close imports it while dbt starts in its own process instead
    (orchestration/defs/transform/dbt.py), off the close's path."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401


def run_suite(suite: dict[str, Any], batch: pd.DataFrame, key_columns: list[str]) -> GateOutcome:
    """Validate `batch` against `suite`; failing rows are reported by their `key_columns`."""
    import_great_expectations()
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas(name="warehouse_batches")
    asset = source.add_dataframe_asset(name=suite["name"])
    definition = asset.add_batch_definition_whole_dataframe(name="period")
    configurations = [
        ExpectationConfiguration(type=e["type"], kwargs=e.get("kwargs", {}), meta=e.get("meta"))
        for e in suite["expectations"]
    ]
    gx_suite = ExpectationSuite(name=suite["name"], expectations=configurations)
    result = definition.get_batch(batch_parameters={"dataframe": batch}).validate(gx_suite, result_format="COMPLETE")
    outcomes = []
    for expectation, evaluation in zip(suite["expectations"], result.results, strict=True):
        details = evaluation.result or {}
        indexes = details.get("unexpected_index_list") or []
        failing = batch.loc[[i for i in indexes if i in batch.index]] if indexes else batch.iloc[0:0]
        if evaluation.success:
            detail = ""
        elif len(failing):
            detail = _describe(failing, key_columns)
        else:
            observed = details.get("observed_value")
            detail = f"observed {observed!r}" if observed is not None else "failed on the whole batch"
        count = len(failing) if len(failing) else (0 if evaluation.success else max(1, len(batch)))
        outcomes.append(ExpectationOutcome(_label(expectation), bool(evaluation.success), count, detail))
    return GateOutcome(suite["name"], outcomes)
