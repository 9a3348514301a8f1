"""The publication asset: the last step of a green close."""

from pathlib import Path

import dagster as dg

from orchestration.defs.budgets.assets import deliver_budget_alerts
from orchestration.defs.chargeback.assets import department_statements
from orchestration.defs.invoicing.assets import finalize_invoices
from orchestration.defs.partitions import billing_period, period_of
from orchestration.defs.transform.dbt import billing_models, invoice_marts
from orchestration.publish.policy import PolicyError
from orchestration.publish.release import publish
from orchestration.resources import PublicationResource, WarehouseResource

PUBLISHED_MARTS = dg.AssetKey(["published", "marts"])


@dg.asset(
    key=PUBLISHED_MARTS,
    group_name="publication",
    kinds={"duckdb", "parquet"},
    deps=[billing_models, invoice_marts, finalize_invoices, department_statements, deliver_budget_alerts],
    partitions_def=billing_period,
)
def published_marts(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, publication: PublicationResource
) -> dg.MaterializeResult:
    """A read-only release of every mart under data/published/releases/, made current by swapping the
    data/published/current symlink once it is complete: a DuckDB copy and Parquet partitioned by period for BI
    tools, and one extract per access scope (finance, analyst, each viewed department and client) holding only
    the rows and columns that scope may read (seeds/publication_scopes.csv, publication_restricted_columns.csv).
    It runs only when every upstream step of the close succeeded, so BI tools never see a red close."""
    period = period_of(context.partition_key)
    with warehouse.connect() as con:
        try:
            release = publish(
                con,
                Path(publication.published_dir),
                Path(publication.seeds_dir),
                period=period,
                run_id=context.run.run_id,
            )
        except PolicyError as error:
            raise dg.Failure(description=f"marts not published: {error}", allow_retries=False) from None
    context.log.info(release.summary())
    return dg.MaterializeResult(
        metadata={
            "release": release.name,
            "path": dg.MetadataValue.path(str(Path(publication.published_dir) / "current")),
            "marts": len(release.tables),
            "rows": sum(release.tables.values()),
            "scopes": ", ".join(release.scopes),
            "finance_only_unlisted": ", ".join(release.finance_only_unlisted) or "none",
        }
    )
