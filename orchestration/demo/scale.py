"""Scaled demo exports: AWS CUR 2.0 Parquet and Azure cost-details CSV of any size, written by DuckDB, streaming.

`write_scaled_landing_zone(landing_dir, rows=N, months=M)` first writes the ordinary demo landing zone (without the
AWS 2026-09 re-delivery, and removing one an earlier demo run left, so every month has exactly one delivery per
source and account), then replaces, for each of the M months, the AWS and the Azure delivery by a big one of about
60 % / 40 % of N rows, at the same delivery path (one file per source, billing account and month: the ingest would
take a second file of the same source, account and period for a re-delivery superseding the first). The Azure month
is delivered as Azure delivers an export run: parts under 1 GB (`part_0_0001.csv`, `part_0_0002.csv`, …, each with
the header line; AZURE_PART_BYTES) and the run's `manifest.json` listing them, which makes them one delivery.

**Templates.** Each big file is built from the demo's own AWS (or Azure) rows of one month, read back from the
demo's file with DuckDB: same column names, order and types (AWS timestamps come back as microsecond UTC
timestamps instead of milliseconds; everything else is identical). A demo month is its own template; another month
takes the demo month at the same position modulo 3 (2026-07 ≡ 2026-10, 2026-06 ≡ 2026-09, 2026-05 ≡ 2026-08) and
every date moves into it: the billing period columns, each usage day (day d of the template becomes day
(d - 1) mod days-in-month + 1 of the target, durations kept, whole-month lines span the whole target month),
`identity_time_interval`, the savings plan's start and end (by whole months), the delivery folder
(`BILLING_PERIOD=2026-07/<delivery time>-<hash>`, `ea-…/2026-07`) and the file's modification time (the delivery
time). Shifted months carry an AWS invoice id of their own (the demo's preliminary 2026-09 carries none).

**Copies.** Usage lines (AWS `Usage`, `DiscountedUsage`, `SavingsPlanCoveredUsage`, `SavingsPlanNegation`; Azure
`ChargeType` Usage) are repeated; fees, credits, refunds and tax lines stay single. A copy is another resource: its
`line_item_resource_id` / `ResourceId` (and `ResourceName`, `identity_line_item_id`) get the suffix `-<copy>`;
tags, accounts, subscriptions, services and meters stay those of the template line, so the mapping seed
(seeds/cost_center_mappings.csv) maps every copy as it maps the template. A savings-plan covered line and its
negation (same resource and hour) are copied the same number of times. Every amount and quantity of a copied line
(AWS: every double column but the normalization factor and the savings plan rate; Azure: `Cost`, `Quantity`) is
split exactly across its copies in units of 10⁻¹⁰ (largest remainder to the first copies), so the copies of a line
add up to the line exactly and a month's total is the demo month's total whenever there are at least as many rows
as the template has (AWS ~1,950, Azure ~740 rows a month); below that, a seeded choice of usage lines is kept once
and the month carries that part of the demo's cost. Azure amounts are plain decimal text with 10 decimals; AWS
amounts are the doubles nearest those decimals. The copies of a line then all carry the same amounts (± one unit),
which flatters anything computed once per distinct amount (the allocation cascade, int_charges_allocated); with
`amount_variety` (percent), that share of the pairs of copies trade part of their amounts (`_split_units`), totals
unchanged.

**Which months.** The seeds cover 2026-01 .. 2026-10 and nothing else: the cost-center mappings, headcount,
budgets, allocation rules, chargeback policy and contracts are valid from 2026-01-01; the only rate card
(`RC-FY2026.1`) is valid 2026-01-01 .. 2027-01-01; the ECB reference rates end on 2026-10-30 and a conversion
looks back at most 7 days from the invoice date (the month's last day), so from 2026-11 UMBRELLA's invoice (USD
contract, JPY invoice) has no rate and is blocked, and the close fails (checked: 2026-11 stops on the not-null
test of `fct_billed_amounts`, its `amount`; 2026-05, 06, 07, 09 and 10 close green). `scaled_periods(M)` is therefore
the M months ending 2026-10 for M ≤ 10 (2026-09 and 2026-10 for M = 2), and 2026-01 onwards for M > 10, of which
only the first 10 months (2026-01 .. 2026-10) can close; the ones after 2026-10 are written for generation and
engine benchmarks only. Months outside the demo's 2026-08 .. 2026-10 have only the AWS and Azure deliveries (no
GCP, FOCUS, on-premises or SLA files).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import duckdb
import pyarrow as pa

from orchestration.demo import aws_cur, azure_cost
from orchestration.demo.delivery import stamp
from orchestration.demo.determinism import stable_digits
from orchestration.demo.landing_zone import write_demo_landing_zone
from orchestration.demo.organisation import AZURE_BILLING_ACCOUNT
from orchestration.demo.periods import DEMO_PERIODS, BillingPeriod, us_date
from orchestration.sql_text import identifier as _quote
from orchestration.sql_text import literal as _literal

MIN_ROWS = 1_000
MAX_MONTHS = 24
AWS_SHARE = 0.6  # of the rows of a month; the rest is Azure
# The months the seeds support (see the module docstring).
FIRST_SUPPORTED_PERIOD = date(2026, 1, 1)
LAST_SUPPORTED_PERIOD = date(2026, 10, 1)
SUPPORTED_MONTHS = 10

AWS_USAGE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation")
AWS_UNSPLIT_DOUBLES = ("line_item_normalization_factor", "savings_plan_savings_plan_rate")
AWS_SHIFTED_TEXT_TIMES = (
    "savings_plan_start_time",
    "savings_plan_end_time",
    "reservation_start_time",
    "reservation_end_time",
)
AZURE_SPLIT_COLUMNS = ("Cost", "Quantity")
UNITS = 10_000_000_000  # amounts are split in whole units of 10^-10
MEMORY_LIMIT = "1GB"  # DuckDB's limit while writing; the files stream, so the size of a month does not matter
# Azure cuts every export run into parts under 1 GB (it cannot be turned off) and writes the run's manifest.json
# beside them; the month is cut into parts of at most this size.
AZURE_PART_BYTES = 900_000_000


@dataclass(frozen=True)
class ScaledFile:
    path: Path  # absolute
    source: str  # "aws_cur" | "azure_cost"
    file_format: str  # "parquet" | "csv"
    billing_period_start: date
    rows: int


@dataclass(frozen=True)
class ScaleManifest:
    rows_per_month: int
    periods: list[date]  # the months written, ascending
    files: list[ScaledFile]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def scaled_periods(months: int) -> list[date]:
    """The billing months a scaled landing zone of `months` months covers, ascending (module docstring)."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be between 1 and {MAX_MONTHS}, not {months}")
    ending_last = _add_months(LAST_SUPPORTED_PERIOD, -(months - 1))
    first = ending_last if months <= SUPPORTED_MONTHS else FIRST_SUPPORTED_PERIOD
    return [_add_months(first, offset) for offset in range(months)]


