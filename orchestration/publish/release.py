"""Publish the marts for BI tools and the dashboard: a read-only release swapped in atomically.

A release is built under `published/releases/.building-<name>/` from the live warehouse and only then renamed and
pointed at by the `published/current` symlink (one `rename`, atomic on POSIX), so a reader sees the previous
release or the new one, never a half-written one, and never holds a lock on the live warehouse:

    published/current -> releases/<name>/
        billing.duckdb                    every marts.* table (finance's copy)
        parquet/<table>/billing_period_start=<date>/*.parquet  (a table without a period: one file)
        scopes/<scope_id>/billing.duckdb  the rows and columns that scope may read (orchestration/publish/policy.py)
        manifest.json                     period, run, time, row counts per table and scope, sha256 of every file,
                                          each mart's digest per period and what was taken from the previous release

A release takes what did not change from the previous one (orchestration/publish/digests.py): Parquet partitions
whose period digest is unchanged are hard-linked, and only changed periods' rows are replaced in the DuckDB files.
Those start from the release about to be removed, moved into the new one unless a reader has them open (the
periods changed in the two closes since are replaced), else from a copy of the previous release's: a whole copy
costs as much as every month published, the periods replaced only as much as what changed. The previous release is
kept (a reader that opened it keeps reading); older ones are removed. A file hard-linked from the previous release
keeps the sha256 its manifest recorded (the file's size, modification time and inode are unchanged).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote as quote_url
from urllib.parse import unquote

import duckdb

from orchestration.ops.people import load_directory
from orchestration.publish.digests import (
    NULL_PERIOD,
    WHOLE_TABLE,
    MartDigest,
    PreviousRelease,
    ReuseSummary,
    copy_verified,
    file_identity,
    file_sha256,
    link_or_copy,
    mart_digests,
    period_text,
    previous_release,
    selection_fingerprint,
    take_unread_database,
)
from orchestration.publish.policy import PolicyError, PublicationPolicy, RowRule, load_policy
from orchestration.publish.scopes import FINANCE, Scope, scopes_to_publish
from orchestration.sql_text import identifier as quote

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
    reuse: ReuseSummary = field(default_factory=ReuseSummary)

    def summary(self) -> str:
        text = (
            f"published release {self.name}: {len(self.tables)} marts ({sum(self.tables.values())} rows), "
            f"{len(self.scopes)} scoped extracts ({', '.join(self.scopes)})"
        )
        reuse = self.reuse
        if reuse.parquet_partitions_linked or reuse.extract_tables_kept or reuse.extract_periods_replaced:
            text += (
                f"; unchanged since the previous release: {reuse.parquet_partitions_linked} of "
                f"{reuse.parquet_partitions_linked + reuse.parquet_partitions_written} Parquet partitions linked, "
                f"{reuse.extract_tables_kept} extract tables kept, {reuse.extract_periods_replaced} periods replaced"
            )
        if reuse.extract_files_recycled:
            text += f"; {reuse.extract_files_recycled} DuckDB files brought up to date in place"
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
        return f"{quote(rule.column)} = ?", [key]
    owned = (policy.department_cost_centers if scope.kind == "department_viewer" else policy.client_cost_centers).get(
        key or "", frozenset()
    )
    return f"list_contains(?::varchar[], {quote(rule.column)})", [sorted(owned)]


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


def _attached_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_catalog = 'publication' "
        "and table_schema = 'marts'"
    ).fetchall()
    return {row[0] for row in rows}


Selection = tuple[list[str], str, list[object]]


@dataclass(frozen=True)
class SiblingExtract:
    """A DuckDB file this release has already written, and the selection fingerprint of each of its tables: a table
    another file reads the same way (same columns, same rows) is taken from it as it is."""

    path: Path
    selections: dict[str, str]


def _write_database(
    con: duckdb.DuckDBPyConnection,
    building: Path,
    relative: str,
    marts: dict[str, list[str]],
    select: Callable[[str, list[str]], Selection | None],
    digests: dict[str, MartDigest],
    previous: PreviousRelease | None,
    reuse: ReuseSummary,
    sibling: SiblingExtract | None = None,
    recycled: PreviousRelease | None = None,
) -> tuple[dict[str, int], dict[str, str]]:
    """Write one DuckDB file of the release: (row count per table, selection fingerprint per table).

    From a copy of `sibling` when given: its tables this file reads the same way are kept as they are, the others
    written. Otherwise from the same file of `recycled` (the release about to be removed) moved here unless a reader
    has it open, else from a copy of the previous release's when its bytes are what its manifest recorded: a table
    the scope reads the same way keeps its unchanged periods and has the periods changed since that release
    replaced. A sibling must hold nothing this file may not show (`publish` only passes a scope's extract to
    finance's copy, which may show everything)."""
    path = building / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    chosen = {table: c for table, columns in marts.items() if (c := select(table, columns)) is not None}
    selections = {table: selection_fingerprint(*c) for table, c in chosen.items()}
    # The release this file starts from: its tables' selections and period digests say what to replace.
    origin: PreviousRelease | None = None
    if sibling is not None:
        shutil.copyfile(sibling.path, path)
        con.execute(f"attach '{path}' as publication")
        copied, earlier = True, sibling.selections
    else:
        origin = _recycle(con, recycled, relative, path, reuse) if recycled is not None else None
        if origin is None:
            base = previous.database(relative) if previous is not None else None
            if base is not None and copy_verified(base[0], path, base[1]):
                origin = previous
            elif base is not None:
                reuse.notes.append(f"{relative}: unreadable or not what the previous manifest recorded; written whole")
            con.execute(f"attach '{path}' as publication")
        copied = origin is not None
        earlier = origin.selections.get(relative, {}) if origin is not None else {}
    counts: dict[str, int] = {}
    try:
        existing = _attached_tables(con) if copied else set()
        if not copied:
            con.execute("create schema publication.marts")
        for table in sorted(existing - set(chosen)):
            con.execute(f"drop table publication.marts.{quote(table)}")
        for table, (kept, where, params) in chosen.items():
            target = f"publication.marts.{quote(table)}"
            digest = digests[table]
            changed = None
            if table in existing and earlier.get(table) == selections[table]:
                if sibling is not None:
                    changed = set()
                elif origin is not None:
                    changed = digest.changed_since(origin.digests.get(table))
            if changed is not None and changed and digest.period_column is not None:
                keys = sorted(changed)
                period = period_text(digest.period_column)
                con.execute(f"delete from {target} where list_contains(?::varchar[], {period})", [keys])
                con.execute(
                    f"insert into {target} by name select {', '.join(map(quote, kept))} from marts.{quote(table)} "
                    f"where ({where}) and list_contains(?::varchar[], {period})",
                    [*params, keys],
                )
                reuse.extract_periods_replaced += len(keys)
            elif changed is not None and not changed:
                if sibling is not None:
                    reuse.extract_tables_shared += 1
                else:
                    reuse.extract_tables_kept += 1
            else:
                con.execute(f"drop table if exists {target}")
                con.execute(
                    f"create table {target} as select {', '.join(map(quote, kept))} "
                    f"from marts.{quote(table)} where {where}",
                    params,
                )
                reuse.extract_tables_written += 1
            counts[table] = con.execute(f"select count(*) from {target}").fetchone()[0]
    finally:
        con.execute("detach publication")
    return counts, selections


def _recycle(
    con: duckdb.DuckDBPyConnection, recycled: PreviousRelease, relative: str, path: Path, reuse: ReuseSummary
) -> PreviousRelease | None:
    """`recycled`'s copy of the file, moved to `path` and attached as `publication`; None (and nothing attached)
    when it cannot be taken or a reader has it open (DuckDB refuses to attach for writing a file another process
    reads: the reader keeps the file it opened)."""
    if not take_unread_database(recycled, relative, path):
        return None
    try:
        con.execute(f"attach '{path}' as publication")
    except duckdb.IOException:
        path.unlink()
        return None
    reuse.extract_files_recycled += 1
    return recycled


def _finance_base(
    marts: dict[str, list[str]], scope_selects: dict[Scope, Callable[[str, list[str]], Selection | None]]
) -> Scope | None:
    """The scope whose extract finance's copy can start from: every table it holds, it holds whole (all rows, all
    columns, as finance's copy does). The one holding the most tables, e.g. the billing analyst's (every mart but
    the margins): its extract is then written once and finance's copy adds only what the scope may not read,
    instead of writing every table twice (a ten-million-line month: ~80 s)."""
    best: tuple[int, Scope] | None = None
    for scope, select in scope_selects.items():
        chosen = {table: select(table, columns) for table, columns in marts.items()}
        held = {table: c for table, c in chosen.items() if c is not None}
        if not held or any(c != (marts[table], "true", []) for table, c in held.items()):
            continue
        if best is None or len(held) > best[0]:
            best = (len(held), scope)
    return best[1] if best is not None else None


def _partition_directories(target: Path, column: str) -> dict[str, list[Path]]:
    """The Parquet files DuckDB wrote per partition, keyed by the period's text (directory names are URL-encoded)."""
    found: dict[str, list[Path]] = {}
    for directory in target.iterdir():
        prefix, _, encoded = directory.name.partition("=")
        if directory.is_dir() and prefix == column:
            found[unquote(encoded)] = sorted(p for p in directory.iterdir() if p.is_file())
    return found


def _inside(name: str, folder: str) -> bool:
    return name.startswith(folder) and ".." not in Path(name).parts


@contextmanager
def _rows_in_any_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """A published file promises its rows, not their order (a mart has none): DuckDB then writes the row groups as
    its threads finish them. A ten-million-line month's FOCUS mart: 25 s -> 11 s; its allocations 16 s -> 10 s.
    The connection's own setting is restored for whatever the close does next."""
    (ordered,) = con.execute("select current_setting('preserve_insertion_order')").fetchone() or (True,)
    con.execute("set preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if ordered else 'false'}")


def _write_parquet(
    con: duckdb.DuckDBPyConnection,
    building: Path,
    marts: dict[str, list[str]],
    digests: dict[str, MartDigest],
    previous: PreviousRelease | None,
    reuse: ReuseSummary,
) -> dict[str, dict[str, list[str]]]:
    """Write every mart as Parquet, one directory per period; a period unchanged since the previous release is
    hard-linked from it. Returns the files of each partition (relative to the release), for the next release."""
    written: dict[str, dict[str, list[str]]] = {}
    for table in marts:
        target = building / "parquet" / table
        target.mkdir(parents=True, exist_ok=True)
        digest = digests[table]
        files: dict[str, list[str]] = {}
        changed = digest.changed_since(previous.digests.get(table)) if previous is not None else None
        earlier = previous.parquet.get(table, {}) if previous is not None else {}
        for key in sorted(digest.partitions):
            old = earlier.get(key)
            if changed is None or key in changed or not old or previous is None:
                continue
            # Only files of this mart's own folder, present in the previous release (a manifest is a file on disk).
            if not all(_inside(name, f"parquet/{table}/") and (previous.path / name).is_file() for name in old):
                continue
            for name in old:
                link_or_copy(previous.path / name, building / name)
            files[key] = old
        reuse.parquet_partitions_linked += len(files)
        to_write = sorted(set(digest.partitions) - set(files))
        reuse.parquet_partitions_written += len(to_write)
        if digest.period_column is None:
            if to_write:
                con.execute(f"copy marts.{quote(table)} to '{target / f'{table}.parquet'}' (format parquet)")
            files[WHOLE_TABLE] = [f"parquet/{table}/{table}.parquet"]
        elif NULL_PERIOD in to_write:
            # Rows without a period: DuckDB's own partitioned write names and reads back that partition.
            rows = f"marts.{quote(table)}"
            if files:
                listed = ", ".join("'" + key.replace("'", "''") + "'" for key in to_write)
                rows = f"(select * from {rows} where {period_text(digest.period_column)} in ({listed}))"
            con.execute(
                f"copy {rows} to '{target}' "
                f"(format parquet, partition_by ({quote(digest.period_column)}), overwrite_or_ignore)"
            )
            for key, paths in _partition_directories(target, digest.period_column).items():
                if key in to_write:
                    files[key] = [p.relative_to(building).as_posix() for p in paths]
        else:
            for key in to_write:
                files[key] = [_write_period_file(con, building, table, digest.period_column, key)]
        written[table] = files
    return written


def _write_period_file(con: duckdb.DuckDBPyConnection, building: Path, table: str, period_column: str, key: str) -> str:
    """One period of a mart as the file DuckDB's partitioned write makes (`<column>=<url-encoded period>/
    data_0.parquet`, the period in the path, not in the file), written by a plain COPY of that period's rows: half
    the time of a partitioned write of the same rows (a ten-million-line month's FOCUS mart: 27 s against 53 s)."""
    relative = Path("parquet") / table / f"{period_column}={quote_url(key, safe='')}" / "data_0.parquet"
    (building / relative).parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"copy (select * exclude ({quote(period_column)}) from marts.{quote(table)} "
        f"where {period_text(period_column)} = ?) to '{building / relative}' (format parquet)",
        [key],
    )
    return relative.as_posix()


