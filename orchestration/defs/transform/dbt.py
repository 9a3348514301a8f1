"""dbt models as Dagster assets: the FOCUS, allocation, chargeback and draft-invoice layers, and the
invoice marts that read the finalized (frozen) invoices back."""

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from uuid import uuid4

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.defs.close import ENGINE_TAG
from orchestration.defs.partitions import billing_period, period_of
from orchestration.defs.quality.checks import GX_GATES
from orchestration.defs.quality.gates import import_great_expectations
from orchestration.defs.transform.incremental import (
    IncrementalModel,
    absent_models,
    drop_stale_models,
    incremental_models,
    read_fingerprints,
    record_fingerprints,
)
from orchestration.defs.transform.period_tests import ENVIRONMENT as PERIOD_TESTS_ENVIRONMENT
from orchestration.defs.transform.period_tests import closing_period_only, project_fingerprint, record_tested
from orchestration.defs.transform.records import read_record
from orchestration.defs.transform.reference_data import (
    ReferenceData,
    all_passed,
    content_digest,
    record_build,
    reference_data,
    unchanged,
)
from orchestration.engines import dbt_command
from orchestration.engines.lake import sync_lake
from orchestration.engines.spark import expose_spark_tables, table_models
from orchestration.ops.snapshot import snapshot_ops_store
from orchestration.resources import EngineResource, OpsStoreResource, WarehouseResource, dbt_project

PARTIAL_PARSE = "partial_parse.msgpack"

# Everything that reads what finalization froze (invoices, closed allocation totals) runs after it, in its
# own dbt invocation: the invoice marts, and the billing-operations models that read them (receivables, disputes).
FINALIZED_MODELS = (
    "path:models/staging/audit fct_invoices fct_invoice_lines fct_allocation_restatements "
    "path:models/intermediate/receivables path:models/intermediate/disputes path:models/marts/operations"
    " fct_invoice_line_lineage"
    " path:models/intermediate/costs path:models/marts/costs"
)

# The close's dbt steps in the order they run (the @dbt_assets names below): each reads what the earlier one wrote.
DBT_STEPS = ("billing_models", "invoice_marts")


class BillingDbtTranslator(DagsterDbtTranslator):
    """Keys by warehouse schema (`marts/fct_reconciliation`, `reference/contracts`); groups by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference_data"
        return dbt_resource_props.get("schema") or "transform"


def period_environment(partition_key: str) -> dict[str, str]:
    """The billing period, for a model that needs it: `env_var('BILLING_PERIOD_START')`. Not `--vars`: dbt
    re-parses the whole project whenever its command-line vars change, an environment variable re-parses only the
    files that read it."""
    return {"BILLING_PERIOD_START": period_of(partition_key).isoformat()}


def build_arguments(engine: EngineResource) -> list[str]:
    """`dbt build` of a close step: without dbt unit tests, which check the SQL, not the month's data (they run once
    per engine outside the close, as dbt advises: tests/integration/test_dbt_unit_tests.py on DuckDB,
    `make test-spark-unit` on Spark), building as many nodes at once as BILLING_DBT_THREADS says. On DuckDB without
    writing dbt's manifest again (`billing-dbt --no-write-manifest`): the close reads the prepared one; on Spark the
    invocation's own manifest says which models are tables (expose_spark_tables)."""
    skip_manifest = [] if engine.is_spark else [dbt_command.NO_MANIFEST_FLAG]
    return ["build", "--exclude-resource-type", "unit_test", *skip_manifest, "--threads", str(engine.dbt_threads)]


def _target_path(context: dg.AssetExecutionContext, engine: EngineResource) -> Path | None:
    """This invocation's dbt target directory in the data directory, holding the partial-parse state of the
    previous invocation on the same warehouse and engine. dbt checks that state itself (files, profile, target,
    vars, env vars) and parses afresh whatever changed; a warehouse's first invocation parses the whole project,
    because the profile names the warehouse file."""
    if not engine.dbt_dir:
        return None
    run_dir = (
        Path(engine.dbt_dir) / f"{context.op_execution_context.op.name}-{context.run.run_id[:8]}-{uuid4().hex[:7]}"
    )
    run_dir.mkdir(parents=True, exist_ok=True)
    saved = _parse_state(engine)
    if saved.exists():
        shutil.copyfile(saved, run_dir / PARTIAL_PARSE)
    return run_dir