def template_period(period: BillingPeriod) -> BillingPeriod:
    """The demo month whose rows a month's big files are built from: itself, or the one at its position mod 3."""
    if period in DEMO_PERIODS:
        return period
    return next(p for p in DEMO_PERIODS if _month_index(p.start) % 3 == _month_index(period.start) % 3)


def azure_delivery_path(landing_dir: Path, period: BillingPeriod) -> Path:
    """Where the demo writes the Azure EA export of a month (azure_cost.write_month)."""
    return landing_dir / azure_cost.SOURCE / f"ea-{AZURE_BILLING_ACCOUNT.account_id}" / period.label / "part_0_0001.csv"


def copy_counts(groups: Sequence[int], fixed: int, target: int, seed: int, keys: Sequence[str]) -> list[int]:
    """Copies per group of template rows (a group's rows are copied together) so that the file has `target` rows.

    `groups[i]` is the number of rows of group i, `fixed` the rows written exactly once. Every group gets the same
    base count; the rest goes to groups in a seeded order (pairs first, then single rows), so the total is exact.
    """
    scalable = target - fixed
    size = sum(groups)
    if scalable < 0 or size == 0:
        raise ValueError(f"cannot write {target} rows from a template with {fixed} fixed and {size} usage rows")
    base, rest = divmod(scalable, size)
    counts = [base] * len(groups)
    order = sorted(range(len(groups)), key=lambda i: hashlib.sha256(f"{seed}:{keys[i]}".encode()).digest())
    for width in sorted(set(groups), reverse=True):
        for index in order:
            if rest < width:
                break
            if groups[index] == width:
                counts[index] += 1
                rest -= width
    if rest:
        raise ValueError(f"cannot write exactly {target} rows from this template")
    return counts


