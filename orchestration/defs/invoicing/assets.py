"""The invoice finalization asset: refuses a period whose gates are not green."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.defs.partitions import billing_period, period_of
from orchestration.defs.quality.checks import DRAFT_INVOICE_LINES_KEY, RECONCILIATION_KEY
from orchestration.invoicing.documents import DocumentsChanged, check_issued_documents, write_period_documents
from orchestration.invoicing.finalize import GatesNotPassed, finalize_period
from orchestration.invoicing.register import register_issued_documents
from orchestration.ops.errors import OpsError
from orchestration.resources import DocumentsResource, OpsStoreResource, WarehouseResource

ISSUED_INVOICES = dg.AssetKey(["audit", "issued_invoices"])
ISSUED_INVOICE_LINES = dg.AssetKey(["audit", "issued_invoice_lines"])
ISSUED_DOCUMENTS = dg.AssetKey(["audit", "issued_documents"])
CLOSED_ALLOCATIONS = dg.AssetKey(["audit", "closed_allocations"])


@dg.multi_asset(
    name="finalize_invoices",
    specs=[
        dg.AssetSpec(
            ISSUED_INVOICES,
            group_name="invoicing",
            kinds={"duckdb", "python"},
            description="Finalized invoices (frozen headers with gapless numbers); append-only.",
            deps=[RECONCILIATION_KEY, DRAFT_INVOICE_LINES_KEY, dg.AssetKey(["intermediate", "int_invoices_drafted"])],
        ),
        dg.AssetSpec(
            ISSUED_INVOICE_LINES,
            group_name="invoicing",
            kinds={"duckdb", "python"},
            description="Lines of finalized invoices, frozen at issue; append-only.",
            deps=[DRAFT_INVOICE_LINES_KEY],
        ),
        dg.AssetSpec(
            ISSUED_DOCUMENTS,
            group_name="invoicing",
            kinds={"pdf", "python"},
            description=(
                "Documents of every issued invoice and note under data/output/<YYYY-MM>/ (PDF, Factur-X, CII XML, "
                "audit package, by the client's delivery method) and their sha256; re-runs must reproduce them."
            ),
            deps=[ISSUED_INVOICES, ISSUED_INVOICE_LINES],
        ),
        dg.AssetSpec(
            CLOSED_ALLOCATIONS,
            group_name="allocation",
            kinds={"duckdb", "python"},
            description=(
                "Cost-center totals of each period as its first green close left them; never rewritten, the "
                "baseline of marts.fct_allocation_restatements."
            ),
            deps=[RECONCILIATION_KEY, dg.AssetKey(["marts", "fct_cost_allocations"])],
        ),
    ],
    partitions_def=billing_period,
)
def finalize_invoices(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    documents: DocumentsResource,
    ops_store: OpsStoreResource,
) -> Iterator[dg.MaterializeResult]:
    """Close the period's books once both gates passed: number and freeze the draft invoices and credit/debit
    notes per legal entity, write their documents, and freeze the cost-center totals at the period's first green
    close. A client's draft blocked by a contract violation, a missing rate or tax stays a draft (logged). Every
    issued document is registered in the operational store's audit trail (`invoice.finalized`), where disputes
    and adjustments find it while a later close holds the warehouse."""
    period = period_of(context.partition_key)
    with warehouse.connect() as con:
        try:
            issued_by = context.run.tags.get("billing/acting_user", f"dagster run {context.run.run_id[:8]}")
            result = finalize_period(con, period, issued_by=issued_by, check_documents=check_issued_documents)
        except (GatesNotPassed, DocumentsChanged) as error:
            raise dg.Failure(
                description=f"invoices for {period:%Y-%m} not finalized: {error}",
                allow_retries=False,
            ) from None
        try:
            written = write_period_documents(con, period, documents.path)
        except DocumentsChanged as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None
        try:
            registered = register_issued_documents(con, Path(ops_store.path))
        except OpsError as error:
            # The documents are issued; the next close registers what this one could not.
            context.log.warning(f"issued documents not registered in the operational store: {error}")
            registered = 0
    for issued in result.issued:
        context.log.info(f"issued {issued.invoice_number} for {issued.invoice_id}")
    for invoice_id, why in result.blocked:
        context.log.warning(f"not issued {invoice_id}: {why}")
    metadata = {
        "invoices_issued": len(result.issued),
        "invoices_already_final": result.already_final,
        "invoice_numbers": ", ".join(i.invoice_number for i in result.issued) or "none",
        "drafts_blocked": len(result.blocked),
        "documents_written": written.written,
        "documents_verified_unchanged": written.verified,
        "allocation_totals_frozen": result.allocations_frozen,
        "documents_registered_in_ops_store": registered,
    }
    yield dg.MaterializeResult(asset_key=ISSUED_INVOICES, metadata=metadata)
    yield dg.MaterializeResult(asset_key=ISSUED_INVOICE_LINES, metadata=metadata)
    yield dg.MaterializeResult(asset_key=ISSUED_DOCUMENTS, metadata=metadata)
    yield dg.MaterializeResult(asset_key=CLOSED_ALLOCATIONS, metadata=metadata)