def _parse_state(engine: EngineResource) -> Path:
    return Path(engine.dbt_dir) / f"{engine.engine}-{PARTIAL_PARSE}"


def _fingerprints_path(engine: EngineResource) -> Path:
    return Path(engine.dbt_dir) / f"{engine.engine}-incremental-models.json"


def _reference_record_path(engine: EngineResource) -> Path:
    return Path(engine.dbt_dir) / f"{engine.engine}-reference-data.json"


def _build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    engine: EngineResource,
    ops_store: OpsStoreResource | None = None,
) -> Iterator[Any]:
    # dbt runs as a subprocess; its profile reads the warehouse path and the engine's settings from the environment.
    os.environ.update(engine.dbt_environment(warehouse.path))
    Path(warehouse.path).parent.mkdir(parents=True, exist_ok=True)
    if ops_store is not None:
        # Here, after ingest and before the first dbt model: the close charges with the rate cards published
        # when it started; one published while it runs waits for the next close. Before the lake sync, so
        # Spark reads the same snapshot.
        with warehouse.connect() as con:
            context.log.info(snapshot_ops_store(Path(ops_store.path), con).summary())
    if engine.is_spark:
        # Spark reads what was delivered and issued from the Parquet mirror of raw.* and audit.*.
        with warehouse.connect() as con:
            context.log.info(sync_lake(con, Path(engine.lake_dir)).summary())
    args = build_arguments(engine)
    os.environ.update(period_environment(context.partition_key))
    target_path = _target_path(context, engine)
    manifest = None if engine.is_spark or target_path is None else _manifest()
    incremental = [] if manifest is None else _incremental_models_built(context, manifest)
    reference = None if manifest is None else _reference_data_built(context, engine, manifest)
    fingerprints = read_fingerprints(_fingerprints_path(engine)) if incremental else {}
    reference_kept, record, rebuilt_whole = False, {}, False
    if incremental or reference:
        with warehouse.connect() as con:
            for model in drop_stale_models(con, incremental, fingerprints):
                context.log.info(f"{model.schema}.{model.name} changed since it was built: rebuilt for every period")
            rebuilt_whole = bool(absent_models(con, incremental))
            if reference:
                record = read_record(_reference_record_path(engine))
                reference_kept = unchanged(record, reference, content_digest(con, reference))
    if reference and reference_kept and manifest is not None:
        # `cautious`: a test is left out with the nodes excluded only when it reads nothing else, so the tests reading
        # reference data and this month's rows still run. Under it the tests reading a model of a later step must be
        # named (the default, `eager`, left them out with that model).
        args += ["--indirect-selection", "cautious"]
        args += ["--exclude", " ".join([*reference.selectors, *_tests_reading_other_steps(context, manifest)])]
        counts = reference.counts
        context.log.info(
            f"reference data unchanged since run {record.get('built_by_run', '?')}: {counts.get('seed', 0)} seeds, "
            f"{counts.get('model', 0)} models and {counts.get('test', 0)} data tests not run again"
        )
        yield from _kept_reference_outputs(context, engine, reference, record.get("built_by_run", ""))
    tested = _period_tests(context, manifest, engine, rebuilt_whole)
    try:
        invocation = dbt.cli(args, context=context, target_path=target_path)
        if run_evaluates_gates(context):
            # dbt starts in its own process (importing dbt, loading the prepared parse, selecting: ~3 s on two
            # cores) while this one imports Great Expectations for the gates after the models, off the close's path.
            import_great_expectations()
        for event in invocation.stream():
            if isinstance(event, dg.AssetObservation) and dbt_test_status(event) == "pass":
                continue
            if isinstance(event, dg.Output | dg.AssetMaterialization):
                event = event.with_metadata({**event.metadata, ENGINE_TAG: engine.engine})
            yield event
    finally:
        if incremental and target_path is not None:
            record_fingerprints(_fingerprints_path(engine), incremental, target_path / "run_results.json", fingerprints)
        if reference and not reference_kept and target_path is not None:
            _record_reference_data(context, warehouse, engine, reference, target_path / "run_results.json")
        if tested is not None and target_path is not None:
            _record_period_tests(context, engine, tested, target_path / "run_results.json")
    if target_path is not None and (target_path / PARTIAL_PARSE).exists():
        shutil.copyfile(target_path / PARTIAL_PARSE, _parse_state(engine))
    if engine.is_spark:
        # Gates, finalization and reports read the warehouse: point its relations at what Spark wrote, as this
        # invocation parsed the project for Spark (the prepared manifest is DuckDB's, where a model such as
        # fct_cost_allocations is a view but a table on Spark).
        tables = table_models(_invocation_manifest(target_path))
        with warehouse.connect() as con:
            exposed = expose_spark_tables(con, Path(engine.spark_warehouse_dir), tables)
        context.log.info(f"{len(exposed)} Spark table(s) readable in the warehouse as views")