def _ts(day: date) -> str:
    return f"TIMESTAMP '{day.isoformat()} 00:00:00'"


def _split_prepared(column: str) -> str:
    """Per template row: sign, whole units // copies and units % copies of one amount column (added as helpers)."""
    units = f"cast(round(cast({_quote(column)} as decimal(38,10)) * {UNITS}) as hugeint)"
    return (
        f"sign({units}) as {_quote('_sg_' + column)}, "
        f"abs({units}) // greatest(_k, 1) as {_quote('_q_' + column)}, "
        f"abs({units}) % greatest(_k, 1) as {_quote('_r_' + column)}"
    )


def _split_units(column: str, variety: int = 0) -> str:
    """The whole units of `column` that copy `_c` gets (its copies sum to the template row exactly).

    With `variety` (percent), that share of the pairs of copies (2j, 2j+1) trade part of their amounts: copy 2j gets
    δ more, copy 2j+1 δ less, δ = q · f(j) with 0 ≤ f(j) < ½ depending only on j, so the pair still sums to what it
    had, no amount changes sign, and lines copied alike (a savings-plan covered line and its negation) stay
    opposite. Without it every copy of a line carries the same amount (± one unit), which real exports do not."""
    sg, q, r = (_quote(prefix + column) for prefix in ("_sg_", "_q_", "_r_"))
    units = f"{q} + case when _c < {r} then 1 else 0 end"
    if variety:
        pair = "(_c // 2)"
        traded = f"(({pair} * 2654435761) % 100) < {int(variety)} and _c < _k - _k % 2"
        delta = f"({q} * ((({pair} + 1) * 7919) % 1000) // 2000)"
        units += f" + case when {traded} then (1 - 2 * (_c % 2)) * {delta} else 0 end"
    return f"({sg} * ({units}))"


def _cut_csv(path: Path, folder: Path, part_bytes: int) -> list[tuple[Path, int]]:
    """A CSV cut into `part_0_0001.csv`, … of at most `part_bytes` each (a record longer than that alone), each
    starting with the header line; a record ends at a line end outside quotes (an even count of `"` so far)."""
    parts: list[tuple[Path, int]] = []
    with path.open("rb") as source:

        def records() -> Iterator[bytes]:
            pending = b""
            for line in source:
                pending += line
                if pending.count(b'"') % 2 == 0:
                    yield pending
                    pending = b""
            if pending:
                yield pending

        read = records()
        header = next(read)
        out: BinaryIO | None = None
        size = rows = 0
        try:
            for record in read:
                if out is None or (rows and size + len(record) > part_bytes):
                    if out is not None:
                        out.close()
                        parts[-1] = (parts[-1][0], rows)
                    target = folder / f"part_0_{len(parts) + 1:04d}.csv"
                    out = target.open("wb")
                    out.write(header)
                    parts.append((target, 0))
                    size, rows = len(header), 0
                out.write(record)
                size += len(record)
                rows += 1
        finally:
            if out is not None:
                out.close()
        if parts:
            parts[-1] = (parts[-1][0], rows)
    return parts


