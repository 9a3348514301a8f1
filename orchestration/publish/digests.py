"""What a release can take unchanged from the previous one: a digest of every mart per billing period.

A close recomputes its own month (dbt's incremental models) and the marts' other months come out the same, yet a
release used to copy every month of every mart three ways (finance's DuckDB copy, Parquet, each scope's extract), so
publishing cost more the more history the warehouse held. Each release's manifest now records, per mart, the digest
of its column layout and of each period's rows (row count and the sum of a 64-bit hash of every row); the next
release compares and copies only the periods whose digest differs, taking the others from the previous release:
Parquet partitions hard-linked, DuckDB extracts copied (their bytes checked against the previous manifest) with the
changed periods' rows replaced. A mart without a period column is one partition. Anything that cannot be compared
(no previous release, another layout, a period that is NULL, a scope whose selection changed) is written whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.ingest.file_digests import sha256_of as file_sha256
from orchestration.sql_text import identifier as quote

WHOLE_TABLE = "*"
NULL_PERIOD = "null"


def period_text(column: str) -> str:
    """The SQL text of a period value, as the digests and the partition directory names spell it."""
    return f"cast({quote(column)} as varchar)"


@dataclass(frozen=True)
class MartDigest:
    """One mart's layout and per-period row digests (`partitions`: period text, or `*` for an unpartitioned mart)."""

    layout: str
    period_column: str | None
    partitions: dict[str, str]

    def comparable(self) -> bool:
        return NULL_PERIOD not in self.partitions

    def changed_since(self, previous: MartDigest | None) -> set[str] | None:
        """The partitions to write again when the previous release held `previous`; None: write the whole mart."""
        if previous is None or previous.layout != self.layout or previous.period_column != self.period_column:
            return None
        if not (self.comparable() and previous.comparable()):
            return None
        keys = set(self.partitions) | set(previous.partitions)
        return {key for key in keys if self.partitions.get(key) != previous.partitions.get(key)}

    def as_json(self) -> dict[str, Any]:
        return {"layout": self.layout, "period_column": self.period_column, "partitions": self.partitions}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MartDigest:
        partitions = {str(key): str(value) for key, value in data["partitions"].items()}
        return cls(str(data["layout"]), data.get("period_column"), partitions)


def mart_digests(
    con: duckdb.DuckDBPyConnection, marts: dict[str, list[str]], period_columns: tuple[str, ...]
) -> dict[str, MartDigest]:
    """Digest every mart in one scan each."""
    types: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in con.execute(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'marts' "
        "order by table_name, ordinal_position"
    ).fetchall():
        types.setdefault(table, []).append((column, data_type))
    digests: dict[str, MartDigest] = {}
    for table, columns in marts.items():
        layout = hashlib.sha256(json.dumps([list(pair) for pair in types[table]]).encode()).hexdigest()
        period = next((c for c in period_columns if c in columns), None)
        key = f"coalesce({period_text(period)}, '{NULL_PERIOD}')" if period else f"'{WHOLE_TABLE}'"
        rows = con.execute(
            f"select {key} as partition_key, count(*), coalesce(sum(hash(published_row)::hugeint), 0) "
            f"from marts.{quote(table)} as published_row group by all"
        ).fetchall()
        partitions = {str(k): f"{n}:{h}" for k, n, h in rows}
        if period is None and not partitions:
            partitions = {WHOLE_TABLE: "0:0"}  # an empty mart without periods is still one (empty) Parquet file
        digests[table] = MartDigest(layout, period, partitions)
    return digests


def selection_fingerprint(columns: list[str], where: str, params: list[object]) -> str:
    """What a scope reads of a mart (columns, row filter, its values): an extract is reused only under the same."""
    return hashlib.sha256(json.dumps([columns, where, params], default=str).encode()).hexdigest()


def file_identity(path: Path) -> list[int]:
    """What says a file is still the one a manifest hashed: its size, modification time and inode. Every write
    changes the modification time; a hard link keeps all three."""
    status = path.stat()
    return [status.st_size, status.st_mtime_ns, status.st_ino]