def run_evaluates_gates(context: dg.AssetExecutionContext) -> bool:
    """Whether this run evaluates a Great Expectations gate (a run naming no checks runs its job's)."""
    selection = context.run.asset_check_selection
    return selection is None or bool(selection & GX_GATES)


def _period_tests_path(engine: EngineResource) -> Path:
    return Path(engine.dbt_dir) / f"{engine.engine}-period-tests.json"


def _period_tests(
    context: dg.AssetExecutionContext, manifest: dict[str, Any] | None, engine: EngineResource, rebuilt_whole: bool
) -> str | None:
    """Says to dbt, through the environment, whether this step's data tests check the closing period only
    (orchestration/defs/transform/period_tests.py). Returns the project's fingerprint when the step tests every period
    with every node selected, to be recorded once they all pass; None otherwise."""
    os.environ[PERIOD_TESTS_ENVIRONMENT] = ""
    if manifest is None:
        return None  # Spark rebuilds every table whole, so every period is tested
    step = context.assets_def.op.name
    fingerprint = project_fingerprint(manifest)
    later = DBT_STEPS[DBT_STEPS.index(step) + 1 :] if step in DBT_STEPS else DBT_STEPS
    if closing_period_only(_period_tests_path(engine), step, fingerprint, rebuilt_whole, later):
        os.environ[PERIOD_TESTS_ENVIRONMENT] = "1"
        context.log.info("data tests check the closing period only: every other was tested in full by this release")
        return None
    context.log.info(
        "data tests check every period: "
        + ("a model is rebuilt for every period" if rebuilt_whole else "this release has not tested them all yet")
    )
    if context.selected_asset_keys != set(context.assets_def.node_keys_by_output_name.values()):
        return None  # a subset picked in the UI does not run every test of the step
    return fingerprint


def _record_period_tests(
    context: dg.AssetExecutionContext, engine: EngineResource, fingerprint: str, run_results_path: Path
) -> None:
    step = context.assets_def.op.name
    if record_tested(_period_tests_path(engine), step, fingerprint, run_results_path):
        context.log.info(f"{step}: every period tested and passed; later closes test their own period only")


def _invocation_manifest(target_path: Path | None) -> Path:
    """The manifest dbt wrote for this invocation's target, else the prepared one."""
    written = target_path / "manifest.json" if target_path is not None else None
    return written if written is not None and written.is_file() else dbt_project().manifest_path


def _manifest() -> dict[str, Any]:
    return json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))


def _incremental_models_built(context: dg.AssetExecutionContext, manifest: dict[str, Any]) -> list[IncrementalModel]:
    """The period-incremental models this step builds: a table dropped before dbt runs must be rebuilt by the same
    invocation (the UI may materialize a subset; invoice_marts builds none of them)."""
    return [
        model
        for model in incremental_models(manifest)
        if dg.AssetKey([model.schema, model.name]) in context.selected_asset_keys
    ]


def _reference_data_built(
    context: dg.AssetExecutionContext, engine: EngineResource, manifest: dict[str, Any]
) -> ReferenceData | None:
    """The reference data (orchestration/defs/transform/reference_data.py) when this step builds every asset it has: a
    close's first dbt step does."""
    if context.selected_asset_keys != set(context.assets_def.node_keys_by_output_name.values()):
        return None  # a subset picked in the UI: dbt's selection of it is dagster-dbt's, left as it is
    reference = reference_data(manifest, Path(engine.seeds_dir))
    keys = {dg.AssetKey([relation.schema, relation.name]) for relation in reference.relations}
    if not keys or not keys <= context.selected_asset_keys:
        return None
    return reference


