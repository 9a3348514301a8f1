"""Publish the marts for BI tools and the dashboard: a read-only release swapped in atomically.

A release is built under `published/releases/.building-<name>/` from the live warehouse and only then renamed and
pointed at by the `published/current` symlink (one `rename`, atomic on POSIX), so a reader sees the previous
release or the new one, never a half-written one, and never holds a lock on the live warehouse:

    published/current -> releases/<name>/
        billing.duckdb                    every marts.* table (finance's copy)
        parquet/<table>/billing_period_start=<date>/*.parquet  (a table without a period: one file)
        scopes/<scope_id>/billing.duckdb  the rows and columns that scope may read (orchestration/publish/policy.py)
        manifest.json                     period, run, time, row counts per table and scope, sha256 of every file

The previous release is kept (a reader that opened it keeps reading); older ones are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.ops.people import load_directory
from orchestration.publish.policy import PolicyError, PublicationPolicy, RowRule, load_policy
from orchestration.publish.scopes import FINANCE, Scope, scopes_to_publish

CURRENT = "current"
RELEASES = "releases"
DATABASE = "billing.duckdb"
MANIFEST = "manifest.json"
PERIOD_COLUMNS = ("billing_period_start", "BillingPeriodStart")
KEEP_RELEASES = 2


@dataclass
class Release:
    name: str
    path: Path
    tables: dict[str, int] = field(default_factory=dict)
    scopes: dict[str, dict[str, int]] = field(default_factory=dict)
    finance_only_unlisted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"published release {self.name}: {len(self.tables)} marts ({sum(self.tables.values())} rows), "
            f"{len(self.scopes)} scoped extracts ({', '.join(self.scopes)})"
        )
        if self.finance_only_unlisted:
            text += f"; not in seeds/publication_scopes.csv, so finance only: {', '.join(self.finance_only_unlisted)}"
        return text


def _marts(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts' "
        "order by table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_filter(
    rule: RowRule, scope: Scope, columns: list[str], policy: PublicationPolicy, table: str
) -> tuple[str, list[object]] | None:
    """The where clause of a viewer's rows, or None when the table is not in its extract."""
    if rule.kind == "none":
        return None
    if rule.kind == "all":
        return "true", []
    assert rule.column is not None
    if rule.column not in columns:
        raise PolicyError(
            f"seeds/publication_scopes.csv: {table} has no column {rule.column} (its columns: {', '.join(columns)}); "
            "correct the row rule"
        )
    key = scope.department_id if scope.kind == "department_viewer" else scope.client_id
    if rule.kind == "column":
        return f"{_quote(rule.column)} = ?", [key]
    owned = (policy.department_cost_centers if scope.kind == "department_viewer" else policy.client_cost_centers).get(
        key or "", frozenset()
    )
    return f"list_contains(?::varchar[], {_quote(rule.column)})", [sorted(owned)]


def _scope_selection(
    scope: Scope, table: str, columns: list[str], policy: PublicationPolicy
) -> tuple[list[str], str, list[object]] | None:
    """(columns, where, params) the scope reads from a mart, or None when the mart is not in its extract."""
    rule = policy.tables.get(table)
    if scope.kind == "finance":
        return columns, "true", []
    if rule is None or rule.finance_only:
        return None
    if scope.kind == "analyst":
        where: tuple[str, list[object]] | None = ("true", [])
    else:
        viewer_rule = rule.department_viewer if scope.kind == "department_viewer" else rule.client_viewer
        where = _row_filter(viewer_rule, scope, columns, policy, table)
    if where is None:
        return None
    hidden = policy.hidden(table, scope.kind)
    return [c for c in columns if c not in hidden], where[0], where[1]


def _write_database(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    marts: dict[str, list[str]],
    select: Callable[[str, list[str]], tuple[list[str], str, list[object]] | None],
) -> dict[str, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"attach '{path}' as publication")
    counts: dict[str, int] = {}
    try:
        con.execute("create schema publication.marts")
        for table, columns in marts.items():
            chosen = select(table, columns)
            if chosen is None:
                continue
            kept, where, params = chosen
            con.execute(
                f"create table publication.marts.{_quote(table)} as select {', '.join(map(_quote, kept))} "
                f"from marts.{_quote(table)} where {where}",
                params,
            )
            counts[table] = con.execute(f"select count(*) from publication.marts.{_quote(table)}").fetchone()[0]
    finally:
        con.execute("detach publication")
    return counts


