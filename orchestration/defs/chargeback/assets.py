"""Department statements: what each department is charged (chargeback) or shown (showback) for the period."""

import dagster as dg

from orchestration.defs.invoicing.assets import CLOSED_ALLOCATIONS
from orchestration.defs.partitions import billing_period, period_of
from orchestration.documents.department_statements import write_statements
from orchestration.resources import DocumentsResource, WarehouseResource

DEPARTMENT_STATEMENTS = dg.AssetKey(["documents", "department_statements"])


@dg.asset(
    key=DEPARTMENT_STATEMENTS,
    group_name="chargeback",
    kinds={"python", "pdf", "csv"},
    deps=[dg.AssetKey(["marts", "fct_chargeback_lines"]), CLOSED_ALLOCATIONS],
    partitions_def=billing_period,
)
def department_statements(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, documents: DocumentsResource
) -> dg.MaterializeResult:
    """A statement per department and period, CSV and PDF, under data/output/statements/<YYYY-MM>/: chargeback
    departments see what they are charged, showback departments the same cost for information only. Written
    after the books are closed, from marts.fct_chargeback_lines; a re-close rewrites them identically."""
    period = period_of(context.partition_key)
    with warehouse.connect() as con:
        written = write_statements(con, period, documents.path)
    departments = sorted({path.stem for path in written})
    context.log.info(f"{len(departments)} department statement(s) for {period:%Y-%m} in {documents.path}")
    return dg.MaterializeResult(
        metadata={
            "statements": len(departments),
            "departments": ", ".join(departments) or "none",
            "directory": dg.MetadataValue.path(str(documents.path / "statements" / f"{period:%Y-%m}")),
        }
    )