def _tests_reading_other_steps(context: dg.AssetExecutionContext, manifest: dict[str, Any]) -> list[str]:
    """The data tests reading a model or seed that this step does not build (invoice_marts' models): they run in the
    step that builds it."""
    own = set(context.assets_def.node_keys_by_output_name.values())
    nodes = manifest["nodes"]
    names = []
    for node in nodes.values():
        if node["resource_type"] != "test":
            continue
        parents = [nodes[parent] for parent in node["depends_on"].get("nodes", []) if parent in nodes]
        if any(
            parent["resource_type"] in ("model", "seed", "snapshot") and TRANSLATOR.get_asset_key(parent) not in own
            for parent in parents
        ):
            names.append(node["name"])
    return sorted(names)


def _kept_reference_outputs(
    context: dg.AssetExecutionContext, engine: EngineResource, reference: ReferenceData, built_by_run: str
) -> Iterator[dg.Output]:
    """An output for each reference asset dbt does not build this time that another step reads, so that step runs
    (a step whose input was not produced is skipped); its metadata says it was kept, and since which run. One
    read only within this step gets none: each output is an event written to the run's log (~20 ms each)."""
    graph = context.op_execution_context.job_def.asset_layer.asset_graph
    own = set(context.assets_def.keys)
    for relation in reference.relations:
        key = dg.AssetKey([relation.schema, relation.name])
        if all(child in own for child in graph.get(key).child_keys):
            continue
        yield dg.Output(
            None,
            output_name=context.assets_def.get_output_name_for_asset_key(key),
            metadata={ENGINE_TAG: engine.engine, "billing/kept_from_run": built_by_run},
        )


def _record_reference_data(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    engine: EngineResource,
    reference: ReferenceData,
    run_results_path: Path,
) -> None:
    """Records what the reference data was built from and holds, when every one of its nodes passed."""
    if not all_passed(reference, run_results_path):
        return
    with warehouse.connect() as con:
        digest = content_digest(con, reference)
    if digest is not None:
        record_build(_reference_record_path(engine), reference, digest, context.run.run_id)


def dbt_test_status(event: dg.AssetObservation) -> str | None:
    """pass, fail, warn or error of the dbt test an observation reports; None for any other observation."""
    status = event.metadata.get("status")
    value = getattr(status, "value", status)
    return value if isinstance(value, str) else None


# dbt's ~600 data tests are not Dagster asset checks: each check costs a planned event, an evaluation event and a
# check record in the run's event log, one SQLite write at a time — about a third of a small close (measured with
# py-spy, see README "Tests"). A failing test still fails `dbt build`, hence the step, and everything downstream
# of it (finalization included) is skipped; the failed test is kept as an observation on its model for the UI and
# the close's summary, a passing one is only in dbt's run_results.json of the invocation (data/dbt/).
TRANSLATOR = BillingDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    exclude=FINALIZED_MODELS,
    partitions_def=billing_period,
    dagster_dbt_translator=TRANSLATOR,
    name="billing_models",
)
def billing_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    engine: EngineResource,
    ops_store: OpsStoreResource,
) -> Iterator[Any]:
    """Seeds, staging, FOCUS normalization, cost allocation, chargeback, reconciliation and draft invoices,
    built on the configured engine (BILLING_ENGINE), from a snapshot of the published rate cards."""
    yield from _build(context, dbt, warehouse, engine, ops_store)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    select=FINALIZED_MODELS,
    partitions_def=billing_period,
    dagster_dbt_translator=TRANSLATOR,
    name="invoice_marts",
)
def invoice_marts(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, engine: EngineResource
) -> Iterator[Any]:
    """Invoice marts (finalized invoices from the frozen audit copies, everything else as drafts), the
    allocation restatement report against the closed cost-center totals, and billing operations: receivables
    aging with payments matched to invoices and notes, and disputes with their SLA."""
    yield from _build(context, dbt, warehouse, engine)