@dataclass
class PreviousRelease:
    """An earlier release: its files (sha256 and identity), its manifest's digests and selections."""

    path: Path
    files: dict[str, str]
    digests: dict[str, MartDigest]
    selections: dict[str, dict[str, str]]
    parquet: dict[str, dict[str, list[str]]]
    # Each file's identity when it was hashed (file_identity); releases before it was recorded have none.
    identities: dict[str, list[int]] = field(default_factory=dict)

    def database(self, relative: str) -> tuple[Path, str] | None:
        """A DuckDB file of the previous release and its recorded sha256, when both exist."""
        sha = self.files.get(relative)
        path = self.path / relative
        return (path, sha) if sha and path.is_file() else None

    def unchanged_sha256(self, relative: str, path: Path) -> str | None:
        """The recorded sha256 of `relative` when `path` is still that very file (a hard link of it, never written
        since): the hash is taken over instead of reading the file again."""
        recorded, sha = self.identities.get(relative), self.files.get(relative)
        try:
            return sha if recorded is not None and sha and file_identity(path) == recorded else None
        except OSError:
            return None


def previous_release(current: Path) -> PreviousRelease | None:
    """The release `current` points at (or any release directory), when its manifest records digests (releases
    before this module do not)."""
    manifest_path = current / "manifest.json"
    if not current.is_dir() or not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        digests = {table: MartDigest.from_json(data) for table, data in manifest["digests"].items()}
        identities = {str(name): [int(n) for n in value] for name, value in manifest.get("identities", {}).items()}
        return PreviousRelease(
            path=current.resolve(),
            files=dict(manifest["files"]),
            digests=digests,
            selections=dict(manifest["selections"]),
            parquet=dict(manifest["parquet_partitions"]),
            identities=identities,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        # An unreadable or older manifest: nothing is reused, the release is written whole.
        return None


def copy_verified(source: Path, target: Path, expected_sha256: str) -> bool:
    """Copy a file, then hash the copy; False (and no target) when it cannot be read or the copy's bytes are not what
    was recorded. The copy is the kernel's (`shutil.copyfile`: no bytes through Python) and the hash reads it back
    from the page cache: about half the time of hashing while writing each block from Python (a 687 MB extract:
    1.0 s against 2.0 s), and it checks the bytes this release holds, not the ones it read."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(source, target)
        digest = file_sha256(target)
    except OSError:
        target.unlink(missing_ok=True)
        return False
    if digest != expected_sha256:
        target.unlink()
        return False
    return True


def take_unread_database(release: PreviousRelease, relative: str, target: Path) -> bool:
    """Move a DuckDB file of a release about to be removed into the release being built, to be brought up to date in
    place instead of copying the current release's copy whole (whose size grows with every month published). Only
    the file as its manifest recorded it (identity, else sha256), with no other link to it and no write-ahead log
    beside it. The caller attaches it for writing, which DuckDB refuses while another process reads it (a BI tool,
    the dashboard): the file is then dropped from this release (the reader keeps reading it) and the current
    release's copied instead."""
    source = release.path / relative
    sha = release.files.get(relative)
    if not sha or not source.is_file() or source.with_name(source.name + ".wal").exists():
        return False
    try:
        if source.stat().st_nlink != 1:
            return False  # a hard link elsewhere (a `cp -al` backup) would be written too
        recorded = release.identities.get(relative)
        if recorded is not None and file_identity(source) != recorded:
            return False
        if recorded is None and file_sha256(source) != sha:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        target.chmod(0o644)
    except OSError:
        return False
    return True


def link_or_copy(source: Path, target: Path) -> None:
    """A file of the previous release into this one: a hard link (no bytes written), a copy across filesystems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, target)


@dataclass
class ReuseSummary:
    """What a release took from the previous one, for the log and the manifest."""

    parquet_partitions_linked: int = 0
    parquet_partitions_written: int = 0
    extract_tables_kept: int = 0
    # Tables finance's copy took from a scope's extract of the same release (read the same way, written once).
    extract_tables_shared: int = 0
    extract_periods_replaced: int = 0
    extract_tables_written: int = 0
    # DuckDB files taken from the release about to be removed and brought up to date in place, not copied.
    extract_files_recycled: int = 0
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
