"""A close of a billing period whose raw usage retention archived and purged: refused, with what to do.

Without its raw rows such a close can only stop at the reconciliation gate (no rows for the period: "no provider
delivery was loaded") or, when a legal hold kept one source online, reconcile a part of the period; either way it
issues nothing new (the period's invoices are issued, and int_invoice_corrections skips archived periods). The
close command is the place to call `refuse_archived_close`, before it starts Dagster, for a clearer refusal.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from orchestration.ops.errors import OpsError
from orchestration.retention.apply import archived_periods


def refuse_archived_close(warehouse: Path, period: date) -> None:
    """Raise the one-line refusal when retention archived any raw slice of `period`; nothing otherwise."""
    if not warehouse.exists():
        return
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            tables = archived_periods(con).get(period, [])
    except duckdb.IOException:
        return  # a running close holds the warehouse: the close itself reports that
    if tables:
        raise OpsError(
            f"{period:%Y-%m} was archived by retention (raw {', '.join(tables)} purged, Parquet under "
            f"data/archive/raw_usage, see audit.retention_actions); its invoices stand as issued: a close cannot "
            "recompute it — restore the archived rows into the warehouse first if it must be re-run"
        )