def _write_parquet(
    con: duckdb.DuckDBPyConnection, directory: Path, marts: dict[str, list[str]], rows: dict[str, int]
) -> None:
    for table, columns in marts.items():
        target = directory / table
        target.mkdir(parents=True, exist_ok=True)
        partition = next((c for c in PERIOD_COLUMNS if c in columns), None)
        if partition is None:
            con.execute(f"copy marts.{_quote(table)} to '{target / f'{table}.parquet'}' (format parquet)")
        elif rows[table]:  # partitioning writes no file for an empty table
            con.execute(
                f"copy marts.{_quote(table)} to '{target}' "
                f"(format parquet, partition_by ({_quote(partition)}), overwrite_or_ignore)"
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _make_read_only(root: Path) -> dict[str, str]:
    """sha256 of every file, each made read-only (BI tools open the copy, never write it)."""
    hashes: dict[str, str] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        hashes[str(path.relative_to(root))] = _sha256(path)
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return hashes


def _swap_current(published_dir: Path, release: Path) -> None:
    link = published_dir / CURRENT
    if link.is_dir() and not link.is_symlink():
        # A copy of the data directory (cp -r, shutil.copytree) turned the link into a directory: set it aside as
        # the oldest release, so the rename below can replace it and the pruning removes it.
        os.replace(link, published_dir / RELEASES / f"0-copied-{release.name}")
    staged = published_dir / f".{CURRENT}-{release.name}"
    if staged.is_symlink() or staged.exists():
        staged.unlink()
    staged.symlink_to(Path(RELEASES) / release.name)
    os.replace(staged, link)


def _remove(path: Path) -> None:
    for child in path.rglob("*"):
        if child.is_file():
            child.chmod(stat.S_IRUSR | stat.S_IWUSR)
    shutil.rmtree(path)


def _prune(published_dir: Path, keep: int = KEEP_RELEASES) -> None:
    releases = published_dir / RELEASES
    current = (published_dir / CURRENT).resolve()
    finished = sorted((p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    for old in finished[keep:]:
        if old.resolve() != current:
            _remove(old)


def publish(
    con: duckdb.DuckDBPyConnection,
    published_dir: Path,
    seeds_dir: Path,
    *,
    period: date | None = None,
    run_id: str | None = None,
    now: datetime | None = None,
) -> Release:
    """Copy the warehouse's marts into a new release with one extract per scope, then make it current."""
    policy = load_policy(seeds_dir)
    scopes = scopes_to_publish(load_directory(seeds_dir))
    marts = _marts(con)
    moment = now or datetime.now(UTC)
    name = f"{moment:%Y%m%dT%H%M%S%fZ}" + (f"-{period:%Y-%m}" if period else "")
    releases = published_dir / RELEASES
    building = releases / f".building-{name}"
    if building.exists():
        _remove(building)
    building.mkdir(parents=True)
    try:
        release = Release(name, releases / name)
        release.tables = _write_database(con, building / DATABASE, marts, lambda t, c: (c, "true", []))
        release.finance_only_unlisted = sorted(t for t in marts if t not in policy.tables)
        _write_parquet(con, building / "parquet", marts, release.tables)
        for scope in scopes:
            if scope == FINANCE:
                continue
            release.scopes[scope.scope_id] = _write_database(
                con,
                building / "scopes" / scope.scope_id / DATABASE,
                marts,
                lambda t, c, s=scope: _scope_selection(s, t, c, policy),
            )
        manifest = {
            "release": name,
            "billing_period": f"{period:%Y-%m}" if period else None,
            "run_id": run_id,
            "published_at": moment.isoformat(),
            "tables": release.tables,
            "scopes": {FINANCE.scope_id: release.tables, **release.scopes},
            "finance_only_unlisted": release.finance_only_unlisted,
            "policy": {path.name: _sha256(path) for path in policy.sources},
        }
        manifest["files"] = _make_read_only(building)
        (building / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (building / MANIFEST).chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    except BaseException:
        _remove(building)
        raise
    os.replace(building, release.path)
    _swap_current(published_dir, release.path)
    _prune(published_dir)
    return release
