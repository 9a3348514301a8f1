"""Row-by-row comparison of the marts two engines built for the same deliveries.

Both warehouses are attached read-only to one in-memory DuckDB; on a Spark-built warehouse the marts are views
over Spark's Parquet files (orchestration/engines/spark.py), so the values compared are the ones each engine
wrote. Two marts agree when they have the same columns with the same types and the same multiset of rows
(``except all`` both ways: duplicates count, decimals compare exactly). A column may be left out of the row
comparison only through a tolerated difference, which states its reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.engines.spark import BuiltTable

# The catalogs the two warehouses are attached as: names no schema of the project has, or a DuckDB view reading
# `reference.*` (seeds) inside the attached warehouse would be ambiguous.
REFERENCE, CANDIDATE = "built_by_duckdb", "built_by_spark"


@dataclass(frozen=True)
class ToleratedDifference:
    table: str  # schema.name
    column: str
    reason: str


@dataclass
class TableComparison:
    table: str
    reference_rows: int
    candidate_rows: int
    compared_columns: int
    problems: list[str] = field(default_factory=list)
    tolerated: list[ToleratedDifference] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.problems


def load_tolerated(path: Path) -> list[ToleratedDifference]:
    """The checked-in list of columns whose values may differ between engines, each with its reason."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    tolerated = [ToleratedDifference(entry["table"], entry["column"], entry["reason"]) for entry in entries]
    for entry in tolerated:
        if not entry.reason.strip():
            raise ValueError(f"{path}: tolerated difference {entry.table}.{entry.column} gives no reason")
    return tolerated


def _columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {name: str(kind) for name, kind, *_ in con.execute(f"describe select * from {relation}").fetchall()}


def _count(con: duckdb.DuckDBPyConnection, query: str) -> int:
    (value,) = con.execute(f"select count(*) from ({query})").fetchone() or (0,)
    return int(value)


def _compare_table(
    con: duckdb.DuckDBPyConnection, table: BuiltTable, tolerated: list[ToleratedDifference]
) -> TableComparison:
    name = f"{table.schema}.{table.name}"
    reference, candidate = f"{REFERENCE}.{name}", f"{CANDIDATE}.{name}"
    reference_columns, candidate_columns = _columns(con, reference), _columns(con, candidate)
    skipped = [entry for entry in tolerated if entry.table == name]
    skipped_names = {entry.column for entry in skipped}
    problems: list[str] = []
    for column in sorted(set(reference_columns) ^ set(candidate_columns)):
        side = "Spark" if column in candidate_columns else "DuckDB"
        problems.append(f"column {column} only in the {side} build")
    shared = [column for column in reference_columns if column in candidate_columns]
    for column in shared:
        if reference_columns[column] != candidate_columns[column]:
            problems.append(
                f"column {column} is {reference_columns[column]} on DuckDB but {candidate_columns[column]} on Spark"
            )
    compared = [column for column in shared if column not in skipped_names]
    select = ", ".join(f'"{column}"' for column in compared)
    reference_rows = _count(con, f"select * from {reference}")
    candidate_rows = _count(con, f"select * from {candidate}")
    if reference_rows != candidate_rows:
        problems.append(f"{reference_rows} rows on DuckDB but {candidate_rows} on Spark")
    only_reference = _count(con, f"select {select} from {reference} except all select {select} from {candidate}")
    only_candidate = _count(con, f"select {select} from {candidate} except all select {select} from {reference}")
    if only_reference or only_candidate:
        problems.append(f"{only_reference} row(s) only on DuckDB, {only_candidate} row(s) only on Spark")
    return TableComparison(name, reference_rows, candidate_rows, len(compared), problems, skipped)


def compare_warehouses(
    reference_path: Path, candidate_path: Path, tables: list[BuiltTable], tolerated: list[ToleratedDifference]
) -> list[TableComparison]:
    """Compare every table in `tables` between the DuckDB-built (reference) and Spark-built (candidate) warehouse."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{reference_path}' as {REFERENCE} (read_only)")
        con.execute(f"attach '{candidate_path}' as {CANDIDATE} (read_only)")
        return [_compare_table(con, table, tolerated) for table in tables]
    finally:
        con.close()


def relations_in_schema(warehouse_path: Path, schema: str) -> set[str]:
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        rows = con.execute("select table_name from information_schema.tables where table_schema = ?", [schema])
        return {f"{schema}.{name}" for (name,) in rows.fetchall()}
    finally:
        con.close()


def render_report(comparisons: list[TableComparison]) -> str:
    width = max([len(comparison.table) for comparison in comparisons] + [5])
    lines = [f"{'table':<{width}}  {'duckdb rows':>11}  {'spark rows':>10}  {'columns':>7}  result"]
    for comparison in comparisons:
        result = "equal" if comparison.equal else "DIFFERENT: " + "; ".join(comparison.problems)
        if comparison.tolerated:
            result += " (not compared: " + ", ".join(entry.column for entry in comparison.tolerated) + ")"
        lines.append(
            f"{comparison.table:<{width}}  {comparison.reference_rows:>11,}  {comparison.candidate_rows:>10,}  "
            f"{comparison.compared_columns:>7}  {result}"
        )
    return "\n".join(lines)
