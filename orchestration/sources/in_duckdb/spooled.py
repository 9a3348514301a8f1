"""Exports read row by row but never held whole: each batch of parsed rows goes to a temporary table on the warehouse
connection as it is read (GCP billing exports, JSON lines or CSV; OCI cost reports, CSV or `.csv.gz`; OpenCost
allocation exports, which grow by a day at a time for months).

Each is parsed by its parser's own per-row code — a GCP export's nested records, credit arrays and exact decimals
(DuckDB reads JSON numbers as binary floats, so its JSON reader cannot give the delivered digits), an OCI report's
folded tags — so the raw text is the parser's, but the memory a file needs is one batch of rows, not the file. DuckDB
keeps the staged rows and spills them to its temp directory when they do not fit, so a multi-million-line export
loads in bounded memory. Refusals are the parser's own checks, raised with the file's row numbers; the checks over
the whole file (a mandatory value's empty rows, the period, the account) are made when the last batch is read. A file
with several faults may be refused for another of them than `parse` names first (this checks as it reads).
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa

from orchestration.sources import gcp_billing, kubernetes, oci_cost
from orchestration.sources.common import (
    LINEAGE_ROW,
    ParsedFile,
    RejectedFile,
    empty_values,
    month_of,
    require_columns,
    require_rows,
    single_value,
)
from orchestration.sources.csv_reader import csv_rows
from orchestration.sources.in_duckdb.columnar import (
    PROBE_HEAD_ROWS,
    NotColumnar,
    StagedTable,
    gcp_periods,
    oci_periods,
)
from orchestration.sql_text import identifier as _quoted

BATCH_ROWS = 20_000
_COUNTER = itertools.count(1)
_CREDIT_PERIOD = "_invoice_month"
# An OpenCost row's month (the first day of its `date`), staged beside it and not written to raw.
_ROW_MONTH = "_usage_month"

Rows = list[dict[str, str | None]]
T = TypeVar("T")


class Spool:
    """A temporary table of text columns filled a batch of rows at a time; a column first named by a later batch is
    added then (earlier rows hold NULL there, as a parser's table holds None). `_source_row` is each row's number."""

    def __init__(self, con: duckdb.DuckDBPyConnection, columns: Sequence[str] = ()) -> None:
        self.con = con
        self.name = f"billing_spooled_{next(_COUNTER)}"
        self.columns: list[str] = []
        self._known: set[str] = set()
        self.rows = 0
        con.execute(f'create temp table {self.name} ("{LINEAGE_ROW}" varchar)')
        self.add_columns(columns)

    def add_columns(self, columns: Iterable[str]) -> None:
        for column in dict.fromkeys(columns):
            if column not in self._known:
                self.con.execute(f"alter table {self.name} add column {_quoted(column)} varchar")
                self.columns.append(column)
                self._known.add(column)

    def append(self, rows: Rows, row_numbers: Sequence[str] | None = None) -> None:
        """Stage `rows`; `row_numbers`: each row's `_source_row`, by default its number in the file (the next ones)."""
        if not rows:
            return
        if row_numbers is None:
            row_numbers = [str(number) for number in range(self.rows + 1, self.rows + 1 + len(rows))]
        # Each row's values taken in the columns' order by one C call and turned into columns by zip: looking every
        # column up in every row took ~2 s of ~9 per 100,000 GCP lines (Arrow's from_pylist nearly twice that). A row
        # without some column (a field first named by a later row) has NULL there.
        columns = self.columns
        take = operator.itemgetter(*columns) if len(columns) > 1 else lambda row: tuple(row[c] for c in columns)
        values: list[tuple[str | None, ...]] = []
        for row in rows:
            try:
                values.append(take(row))
            except KeyError:
                values.append(tuple(row.get(column) for column in columns))
        data = {
            column: pa.array(column_values, type=pa.string())
            for column, column_values in zip(columns, zip(*values, strict=True), strict=True)
        }
        data[LINEAGE_ROW] = pa.array(row_numbers, type=pa.string())
        batch = pa.table(data)
        self.con.register("billing_spooled_batch", batch)
        try:
            self.con.execute(f"insert into {self.name} by name select * from billing_spooled_batch")
        finally:
            self.con.unregister("billing_spooled_batch")
        self.rows += len(rows)

    def drop(self) -> None:
        self.con.execute(f"drop table if exists {self.name}")


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while batch := list(itertools.islice(items, size)):
        yield batch


def stage_gcp(
    con: duckdb.DuckDBPyConnection, path: Path, wanted: date | None = None, batch_rows: int | None = None
) -> ParsedFile:
    """A GCP billing export parsed as `gcp_billing.parse` parses it, its rows staged in DuckDB a batch at a time.
    With `wanted` (the period being ingested), an export of other periods only is left pending from its invoice
    months alone: a close does not parse the months waiting beside it."""
    if (pending := _elsewhere(con, gcp_billing.SOURCE, gcp_periods, path, wanted)) is not None:
        return pending
    delivered, records = gcp_billing.records(path)
    main = Spool(con, delivered)
    credits = Spool(con, ["parent_row", *gcp_billing.CREDIT_COLUMNS, _CREDIT_PERIOD])
    try:
        return _stage(main, credits, path, records, batch_rows or BATCH_ROWS)
    except BaseException:
        main.drop()
        credits.drop()
        raise


def _stage(
    main: Spool, credits: Spool, path: Path, records: Iterator[gcp_billing.Record], batch_rows: int
) -> ParsedFile:
    month_rows: Counter[str] = Counter()
    month_credits: Counter[str] = Counter()
    accounts: set[str] = set()
    first_without_month: int | None = None
    for batch in _batches(records, batch_rows):
        rows = [row for row, _ in batch]
        first_row = main.rows + 1
        main.add_columns(itertools.chain.from_iterable(rows))
        batch_credits = [credit for _, row_credits in batch for credit in row_credits]
        gcp_billing.normalise(rows, batch_credits, main.columns, first_row)
        for number, row in enumerate(rows, start=first_row):
            if month := row.get("invoice_month"):
                month_rows[month] += 1
            elif first_without_month is None:
                first_without_month = number
            if account := row.get("billing_account_id"):
                accounts.add(account)
        for credit in batch_credits:
            month = rows[int(credit["parent_row"] or 0) - first_row].get("invoice_month")
            credit[_CREDIT_PERIOD] = month
            month_credits[month or ""] += 1
        main.append(rows)
        credits.append(batch_credits, [str(credit["parent_row"]) for credit in batch_credits])
    require_columns(main.columns, gcp_billing.REQUIRED_COLUMNS, "GCP billing export")
    require_rows(range(main.rows), path)
    periods = gcp_billing.file_periods(set(month_rows), first_without_month)
    account = single_value([{"billing_account_id": a} for a in accounts], "billing_account_id", "billing account")
    main_table = _staged(main, main.columns)
    # A credit's lineage row is its parent's row (parent_row, staged as `_source_row`); its position is credit_index.
    credit_table = _staged(credits, list(gcp_billing.CREDIT_COLUMNS), hidden=("parent_row", _CREDIT_PERIOD))
    several = len(periods) > 1
    if several:
        text = {month: gcp_billing.month_start(month) for month in month_rows}
        _by_period(main_table, "invoice_month", month_rows, text)
        _by_period(credit_table, _CREDIT_PERIOD, month_credits, text)
    return ParsedFile(
        gcp_billing.SOURCE,
        periods[0],
        account,
        main.rows,
        {gcp_billing.RAW_TABLE: main_table, gcp_billing.CREDITS_TABLE: credit_table},
        periods=periods,
        period_accounts=dict.fromkeys(periods, account) if several else {},
    )


PeriodReader = Callable[..., tuple[list[date], list[str]] | None]


def _elsewhere(
    con: duckdb.DuckDBPyConnection,
    source: str,
    read_periods: PeriodReader,
    path: Path,
    wanted: date | None,
    one_period: bool = False,
) -> ParsedFile | None:
    """The file, without its rows, when its rows plainly name other billing periods than `wanted` and one account
    (`read_periods`, columnar.gcp_periods or oci_periods: its first rows, then all of them when those are not all of
    `wanted`). `one_period`: a file naming several is left to its parser to refuse."""
    if wanted is None:
        return None
    try:
        head = read_periods(con, path, head=PROBE_HEAD_ROWS)
        if head is not None and head[0] == [wanted]:
            return None
        read = read_periods(con, path)
    except (NotColumnar, RejectedFile, ValueError, duckdb.Error, OSError):
        return None
    if read is None or wanted in read[0] or len(read[1]) != 1 or (one_period and len(read[0]) != 1):
        return None
    # The ingest reports the first of its periods pending, as it does for a parsed file of several.
    return ParsedFile(source, read[0][0], read[1][0], 0, {})


def _staged(spool: Spool, columns: list[str], hidden: tuple[str, ...] = ()) -> StagedTable:
    return StagedTable(spool.name, [*columns, LINEAGE_ROW], num_rows=spool.rows, row_numbered=True, hidden=hidden)


def _by_period(table: StagedTable, column: str, counts: Counter[str], periods: dict[str, date]) -> None:
    table.period_column = column
    table.period_rows = {periods[month]: counts[month] for month in periods}
    table.period_values = {period: month for month, period in periods.items()}


def stage_oci(
    con: duckdb.DuckDBPyConnection, path: Path, wanted: date | None = None, batch_rows: int | None = None
) -> ParsedFile:
    """An OCI cost report parsed as `oci_cost.parse` parses it (a month's reports landed as one file can be
    millions of lines), its rows staged in DuckDB a batch at a time. With `wanted`, a report of another month is
    left pending from its usage starts and tenancy alone."""
    if (pending := _elsewhere(con, oci_cost.SOURCE, oci_periods, path, wanted, one_period=True)) is not None:
        return pending
    delivered, rows = csv_rows(path, oci_cost.oci_column_names)
    columns = oci_cost.folded_columns(delivered)
    require_columns(columns, oci_cost.REQUIRED_COLUMNS, "OCI cost report")
    spool = Spool(con, columns)
    try:
        return _stage_oci(spool, path, delivered, rows, batch_rows or BATCH_ROWS)
    except BaseException:
        spool.drop()
        raise


def _stage_oci(
    spool: Spool, path: Path, delivered: list[str], read: Iterator[dict[str, str | None]], batch_rows: int
) -> ParsedFile:
    empty: Counter[str] = Counter()
    first_empty: dict[str, int] = {}
    months: set[str] = set()
    tenancies: set[str] = set()
    # The period is the one month every usage starts in: the first start's month, unless another refuses the file.
    period: date | None = None
    interval_refusal: RejectedFile | None = None
    for rows in _batches(read, batch_rows):
        first_row = spool.rows + 1
        oci_cost.fold_tags(delivered, rows)
        for column in oci_cost.REQUIRED_VALUES:
            for number, row in enumerate(rows, start=first_row):
                if row.get(column) in (None, ""):
                    empty[column] += 1
                    first_empty.setdefault(column, number)
        oci_cost.normalise(rows, spool.columns, first_row)
        for row in rows:
            if start := row.get(oci_cost.START):
                months.add(start[:7])
            if tenancy := row.get(oci_cost.TENANT):
                tenancies.add(tenancy)
        if period is None and months:
            period = month_of([{oci_cost.START: month} for month in sorted(months)[:1]], oci_cost.START, "")
        if interval_refusal is None and period is not None:
            try:
                oci_cost.check_intervals_end_in_month(rows, period, first_row)
            except RejectedFile as refusal:
                interval_refusal = refusal
        spool.append(rows)
    require_rows(range(spool.rows), path)
    for column in oci_cost.REQUIRED_VALUES:
        if empty[column]:
            raise empty_values(column, empty[column], spool.rows, first_empty[column], "OCI cost report")
    period = month_of([{oci_cost.START: month} for month in months], oci_cost.START, oci_cost.PERIOD_WHAT)
    if interval_refusal is not None:
        raise interval_refusal
    account = single_value([{oci_cost.TENANT: t} for t in tenancies], oci_cost.TENANT, oci_cost.ACCOUNT_WHAT)
    table = _staged(spool, spool.columns)
    return ParsedFile(oci_cost.SOURCE, period, account, spool.rows, {oci_cost.RAW_TABLE: table})


def stage_kubernetes(
    con: duckdb.DuckDBPyConnection, path: Path, wanted: date | None = None, batch_rows: int | None = None
) -> ParsedFile:
    """An OpenCost allocation export parsed as `kubernetes.parse` parses it (OpenCost appends every day to one file,
    months of a large cluster's allocations), its rows staged in DuckDB a batch at a time, each with its month."""
    columns, read = csv_rows(path)
    require_columns(columns, kubernetes.REQUIRED_COLUMNS, "OpenCost allocation export")
    cluster = kubernetes.cluster_of(path)
    spool = Spool(con, [*columns, _ROW_MONTH])
    try:
        month_rows: Counter[str] = Counter()
        for rows in _batches(read, batch_rows or BATCH_ROWS):
            first_row = spool.rows + 1
            months = kubernetes.usage_months(rows, first_row)
            kubernetes.check_rows(rows, columns, first_row)
            for row, month in zip(rows, months, strict=True):
                row[_ROW_MONTH] = month.isoformat()
            month_rows.update(month.isoformat() for month in months)
            spool.append(rows)
        require_rows(range(spool.rows), path)
    except BaseException:
        spool.drop()
        raise
    periods = sorted(date.fromisoformat(month) for month in month_rows)
    table = _staged(spool, columns, hidden=(_ROW_MONTH,))
    several = len(periods) > 1
    if several:
        _by_period(table, _ROW_MONTH, month_rows, {month: date.fromisoformat(month) for month in month_rows})
    return ParsedFile(
        kubernetes.SOURCE,
        periods[0],
        cluster,
        spool.rows,
        {kubernetes.RAW_TABLE: table},
        periods=periods,
        period_accounts=dict.fromkeys(periods, cluster) if several else {},
    )


STAGERS: dict[str, Callable[[duckdb.DuckDBPyConnection, Path, date | None], ParsedFile]] = {
    gcp_billing.SOURCE: stage_gcp,
    oci_cost.SOURCE: stage_oci,
    kubernetes.SOURCE: stage_kubernetes,
}
SUFFIXES = {
    gcp_billing.SOURCE: gcp_billing.SUFFIXES,
    oci_cost.SOURCE: oci_cost.SUFFIXES,
    kubernetes.SOURCE: kubernetes.SUFFIXES,
}


def stage(con: duckdb.DuckDBPyConnection, source: str, path: Path, wanted: date | None = None) -> ParsedFile | None:
    """The file parsed and staged a batch at a time, or None when its source is not read this way."""
    stager = STAGERS.get(source)
    if stager is None or path.suffix.lower() not in SUFFIXES[source]:
        return None
    return stager(con, path, wanted)
