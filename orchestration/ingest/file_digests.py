"""The sha256 of each landing-zone file, kept with what the file system says of the file, so that a close does not
read every delivered file again.

Every ingest looks at every file of its source in the landing zone (the months already loaded, the months waiting)
and tells them apart by their sha256. A month-end export of a large enterprise is gigabytes (the bench's
ten-million-line month: a 3.3 GB Azure CSV, 2.1 s to hash from the page cache, 6.6 s from disk), and a year of them
was read whole by every close, whichever month it closed. A file's digest is now kept in
audit.landing_file_digests with the file's size, modification and change times (nanoseconds), inode and device
when it was hashed, and taken again only while all of them are unchanged. The change time (ctime) is set by the
kernel on every write, truncation, rename or change of times, and no call sets it back, so a file rewritten in
place, even with its modification time restored, never keeps it (git's index relies on the same). A file changed
within SETTLED_NANOSECONDS of being looked at, or changing while it is hashed, is hashed again next time: a write
landing within one tick of the file system's clock could otherwise go unseen.

A file of another month than the one being closed is left pending, and finding its month means reading it (DuckDB
probing a CSV's period column: ~0.3 s even for a small file, twice for a file whose first rows are of another
month). The month(s) found are kept beside the digest (`periods`, `billing_account_id`): they are the file's
content's, so while its sha256 is the kept one, a later close of another month leaves it pending without reading it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

SETTLED_NANOSECONDS = 2_000_000_000

LANDING_FILE_DIGESTS_DDL = """
create table if not exists audit.landing_file_digests (
    path varchar not null,
    bytes bigint not null,
    modified_ns bigint not null,
    changed_ns bigint not null,
    inode bigint not null,
    device bigint not null,
    sha256 varchar not null,
    hashed_at timestamp not null,
    periods varchar,
    billing_account_id varchar
)
"""
# Added with the months of pending files; a warehouse created before has the table without them.
LANDING_FILE_DIGESTS_ADDED_COLUMNS = ("periods", "billing_account_id")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FileIdentity:
    bytes: int
    modified_ns: int
    changed_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        stat = os.stat(path)
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def _clock_ns() -> int:
    return time.time_ns()


class KnownDigests:
    """The kept digests of one source's landing files, read once per ingest."""

    def __init__(self, con: duckdb.DuckDBPyConnection, source: str) -> None:
        self._con = con
        self._prefix = f"{source}/"
        rows = con.execute(
            "select path, bytes, modified_ns, changed_ns, inode, device, sha256, periods, billing_account_id "
            "from audit.landing_file_digests where starts_with(path, ?)",
            [self._prefix],
        ).fetchall()
        self._known: dict[str, tuple[FileIdentity, str]] = {}
        self._periods: dict[tuple[str, str], tuple[list[date], str]] = {}
        for path, *identity, sha256, periods, account in rows:
            self._known[path] = (FileIdentity(*identity), sha256)
            if periods:
                self._periods[(path, sha256)] = ([date.fromisoformat(p) for p in periods.split(",")], account or "")

    def sha256(self, path: Path, relative: str) -> tuple[str, int]:
        """(sha256, size in bytes) of a landing file: the kept digest while the file is unchanged, else its bytes
        hashed (and kept once the file has settled)."""
        looked_at = _clock_ns()
        identity = FileIdentity.of(path)
        kept = self._known.get(relative)
        if kept is not None and kept[0] == identity:
            return kept[1], identity.bytes
        digest = sha256_of(path)
        if identity.changed_ns <= looked_at - SETTLED_NANOSECONDS and FileIdentity.of(path) == identity:
            self._keep(relative, identity, digest)
        return digest, identity.bytes

    def periods(self, relative: str, sha256: str) -> tuple[list[date], str] | None:
        """The billing periods (and the billing account of the first) found in the file with these bytes when a
        close of another month left it pending; None when not known."""
        return self._periods.get((relative, sha256))

    def remember_periods(self, relative: str, sha256: str, periods: list[date], account: str) -> None:
        """Keep the periods a pending file was found to be of, with its digest (kept only for a settled file)."""
        if self._known.get(relative, (None, None))[1] != sha256 or not periods:
            return
        self._con.execute(
            "update audit.landing_file_digests set periods = ?, billing_account_id = ? where path = ? and sha256 = ?",
            [",".join(p.isoformat() for p in periods), account, relative, sha256],
        )
        self._periods[(relative, sha256)] = (list(periods), account)

    def _keep(self, relative: str, identity: FileIdentity, digest: str) -> None:
        self._con.execute("delete from audit.landing_file_digests where path = ?", [relative])
        self._con.execute(
            "insert into audit.landing_file_digests (path, bytes, modified_ns, changed_ns, inode, device, sha256, "
            "hashed_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [relative, *astuple(identity), digest, datetime.now(UTC).replace(tzinfo=None)],
        )
        self._known[relative] = (identity, digest)

    def forget_all_but(self, present: Iterable[str]) -> None:
        """Drop the kept digests of the source's files no longer in the landing zone."""
        gone = sorted(set(self._known) - set(present))
        if gone:
            self._con.execute("delete from audit.landing_file_digests where list_contains(?::varchar[], path)", [gone])
            for relative in gone:
                del self._known[relative]