class _Writer:
    def __init__(self, con: duckdb.DuckDBPyConnection, landing_dir: Path, seed: int, amount_variety: int = 0) -> None:
        self.con = con
        self.landing_dir = landing_dir
        self.seed = seed
        self.amount_variety = amount_variety

    def load_template(self, name: str, sql: str) -> list[tuple[str, str]]:
        self.con.execute(f"create table {name} as {sql}")
        return [(row[0], row[1]) for row in self.con.execute(f"describe {name}").fetchall()]

    def _counts_table(self, table: str, counts: Sequence[int], scalable: Sequence[bool]) -> None:
        arrow = pa.table(
            {
                "_row": pa.array(range(len(counts)), type=pa.int64()),
                "_k": pa.array(counts, type=pa.int64()),
                "_scalable": pa.array(scalable, type=pa.bool_()),
            }
        )
        self.con.register("_counts_arrow", arrow)
        self.con.execute(f"create or replace temp table {table} as select * from _counts_arrow")
        self.con.unregister("_counts_arrow")

    def _copy(self, prepared_sql: str, select_list: str, path: Path, options: str) -> int:
        """Materialize the (small) prepared template in order, then stream its copies to `path`."""
        self.con.execute(f"create or replace temp table _prepared as {prepared_sql}")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        try:
            self.con.execute(
                f"copy (select {select_list} from (select p.*, unnest(range(p._k)) as _c from _prepared p)) "
                f"to {_literal(str(partial))} ({options})"
            )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, path)
        (rows,) = self.con.execute("select sum(_k) from _prepared").fetchone() or (0,)
        return int(rows or 0)

    def _copy_parts(self, prepared_sql: str, select_list: str, folder: Path, options: str) -> list[tuple[Path, int]]:
        """As _copy, into Azure's parts (`part_0_0001.csv`, …, each with the header line) of at most
        AZURE_PART_BYTES each; with their rows, in order. DuckDB streams the month into one file, which is then cut
        at line ends (DuckDB's own `file_size_bytes` held the month's rows in memory: out of memory in 1 GB at four
        million lines)."""
        whole = folder / "part_0_0001.csv"
        rows = self._copy(prepared_sql, select_list, whole, options)
        if whole.stat().st_size <= AZURE_PART_BYTES:
            return [(whole, rows)]
        unsplit = whole.rename(folder / ".unsplit.csv")
        try:
            return _cut_csv(unsplit, folder, AZURE_PART_BYTES)
        finally:
            unsplit.unlink(missing_ok=True)

    def write_aws(
        self, template: str, columns: list[tuple[str, str]], source: BillingPeriod, target: BillingPeriod, rows: int
    ) -> list[tuple[Path, int]]:
        keys = self.con.execute(
            f"select rowid, line_item_line_item_type, line_item_resource_id, "
            f"cast(line_item_usage_start_date as varchar) from {template} order by rowid"
        ).fetchall()
        group_of: dict[tuple[str, str], int] = {}
        row_group: list[int | None] = []
        for _rowid, kind, resource, start in keys:
            if kind in AWS_USAGE_TYPES:
                row_group.append(group_of.setdefault((resource or "", start or ""), len(group_of)))
            else:
                row_group.append(None)
        sizes = [0] * len(group_of)
        for group in row_group:
            if group is not None:
                sizes[group] += 1
        group_keys = [f"{resource}|{start}" for resource, start in group_of]
        fixed = sum(1 for group in row_group if group is None)
        counts = copy_counts(sizes, fixed, rows, self.seed, group_keys)
        per_row = [1 if group is None else counts[group] for group in row_group]
        self._counts_table("_aws_counts", per_row, [group is not None for group in row_group])

        shifted = source != target
        names = [name for name, _ in columns]
        split = [name for name, kind in columns if kind == "DOUBLE" and name not in AWS_UNSPLIT_DOUBLES]
        start, end = _ts(source.start), _ts(source.end)
        whole_month = f"_s = {start} and _e = {end}"
        # usage start/end as UTC timestamps moved into the target month (the identity when not shifted)
        moved_start = (
            f"case when {whole_month} then {_ts(target.start)} "
            f"else {_ts(target.start)} + to_days(cast(date_diff('day', {start}, _s) % {target.day_count} as integer)) "
            f"+ (_s - date_trunc('day', _s)) end"
        )
        prepared = (
            f"select *, case when {whole_month} then {_ts(target.end)} else _ns + (_e - _s) end as _ne from ("
            f"select t.*, c._k, c._scalable, {moved_start} as _ns from ("
            f"select *, rowid as _rowid, cast(line_item_usage_start_date as timestamp) as _s, "
            f"cast(line_item_usage_end_date as timestamp) as _e from {template}"
            f") t join _aws_counts c on t._rowid = c._row)"
        )
        prepared = f"select *, {', '.join(_split_prepared(c) for c in split)} from ({prepared}) order by _rowid"
        invoice = {
            kind: stable_digits(self.seed, "aws-invoice", target.label, kind, length=10)
            for kind in ("Anniversary", "Purchase")
        }
        select: list[str] = []
        for name in names:
            q = _quote(name)
            if name in split:
                units = _split_units(name, self.amount_variety)
                expr = f"case when {q} is null then null else cast({units} as double) / {UNITS}.0 end"
            elif name in ("identity_line_item_id", "line_item_resource_id"):
                expr = f"case when _scalable and {q} is not null then {q} || '-' || _c else {q} end"
            elif shifted and name == "bill_billing_period_start_date":
                expr = f"cast({_ts(target.start)} as timestamptz)"
            elif shifted and name == "bill_billing_period_end_date":
                expr = f"cast({_ts(target.end)} as timestamptz)"
            elif shifted and name == "line_item_usage_start_date":
                expr = "cast(_ns as timestamptz)"
            elif shifted and name == "line_item_usage_end_date":
                expr = "cast(_ne as timestamptz)"
            elif shifted and name == "identity_time_interval":
                expr = "strftime(_ns, '%Y-%m-%dT%H:%M:%SZ') || '/' || strftime(_ne, '%Y-%m-%dT%H:%M:%SZ')"
            elif shifted and name in AWS_SHIFTED_TEXT_TIMES:
                months = _month_index(target.start) - _month_index(source.start)
                expr = (
                    f"strftime(cast(cast({q} as timestamptz) as timestamp) + to_months({months}), "
                    f"'%Y-%m-%dT%H:%M:%S.%gZ')"
                )
            elif shifted and name == "bill_invoice_id":
                expr = (
                    f"case bill_bill_type when 'Purchase' then {_literal(invoice['Purchase'])} "
                    f"else {_literal(invoice['Anniversary'])} end"
                )
            else:
                expr = q
            select.append(f"{expr} as {q}")
        path = aws_cur.delivery_path(self.landing_dir, self.seed, target)
        written = self._copy(prepared, ", ".join(select), path, "format parquet, compression snappy")
        stamp(path, aws_cur.delivery_time(target))
        return [(path, written)]

    def write_azure(
        self, template: str, columns: list[tuple[str, str]], source: BillingPeriod, target: BillingPeriod, rows: int
    ) -> list[tuple[Path, int]]:
        """The month as Azure delivers it: parts under 1 GB and the run's manifest.json listing them."""
        keys = self.con.execute(f"select rowid, ChargeType from {template} order by rowid").fetchall()
        usage = [(charge or "Usage") == "Usage" for _rowid, charge in keys]
        sizes = [1] * sum(usage)
        group_keys = [str(rowid) for (rowid, _), is_usage in zip(keys, usage, strict=True) if is_usage]
        counts = iter(copy_counts(sizes, len(usage) - len(sizes), rows, self.seed, group_keys))
        per_row = [next(counts) if is_usage else 1 for is_usage in usage]
        self._counts_table("_azure_counts", per_row, usage)

        shifted = source != target
        names = [name for name, _ in columns]
        prepared = (
            f"select t.*, c._k, c._scalable from (select *, rowid as _rowid from {template}) t "
            f"join _azure_counts c on t._rowid = c._row"
        )
        split = [c for c in AZURE_SPLIT_COLUMNS if c in names]
        prepared = f"select *, {', '.join(_split_prepared(c) for c in split)} from ({prepared}) order by _rowid"
        select: list[str] = []
        for name in names:
            q = _quote(name)
            if name in split:
                expr = (
                    f"case when {q} is null then null else "
                    f"cast(cast({_split_units(name, self.amount_variety)} as decimal(38,0)) "
                    f"* cast(0.0000000001 as decimal(11,10)) as varchar) end"
                )
            elif name in ("ResourceId", "ResourceName"):
                expr = f"case when _scalable and {q} is not null then {q} || '-' || _c else {q} end"
            elif shifted and name == "BillingPeriodStartDate":
                expr = _literal(us_date(target.start))
            elif shifted and name == "BillingPeriodEndDate":
                expr = _literal(us_date(target.last_day))
            elif shifted and name == "Date":
                expr = (
                    f"strftime(date '{target.start.isoformat()}' + cast((cast(strptime({q}, '%m/%d/%Y') as date) "
                    f"- date '{source.start.isoformat()}') % {target.day_count} as integer), '%m/%d/%Y')"
                )
            else:
                expr = q
            select.append(f"{expr} as {q}")
        folder = azure_delivery_path(self.landing_dir, target).parent
        for earlier in folder.glob("part_0_*.csv"):  # the demo's own month, replaced
            earlier.unlink()
        parts = self._copy_parts(
            prepared, ", ".join(select), folder, "format csv, header true, delimiter ',', quote '\"', escape '\"'"
        )
        delivered = azure_cost.delivery_time(target)
        for path, _rows in parts:
            stamp(path, delivered)
        azure_cost.write_run_manifest(folder, target, parts, delivered)
        return parts