def _make_read_only(root: Path, previous: PreviousRelease | None) -> tuple[dict[str, str], dict[str, list[int]]]:
    """sha256 and identity (size, modification time, inode) of every file, each made read-only (BI tools open the
    copy, never write it). A file hard-linked from the previous release, never written since, keeps the sha256 its
    manifest recorded: the months a close did not change are not read again.

    Two files are hashed at a time (hashlib and file reads release the GIL), the largest first: a ten-million-line
    release is ~7.7 GB in 41 files, whose hashes took 5.2 s one after another."""
    paths = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: (-p.stat().st_size, str(p)))
    names = {path: path.relative_to(root).as_posix() for path in paths}

    def sha256(path: Path) -> str:
        kept = previous.unchanged_sha256(names[path], path) if previous is not None else None
        return kept or file_sha256(path)

    with ThreadPoolExecutor(max_workers=2) as pool:
        digests = dict(zip(paths, pool.map(sha256, paths), strict=True))
    for path in paths:
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    files = {names[path]: digests[path] for path in sorted(paths, key=names.__getitem__)}
    return files, {names[path]: file_identity(path) for path in paths}


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
    # The files stay as they are: a release's Parquet files are hard links shared with the next release, and a
    # file's mode belongs to all its links (removing a file needs only its directory writable).
    shutil.rmtree(path)


