"""One delivery written to the raw tables and recorded in audit.ingested_files, in one transaction.

A delivery is one file or the parts a manifest lists (orchestration/ingest/deliveries.py); for each of its billing
periods, the loaded files it replaces are superseded (their rows of that period deleted, their audit rows marked) and
its rows written with their lineage (file, row, sha256, period, account), the file recorded `loaded`. Which files
are taken, refused or left pending is orchestration/ingest/landing.py's to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.ingest.warehouse import add_missing_columns
from orchestration.sources import ExportFormat, ParsedFile, RejectedFile
from orchestration.sources.in_duckdb.columnar import StagedTable


def utc_now() -> datetime:
    """Now in UTC, without a zone: the audit tables' timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def record_file(
    con: duckdb.DuckDBPyConnection,
    *,
    path: str,
    source: str,
    sha256: str,
    size: int,
    status: str,
    period: date | None = None,
    account: str | None = None,
    rows: int | None = None,
    error: str | None = None,
    file_periods: str | None = None,
    columns: list[str] | None = None,
    new_columns: list[str] | None = None,
    dataset: str | None = None,
    delivery: tuple[str, str] | None = None,
) -> None:
    """One row of audit.ingested_files: a file loaded (for one period), or recorded as a duplicate or refused."""
    con.execute(
        """
        insert into audit.ingested_files
            (path, source, billing_period_start, billing_account_id, sha256, bytes, row_count, status, error, loaded_at,
             file_periods, delivered_columns, new_columns, dataset, delivery, delivery_sha256)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            path,
            source,
            period,
            account,
            sha256,
            size,
            rows,
            status,
            error,
            utc_now(),
            file_periods,
            ",".join(columns) if columns is not None else None,
            ",".join(new_columns) if new_columns else None,
            dataset,
            delivery[0] if delivery is not None else None,
            delivery[1] if delivery is not None else None,
        ],
    )


def _with_lineage(table: pa.Table, relative: str, sha256: str, parsed: ParsedFile) -> pa.Table:
    n = table.num_rows
    for name, value in (
        ("_source_file", relative),
        ("_file_sha256", sha256),
        ("_billing_period_start", parsed.billing_period_start.isoformat()),
        ("_billing_account_id", parsed.billing_account_id),
    ):
        table = table.append_column(name, pa.array([value] * n, type=pa.string()))
    return table


def delivery_accounts(key: str | None) -> set[str]:
    """The billing accounts a delivery key names: one account, or several joined by ',' (a FOCUS file that
    carries several accounts, orchestration/sources/focus.py). A delivery supersedes every loaded delivery of
    the same source and period whose accounts it covers; for single-account keys that is plain equality."""
    return {part for part in (key or "").split(",") if part}


def file_periods_text(parsed: ParsedFile) -> str | None:
    """audit.ingested_files.file_periods: the periods a multi-period file covers (`2024-09-01,2024-10-01`);
    NULL for a single-period file."""
    return ",".join(p.isoformat() for p in parsed.periods) if parsed.multi_period else None


def delivered_columns(parsed: ParsedFile) -> list[str]:
    """The columns of a file's main raw table, in delivered order, without the lineage columns."""
    main = next(iter(parsed.tables.values()))
    return [name for name in main.column_names if not name.startswith("_")]


def drift_baseline(con: duckdb.DuckDBPyConnection, export: ExportFormat, key: str) -> tuple[str, set[str]] | None:
    """What a new delivery's columns are compared with (schema drift): (what it is, its columns).

    The previous delivery of the same source and delivery key (billing account): the file of that key loaded
    last, loaded or since superseded. For a key delivered for the first time, every column an earlier delivery of
    the source brought (the raw table's columns). None for the source's first delivery: nothing to compare with.
    """
    previous = con.execute(
        """
        select path, delivered_columns from audit.ingested_files
        where source = ? and billing_account_id = ? and status in ('loaded', 'superseded')
        order by loaded_at desc, path desc
        limit 1
        """,
        [export.source, key],
    ).fetchone()
    if previous is not None and previous[1] is not None:
        return f"the previous delivery {previous[0]}", set(previous[1].split(","))
    delivered_before = con.execute(
        "select count(*) from audit.ingested_files where source = ? and status in ('loaded', 'superseded')",
        [export.source],
    ).fetchone()
    if previous is None and not delivered_before[0]:
        return None
    existing = con.execute(
        "select column_name from information_schema.columns where table_schema = 'raw' and table_name = ?",
        [export.raw_tables[0]],
    ).fetchall()
    return f"any earlier {export.source} delivery", {name for (name,) in existing if not name.startswith("_")}


@dataclass
class Part:
    """A landed file of a delivery in parts, parsed."""

    path: Path
    relative: str
    sha256: str
    size: int
    parsed: ParsedFile


def recorded_parts(
    con: duckdb.DuckDBPyConnection, source: str, manifest: tuple[str, str]
) -> set[tuple[str, str, date]]:
    """(path, sha256, period) of every part loaded as the delivery of `manifest` (path, sha256), since superseded or
    not."""
    rows = con.execute(
        "select path, sha256, billing_period_start from audit.ingested_files where source = ? "
        "and delivery = ? and delivery_sha256 = ? and status in ('loaded', 'superseded')",
        [source, *manifest],
    ).fetchall()
    return {(path, sha, period) for path, sha, period in rows}


def load_delivery(
    con: duckdb.DuckDBPyConnection,
    export: ExportFormat,
    parts: list[Part],
    periods: list[date],
    manifest: tuple[str, str] | None = None,
) -> tuple[list[tuple[date, str, list[tuple[str, int]], list[str]]], list[str], str]:
    """Load the rows of `periods` of one delivery — one file, or the parts a `manifest` (path, sha256) lists — all in
    one transaction: per period, the loaded files the delivery replaces are superseded (an earlier delivery of its
    account(s) and period, or these very parts loaded one by one before their manifest came) and every part's rows of
    the period written, exactly as a single-period delivery would be.

    Returns (period, delivery key, rows per part, superseded paths) per period, the columns the drift baseline did
    not have (in delivered order), and what that baseline was."""
    first = parts[0].parsed
    for part in parts[1:]:
        parsed = part.parsed
        if (parsed.billing_account_id, parsed.dataset) != (first.billing_account_id, first.dataset):
            raise RejectedFile(
                f"its parts are of different accounts: {parts[0].relative} is for {first.billing_account_id}, "
                f"{part.relative} for {parsed.billing_account_id}; a delivery's parts are one account's export"
            )
    loaded: list[tuple[date, str, list[tuple[str, int]], list[str]]] = []
    con.execute("begin transaction")
    try:
        baseline = drift_baseline(con, export, first.billing_account_id)
        new: list[str] = []
        # A part of none of `periods` was staged without its rows (another month's, left pending).
        for part in (part for part in parts if set(part.parsed.periods) & set(periods)):
            for column in delivered_columns(part.parsed):
                if baseline is not None and column not in baseline[1] and column not in new:
                    new.append(column)
        for period in periods:
            holding = [part for part in parts if period in part.parsed.periods]
            # The period's delivery key: a FOCUS file spanning periods may carry other accounts in each.
            first_slice = holding[0].parsed.for_period(period)
            account = first_slice.billing_account_id
            previous = _previous_deliveries(con, export, first_slice)
            _supersede(con, export, previous, period, manifest[0] if manifest is not None else parts[0].relative)
            rows: list[tuple[str, int]] = []
            for part in holding:
                slice_ = part.parsed.for_period(period)
                columns = delivered_columns(part.parsed)
                _insert(
                    con,
                    export,
                    part.relative,
                    part.sha256,
                    part.size,
                    slice_,
                    file_periods_text(part.parsed),
                    columns,
                    [c for c in new if c in columns],
                    manifest,
                )
                rows.append((part.relative, slice_.row_count))
            loaded.append((period, account, rows, [p for p, _ in previous]))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return loaded, new, (baseline[0] if baseline is not None else "")


def _previous_deliveries(
    con: duckdb.DuckDBPyConnection, export: ExportFormat, parsed: ParsedFile
) -> list[tuple[str, str]]:
    """(path, sha256) of the loaded files a delivery of parsed's account(s), dataset and (single) period replaces;
    RejectedFile when it would replace only part of an earlier delivery's accounts."""
    incoming_accounts = delivery_accounts(parsed.billing_account_id)
    previous: list[tuple[str, str]] = []
    for old_path, old_sha, old_key, old_dataset in con.execute(
        """
        select path, sha256, billing_account_id, dataset from audit.ingested_files
        where source = ? and billing_period_start = ? and status = 'loaded'
        order by path
        """,
        [export.source, parsed.billing_period_start],
    ).fetchall():
        if old_dataset is not None and old_dataset != parsed.dataset:
            # Another dataset of the same account and period (Azure actual vs amortized): it complements this
            # delivery, it is not replaced by it. A delivery recorded before datasets were (NULL) is replaced.
            continue
        old_accounts = delivery_accounts(old_key)
        if not old_accounts & incoming_accounts:
            continue
        if not old_accounts <= incoming_accounts:
            # Replacing that delivery would drop the accounts this file does not carry: refuse instead.
            missing = ", ".join(sorted(old_accounts - incoming_accounts))
            raise RejectedFile(
                f"it re-delivers part of {old_path} (accounts {old_key}) but not account(s) {missing}; "
                "a re-delivery must cover every account of the delivery it replaces"
            )
        previous.append((old_path, old_sha))
    return previous


def _supersede(
    con: duckdb.DuckDBPyConnection, export: ExportFormat, previous: list[tuple[str, str]], period: date, by: str
) -> None:
    for old_path, old_sha in previous:
        # Only that period's rows: an earlier file spanning several periods keeps its other periods.
        for table in export.raw_tables:
            con.execute(
                f"delete from raw.{table} where _source_file = ? and _file_sha256 = ? and _billing_period_start = ?",
                [old_path, old_sha, period.isoformat()],
            )
        con.execute(
            """
            update audit.ingested_files set status = 'superseded', superseded_by = ?, superseded_at = ?
            where path = ? and sha256 = ? and billing_period_start = ? and status = 'loaded'
            """,
            [by, utc_now(), old_path, old_sha, period],
        )


def _insert(
    con: duckdb.DuckDBPyConnection,
    export: ExportFormat,
    relative: str,
    sha256: str,
    size: int,
    parsed: ParsedFile,
    file_periods: str | None,
    columns: list[str],
    new_columns: list[str],
    delivery: tuple[str, str] | None = None,
) -> None:
    """Write parsed's (single) period's rows with their lineage and record the file as loaded; `delivery` is the
    (path, sha256) of the manifest whose delivery the file is a part of."""
    for table_name, table in parsed.tables.items():
        add_missing_columns(con, table_name, [c for c in table.column_names if not c.startswith("_")])
        if isinstance(table, StagedTable):
            # Parsed in DuckDB (orchestration/sources/in_duckdb/columnar.py): the rows never leave the engine.
            row = "" if table.row_numbered else "cast(rowid + 1 as varchar) as _source_row, "
            con.execute(
                f"insert into raw.{table_name} by name select {table.written_columns()}, {row}"
                f"? as _source_file, ? as _file_sha256, ? as _billing_period_start, ? as _billing_account_id "
                f"from {table.name} where {table.where}",
                [relative, sha256, parsed.billing_period_start.isoformat(), parsed.billing_account_id],
            )
            continue
        incoming = _with_lineage(table, relative, sha256, parsed)
        con.register("incoming_rows", incoming)
        try:
            con.execute(f"insert into raw.{table_name} by name select * from incoming_rows")
        finally:
            con.unregister("incoming_rows")
    record_file(
        con,
        path=relative,
        source=export.source,
        sha256=sha256,
        size=size,
        status="loaded",
        period=parsed.billing_period_start,
        account=parsed.billing_account_id,
        rows=parsed.row_count,
        file_periods=file_periods,
        columns=columns,
        new_columns=new_columns,
        dataset=parsed.dataset,
        delivery=delivery,
    )