def write_scaled_landing_zone(
    landing_dir: Path,
    *,
    rows: int,
    months: int,
    seed: int = 2026,
    amount_variety: int = 0,
    progress: Callable[[str], None] | None = None,
) -> ScaleManifest:
    """Write the demo landing zone, then big AWS and Azure deliveries of `rows` cost lines a month (module docstring).

    `rows` is the AWS + Azure total per month (60 % AWS Parquet, 40 % Azure CSV); nothing is held in memory but
    the demo's templates: DuckDB streams every file to disk. `amount_variety` (0-100): the percent of pairs of copies
    whose amounts differ (_split_units); 0 copies a line's amounts evenly.
    """
    if not 0 <= amount_variety <= 100:
        raise ValueError(f"amount variety must be a percent between 0 and 100, not {amount_variety}")
    if rows < MIN_ROWS:
        raise ValueError(f"rows must be at least {MIN_ROWS:,}, not {rows:,}")
    periods = [BillingPeriod(start) for start in scaled_periods(months)]
    landing_dir = Path(landing_dir).resolve()
    report = progress or (lambda _message: None)
    write_demo_landing_zone(landing_dir, seed=seed, include_restatement=False, progress=report)
    # A re-delivery an earlier plain demo run left would supersede the 2026-09 AWS file.
    restated = aws_cur.delivery_path(landing_dir, seed, aws_cur.RESTATED_PERIOD, restated=True)
    if restated.exists():
        restated.unlink()
        report(f"removed {restated.relative_to(landing_dir).as_posix()} (the demo's AWS re-delivery)")
    aws_rows = round(rows * AWS_SHARE)
    azure_rows = rows - aws_rows
    files: list[ScaledFile] = []
    scratch = tempfile.TemporaryDirectory(prefix="billing-scale-")
    con = duckdb.connect()
    try:
        con.execute("set timezone = 'UTC'")
        con.execute("set preserve_insertion_order = true")
        # One thread streams: each file is one pipeline fed by a small template table, so a second thread adds no
        # speed, only a second set of row-group buffers (1,000,000 rows: ~0.5 GB peak with one, ~2.2 GB with two).
        con.execute("set threads = 1")
        con.execute(f"set memory_limit = {_literal(MEMORY_LIMIT)}")
        con.execute(f"set temp_directory = {_literal(scratch.name)}")
        writer = _Writer(con, landing_dir, seed, amount_variety)
        templates: dict[BillingPeriod, tuple[list[tuple[str, str]], list[tuple[str, str]]]] = {}
        for demo_period in sorted({template_period(p) for p in periods}):
            aws_path = aws_cur.delivery_path(landing_dir, seed, demo_period)
            azure_path = azure_delivery_path(landing_dir, demo_period)
            templates[demo_period] = (
                writer.load_template(
                    f"aws_{demo_period.compact}",
                    f"select * from read_parquet({_literal(str(aws_path))}, hive_partitioning = false)",
                ),
                writer.load_template(
                    f"azure_{demo_period.compact}",
                    f"select * from read_csv({_literal(str(azure_path))}, all_varchar = true, header = true)",
                ),
            )
        for period in periods:
            source = template_period(period)
            aws_columns, azure_columns = templates[source]
            for name, file_format, write, columns, wanted in (
                (aws_cur.SOURCE, "parquet", writer.write_aws, aws_columns, aws_rows),
                (azure_cost.SOURCE, "csv", writer.write_azure, azure_columns, azure_rows),
            ):
                started = time.perf_counter()
                parts = write(f"{name.split('_')[0]}_{source.compact}", columns, source, period, wanted)
                seconds = time.perf_counter() - started
                files.extend(ScaledFile(path, name, file_format, period.start, rows) for path, rows in parts)
                size = sum(path.stat().st_size for path, _ in parts)
                report(
                    f"wrote {parts[0][0].relative_to(landing_dir).as_posix()}"
                    + (f" and {len(parts) - 1} more part(s) with a manifest" if len(parts) > 1 else "")
                    + f" ({sum(rows for _, rows in parts):,} rows, {size / 1e6:,.1f} MB, {seconds:.1f} s)"
                )
    finally:
        con.close()
        scratch.cleanup()
    return ScaleManifest(rows_per_month=rows, periods=[p.start for p in periods], files=files)
