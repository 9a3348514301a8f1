"""The raw lake: the warehouse's raw and audit tables as Parquet, which a distributed engine reads as dbt sources.

DuckDB stays the system of record for what was delivered (raw.*) and what was issued (audit.*): ingest,
supersede, quarantine and finalization write there, in one transaction each. Before dbt runs on another
engine, `sync_lake` mirrors those tables into Parquet under ``<lake>/<schema>/<table>/``:

* raw tables one directory per billing period (``period=YYYY-MM-DD/data.parquet``), rewritten only when
  the set of delivered files behind that period (or the table's columns) changed, and removed when the
  period no longer has rows. A restatement therefore reaches the lake as a rewritten period, exactly as it
  replaced the rows in DuckDB; syncing twice writes nothing the second time.
* audit tables as one file each (they are small), rewritten when their content checksum changes; so are raw
  tables without a billing period, which are snapshots rather than deliveries (``raw.ops_*``, the operational
  store as of the close: orchestration/ops/snapshot.py);
* every table also gets a zero-row ``schema/data.parquet`` with its current columns, so an engine can
  declare a table that has no rows yet (a provider that never delivered) with the right columns.

Files are written beside their final name and renamed into place, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.sql_text import identifier as _quote
from orchestration.sql_text import literal

FINGERPRINT_FILE = ".fingerprint"
DATA_FILE = "data.parquet"
PERIOD_PREFIX = "period="
MIRRORED_SCHEMAS = ("raw", "audit")
# The lineage column that makes a raw table a set of deliveries, mirrored one directory per billing period.
PERIOD_COLUMN = "_billing_period_start"


@dataclass
class LakeSyncReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"lake: {len(self.written)} partition(s) written, {self.unchanged} unchanged, {len(self.removed)} removed"
        )


def _literal(path: Path) -> str:
    return literal(str(path))


def _copy_to_parquet(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.tmp")
    con.execute(f"copy ({query}) to {_literal(staging)} (format parquet, compression zstd)")
    staging.replace(target)


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE' "
        "order by table_name",
        [schema],
    ).fetchall()
    return [name for (name,) in rows]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [schema, table],
    ).fetchall()
    return [name for (name,) in rows]


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()


def _write_if_changed(
    con: duckdb.DuckDBPyConnection, query: str, directory: Path, fingerprint: str, report: LakeSyncReport
) -> None:
    marker = directory / FINGERPRINT_FILE
    if (directory / DATA_FILE).exists() and marker.exists() and marker.read_text() == fingerprint:
        report.unchanged += 1
        return
    _copy_to_parquet(con, query, directory / DATA_FILE)
    marker.write_text(fingerprint)
    report.written.append(str(directory))


def _sync_raw_table(con: duckdb.DuckDBPyConnection, table: str, root: Path, report: LakeSyncReport) -> None:
    columns = _columns(con, "raw", table)
    relation = f"raw.{_quote(table)}"
    _write_if_changed(con, f"select * from {relation} limit 0", root / "schema", _fingerprint(columns), report)
    deliveries = con.execute(
        f"select _billing_period_start, string_agg(distinct _file_sha256, ',' order by _file_sha256), count(*) "
        f"from {relation} group by _billing_period_start order by _billing_period_start"
    ).fetchall()
    live = set()
    for period, files, rows in deliveries:
        directory = root / f"{PERIOD_PREFIX}{period}"
        live.add(directory.name)
        query = f"select * from {relation} where _billing_period_start = '{period}' order by _source_file, _source_row"
        _write_if_changed(con, query, directory, _fingerprint(columns, files, rows), report)
    for stale in sorted(root.glob(f"{PERIOD_PREFIX}*")):
        if stale.name not in live:
            shutil.rmtree(stale)
            report.removed.append(str(stale))


def _sync_whole_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, root: Path, report: LakeSyncReport
) -> None:
    relation = f"{schema}.{_quote(table)}"
    columns = _columns(con, schema, table)
    _write_if_changed(con, f"select * from {relation} limit 0", root / "schema", _fingerprint(columns), report)
    # A checksum of every row: audit.ingested_files changes status in place when a delivery is superseded.
    row_hash = f"hash({', '.join(_quote(c) for c in columns)})"
    content = con.execute(f"select count(*), bit_xor({row_hash}) from {relation}").fetchone()
    _write_if_changed(con, f"select * from {relation}", root / "all", _fingerprint(columns, content), report)


def sync_lake(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> LakeSyncReport:
    """Bring the Parquet mirror of raw.* and audit.* up to date with the warehouse; idempotent."""
    report = LakeSyncReport()
    for table in _tables(con, "raw"):
        if PERIOD_COLUMN in _columns(con, "raw", table):
            _sync_raw_table(con, table, lake_dir / "raw" / table, report)
        else:
            _sync_whole_table(con, "raw", table, lake_dir / "raw" / table, report)
    for table in _tables(con, "audit"):
        _sync_whole_table(con, "audit", table, lake_dir / "audit" / table, report)
    return report


def lake_table_path(lake_dir: Path, schema: str, table: str) -> Path:
    return lake_dir / schema / table