def _releases_to_remove(published_dir: Path, keep: int) -> list[Path]:
    """The finished releases beyond the newest `keep`, newest first, never the current one."""
    current = (published_dir / CURRENT).resolve()
    releases = published_dir / RELEASES
    finished = sorted((p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    return [old for old in finished[keep:] if old.resolve() != current]


def _release_to_recycle(published_dir: Path) -> PreviousRelease | None:
    """The newest release the pruning after this publication removes (the new release will count among those kept),
    if its manifest reads: its DuckDB files may be brought up to date in place instead of copying the current one's."""
    removed = _releases_to_remove(published_dir, KEEP_RELEASES - 1)
    return previous_release(removed[0]) if removed else None


def _prune(published_dir: Path, keep: int = KEEP_RELEASES) -> None:
    for old in _releases_to_remove(published_dir, keep):
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
        previous = previous_release(published_dir / CURRENT)
        recycled = _release_to_recycle(published_dir)
        digests = mart_digests(con, marts, PERIOD_COLUMNS)
        selections: dict[str, dict[str, str]] = {}
        scope_selects: dict[Scope, Callable[[str, list[str]], Selection | None]] = {
            scope: (lambda t, c, s=scope: _scope_selection(s, t, c, policy)) for scope in scopes if scope != FINANCE
        }
        base = _finance_base(marts, scope_selects)

        def write_scope(scope: Scope) -> None:
            relative = f"scopes/{scope.scope_id}/{DATABASE}"
            release.scopes[scope.scope_id], selections[relative] = _write_database(
                con,
                building,
                relative,
                marts,
                scope_selects[scope],
                digests,
                previous,
                release.reuse,
                recycled=recycled,
            )

        sibling = None
        if base is not None:
            write_scope(base)
            relative = f"scopes/{base.scope_id}/{DATABASE}"
            sibling = SiblingExtract(building / relative, selections[relative])
        release.tables, selections[DATABASE] = _write_database(
            con, building, DATABASE, marts, lambda t, c: (c, "true", []), digests, previous, release.reuse, sibling
        )
        release.finance_only_unlisted = sorted(t for t in marts if t not in policy.tables)
        with _rows_in_any_order(con):
            parquet = _write_parquet(con, building, marts, digests, previous, release.reuse)
        for scope in scope_selects:
            if scope != base:
                write_scope(scope)
        release.scopes = {scope.scope_id: release.scopes[scope.scope_id] for scope in scope_selects}
        manifest = {
            "release": name,
            "billing_period": f"{period:%Y-%m}" if period else None,
            "run_id": run_id,
            "published_at": moment.isoformat(),
            "tables": release.tables,
            "scopes": {FINANCE.scope_id: release.tables, **release.scopes},
            "finance_only_unlisted": release.finance_only_unlisted,
            "policy": {path.name: file_sha256(path) for path in policy.sources},
            "digests": {table: digest.as_json() for table, digest in digests.items()},
            "selections": selections,
            "parquet_partitions": parquet,
            "reused_from": previous.path.name if previous is not None else None,
            "reuse": release.reuse.as_json(),
        }
        manifest["files"], manifest["identities"] = _make_read_only(building, previous)
        (building / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (building / MANIFEST).chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    except BaseException:
        _remove(building)
        raise
    os.replace(building, release.path)
    _swap_current(published_dir, release.path)
    _prune(published_dir)
    return release
