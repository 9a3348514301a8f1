"""Load the files of one source from the landing zone, file by file, each in its own transaction.

Rules (DESIGN.md §4):
* a file whose bytes were seen before is recorded once as ``duplicate`` and loads nothing;
* a new delivery for a source/billing account/period replaces the previous one in one transaction,
  and the previous file stays in the manifest as ``superseded``; where a source has several datasets for one
  account and period (Azure actual and amortized exports, ``ParsedFile.dataset``), only a delivery of the same
  dataset is replaced; a delivery covering several accounts (a
  multi-account FOCUS file, key ``a,b``) replaces every delivery of the period whose accounts it covers, and a
  file that would replace only part of an earlier delivery is quarantined (its other accounts would be lost);
* the files a manifest lists (an AWS export in parts, orchestration/ingest/deliveries.py) are one delivery: none is
  loaded before all have landed, then all in one transaction, superseding as one file would; one that cannot be read
  refuses them all; a delivery that a later complete delivery of the same export and month follows is passed over
  (``overtaken``), whether or not its own files have all landed;
* a file spanning several billing periods (FOCUS, GCP) is one delivery per period: each period's rows are
  loaded and superseded as a single-period delivery of that period would be, the file has one audit row per
  period (``file_periods`` lists them all), and a period-filtered ingest leaves its other periods pending;
* a file that cannot be read is moved to the quarantine folder with a ``.error.txt`` beside it and
  recorded as ``quarantined``; the other files still load and nothing stored is touched;
* schema drift: every loaded file's columns are recorded (``delivered_columns``); a column the previous delivery
  of the same source and billing account did not have (for an account's first delivery: no earlier delivery of
  the source had) is recorded in ``new_columns``, reported on the file's outcome and logged; the column itself is
  added to the raw table as text, so nothing delivered is dropped.
Files are taken in delivery order: modification time, then path.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

import duckdb

from orchestration.ingest import deliveries
from orchestration.ingest.file_digests import KnownDigests
from orchestration.ingest.raw_load import Part, load_delivery, record_file, recorded_parts, utc_now
from orchestration.ingest.waiting import WaitingDelivery, record_waiting
from orchestration.ingest.warehouse import ensure_warehouse
from orchestration.retention.pseudonymize import Pseudonymizer
from orchestration.sources import FORMATS, ExportFormat, ParsedFile, RejectedFile
from orchestration.sources.in_duckdb import columnar, spooled

ERROR_SUFFIX = ".error.txt"


@dataclass
class FileOutcome:
    path: str
    status: str  # loaded | duplicate | superseded | quarantined | pending | overtaken (a delivery not loaded)
    billing_period_start: date | None = None
    billing_account_id: str | None = None
    row_count: int = 0
    detail: str = ""
    # a loaded file: the columns the source's previous delivery did not have (schema drift); detail says so
    new_columns: tuple[str, ...] = ()


@dataclass
class IngestReport:
    source: str
    outcomes: list[FileOutcome] = field(default_factory=list)
    # deliveries whose manifest lists files that have not all landed (orchestration/ingest/waiting.py)
    waiting: list[WaitingDelivery] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(o.row_count for o in self.outcomes if o.status == "loaded")


def landing_files(landing_dir: Path, export: ExportFormat) -> list[Path]:
    """Delivered files of one source in delivery order (mtime, then path); hidden files are ignored."""
    root = landing_dir / export.source
    if not root.is_dir():
        return []
    files = [
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.as_posix()))


def quarantine(path: Path, landing_dir: Path, quarantine_dir: Path, reason: str) -> Path:
    """Move a refused file out of the landing zone, keeping its relative path, with the reason beside it."""
    relative = path.relative_to(landing_dir)
    target = quarantine_dir / relative
    if target.exists():
        stamp = utc_now().strftime("%Y%m%dT%H%M%S")
        target = target.with_name(f"{target.name}.{stamp}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), target)
    target.with_name(target.name + ERROR_SUFFIX).write_text(f"{relative.as_posix()}: {reason}\n", encoding="utf-8")
    return target


_DIGITS = re.compile(r"\d+")


def sibling_part_warning(old: str, new: str) -> str:
    """What a superseded file is told when the file replacing it sits in the same folder under the same name but its
    numbers (`export-000000000000.jsonl` / `...001.jsonl`, `cur2-00001` / `cur2-00002`, `part_0_0001.csv`): perhaps
    two parts of one export, which the ingest takes for two deliveries (docs/raw-layer.md); empty otherwise."""
    old_path, new_path = PurePosixPath(old), PurePosixPath(new)
    if old_path.parent != new_path.parent or old_path.name == new_path.name:
        return ""
    if _DIGITS.sub("#", old_path.name) != _DIGITS.sub("#", new_path.name):
        return ""
    return (
        f"{new_path.name} is named like another part of the same export: if they are parts of one delivery, only "
        f"{new_path.name}'s rows are now loaded — land a manifest listing the parts beside them, or the parts as "
        "one file (docs/raw-layer.md)"
    )


def new_columns_message(path: str, columns: Sequence[str], baseline: str, table: str) -> str:
    """The one line that reports schema drift for a loaded file."""
    return (
        f"{path}: new column(s) {', '.join(columns)} not in {baseline}; kept as text in raw.{table} and, where "
        "staging does not map them, in FOCUS x_UnmappedColumns"
    )


@dataclass
class _Recorded:
    """What audit.ingested_files holds of a source's files, kept current as the ingest records more."""

    statuses: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    # (path, sha256) of a multi-period file -> the periods it covers and the periods already recorded for it
    covers: dict[tuple[str, str], set[date]] = field(default_factory=dict)
    recorded: dict[tuple[str, str], set[date]] = field(default_factory=dict)
    known_shas: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, source: str) -> _Recorded:
        seen = cls()
        for path, sha, status, start, spans in con.execute(
            "select path, sha256, status, billing_period_start, file_periods from audit.ingested_files "
            "where source = ?",
            [source],
        ).fetchall():
            seen.statuses.setdefault((path, sha), set()).add(status)
            if start is not None:
                seen.recorded.setdefault((path, sha), set()).add(start)
            if spans:
                seen.covers.setdefault((path, sha), set()).update(date.fromisoformat(p) for p in spans.split(","))
        seen.known_shas = {sha for (_, sha), status in seen.statuses.items() if status & {"loaded", "superseded"}}
        return seen

    def unread_periods(self, key: tuple[str, str]) -> set[date]:
        """The periods of a multi-period file not loaded yet (a period-filtered ingest left them pending)."""
        return self.covers.get(key, set()) - self.recorded.get(key, set())

    def loaded(self, part: Part, periods: list[date]) -> None:
        key = (part.relative, part.sha256)
        self.statuses.setdefault(key, set()).add("loaded")
        self.known_shas.add(part.sha256)
        self.recorded.setdefault(key, set()).update(p for p in periods if p in part.parsed.periods)
        if part.parsed.multi_period:
            self.covers[key] = set(part.parsed.periods)


@dataclass
class _SourceIngest:
    """One ingest of one source's landing folder: each file or delivery loaded, refused or left pending."""

    con: duckdb.DuckDBPyConnection
    export: ExportFormat
    landing_dir: Path
    quarantine_dir: Path
    period: date | None
    log: Callable[[str], None]
    pseudonymizer: Pseudonymizer | None
    report: IngestReport
    seen: _Recorded
    digests: KnownDigests

    @property
    def source(self) -> str:
        return self.export.source

    def refuse(self, path: Path, relative: str, sha256: str, size: int, reason: str) -> None:
        record_file(
            self.con, path=relative, source=self.source, sha256=sha256, size=size, status="quarantined", error=reason
        )
        moved = quarantine(path, self.landing_dir, self.quarantine_dir, reason)
        self.report.outcomes.append(FileOutcome(relative, "quarantined", detail=reason))
        self.log(f"{relative}: quarantined to {moved} — {reason}")

    def parse(self, path: Path) -> ParsedFile:
        """The big exports are parsed inside DuckDB; GCP, OCI and OpenCost exports by their parsers a batch at a time
        into it; any other file, or one the columnar path cannot vouch for, is read whole."""
        con, source, period = self.con, self.source, self.period
        parsed = (
            columnar.stage(con, source, path, period)
            or spooled.stage(con, source, path, period)
            or self.export.parse(path)
        )
        return self.pseudonymizer.parsed(parsed, con) if self.pseudonymizer is not None else parsed

    def take_file(self, path: Path, relative: str, sha256: str, size: int) -> None:
        """Load one file as a delivery, record it as a duplicate, refuse it, or leave its periods pending."""
        seen, key = self.seen, (relative, sha256)
        # A multi-period file loaded for some of its periods only (period-filtered ingest) is read again for the
        # others; any other file already recorded is done.
        partial = (
            key in seen.statuses
            and not seen.statuses[key] & {"duplicate", "quarantined"}
            and bool(seen.unread_periods(key))
        )
        if key in seen.statuses and not partial:
            return
        if sha256 in seen.known_shas and not partial:
            record_file(self.con, path=relative, source=self.source, sha256=sha256, size=size, status="duplicate")
            seen.statuses.setdefault(key, set()).add("duplicate")
            self.report.outcomes.append(FileOutcome(relative, "duplicate", detail="same bytes already loaded"))
            self.log(f"{relative}: duplicate of a file already loaded, skipped")
            return
        suffixes = self.export.suffixes
        if path.suffix.lower() not in suffixes:
            reason = f"unexpected file type {path.suffix or '(none)'} for {self.source}; expected {', '.join(suffixes)}"
            self.refuse(path, relative, sha256, size, reason)
            return
        if self._known_to_be_of_other_periods(relative, sha256):
            return
        try:
            parsed = self.parse(path)
        except RejectedFile as error:
            self.refuse(path, relative, sha256, size, str(error))
            return
        try:
            self._load_file(Part(path, relative, sha256, size, parsed))
        finally:
            # A file parsed in DuckDB is held in a temporary table until its rows are written.
            columnar.drop_staged(self.con, parsed)

    def _known_to_be_of_other_periods(self, relative: str, sha256: str) -> bool:
        """A file an earlier close of another month left pending, none of whose periods still to load is the one
        being ingested: left pending again without reading it (file_digests.KnownDigests.periods)."""
        known = self.digests.periods(relative, sha256) if self.period is not None else None
        if known is None:
            return False
        periods, account = known
        unread = [p for p in periods if p not in self.seen.recorded.get((relative, sha256), set())]
        if not unread or self.period in unread:
            return False
        self.report.outcomes.append(FileOutcome(relative, "pending", unread[0], account))
        return True

    def _load_file(self, part: Part) -> None:
        parsed, relative, report = part.parsed, part.relative, self.report
        done = self.seen.recorded.get((relative, part.sha256), set())
        todo = [p for p in parsed.periods if p not in done and (self.period is None or p == self.period)]
        waiting = [p for p in parsed.periods if p not in done and p not in todo]
        if todo:
            try:
                loaded, new_columns, baseline = load_delivery(self.con, self.export, [part], todo)
            except RejectedFile as error:
                self.refuse(part.path, relative, part.sha256, part.size, str(error))
                return
            self.seen.loaded(part, todo)
            drift = self._drift(relative, new_columns, baseline)
            for loaded_period, account, [(_, part_rows)], superseded in loaded:
                for old in superseded:
                    warning = sibling_part_warning(old, relative)
                    report.outcomes.append(FileOutcome(old, "superseded", loaded_period, account, detail=warning))
                    self.log(f"{old}: superseded by {relative}" + (f"; {warning}" if warning else ""))
                report.outcomes.append(
                    FileOutcome(relative, "loaded", loaded_period, account, part_rows, drift, tuple(new_columns))
                )
                self.log(f"{relative}: loaded {part_rows} rows for {loaded_period:%Y-%m}")
            if drift:
                self.log(drift)
        if waiting:
            account = parsed.for_period(waiting[0]).billing_account_id
            report.outcomes.append(FileOutcome(relative, "pending", waiting[0], account))
            if not todo:
                self.digests.remember_periods(relative, part.sha256, sorted(parsed.periods), account)

    def _drift(self, path: str, new_columns: list[str], baseline: str) -> str:
        return new_columns_message(path, new_columns, baseline, self.export.raw_tables[0]) if new_columns else ""

    def _waiting_month(self, delivery: deliveries.Delivery) -> date | None:
        """The month a delivery still waiting for files is of: the one its manifest states, else the one its landed
        parts' period column names (read by DuckDB, not parsed); None while neither says."""
        if delivery.stated_period is not None:
            return delivery.stated_period
        named: set[date] = set()
        for part in delivery.parts:
            named |= columnar.delivered_periods(self.con, self.source, part) or set()
        return next(iter(named)) if len(named) == 1 else None

    def _loaded_as_another_delivery(self, parts: set[tuple[str, str]], manifest: tuple[str, str]) -> str | None:
        """The manifest of a delivery already loaded whose files are exactly `parts` (paths and bytes), every period
        of each still current: a legacy CUR's month's manifest naming the assembly whose own manifest was loaded by
        an earlier ingest. None when there is none."""
        if any(self.seen.unread_periods(part) for part in parts):
            return None
        rows = self.con.execute(
            """
            with candidates as (
                select distinct delivery, delivery_sha256 from audit.ingested_files
                where source = $source and status = 'loaded' and list_contains($paths, path)
                    and (delivery, delivery_sha256) <> ($manifest, $sha)
            )
            select delivery, delivery_sha256, path, sha256, status
            from audit.ingested_files join candidates using (delivery, delivery_sha256)
            where source = $source and status in ('loaded', 'superseded')
            """,
            {"source": self.source, "manifest": manifest[0], "sha": manifest[1], "paths": sorted(p for p, _ in parts)},
        ).fetchall()
        by_delivery: dict[tuple[str, str], tuple[set[tuple[str, str]], set[str]]] = {}
        for delivery, delivery_sha, path, sha, status in rows:
            files, statuses = by_delivery.setdefault((delivery, delivery_sha), (set(), set()))
            files.add((path, sha))
            statuses.add(status)
        for (delivery, _), (files, statuses) in sorted(by_delivery.items()):
            if files == parts and statuses == {"loaded"}:
                return delivery
        return None

    def pass_over(self, delivery: deliveries.Delivery, manifest: str, replaced_by: Path) -> None:
        """A delivery a later complete delivery of the same export and month replaces: not loaded, not waited for."""
        later = replaced_by.relative_to(self.landing_dir).as_posix()
        detail = (
            f"an earlier delivery of the export than {later}, which replaces it for "
            f"{delivery.stated_period:%Y-%m}: not loaded" + ("" if delivery.complete else " nor waited for")
        )
        self.report.outcomes.append(FileOutcome(manifest, "overtaken", delivery.stated_period, detail=detail))
        self.log(f"{manifest}: {detail}")

    def take_delivery(self, delivery: deliveries.Delivery, manifest: str, manifest_sha256: str, size: int) -> None:
        """Load the files a manifest lists as one delivery, once all have landed; refuse them all if one is bad."""
        report, seen = self.report, self.seen
        # A part another manifest also lists may have left with that manifest's refused delivery.
        delivery = deliveries.still_landed(delivery)
        if not delivery.complete:
            month = self._waiting_month(delivery)
            report.waiting.append(
                WaitingDelivery(self.source, manifest, manifest_sha256, month, len(delivery.listed), delivery.missing)
            )
            report.outcomes.append(FileOutcome(manifest, "pending", month, detail=delivery.waiting))
            self.log(f"{manifest}: {delivery.waiting}")
            return
        named = [(path, path.relative_to(self.landing_dir).as_posix()) for path in delivery.parts]
        hashed = [(path, relative, *self.digests.sha256(path, relative)) for path, relative in named]
        listed_files = {(relative, sha) for _, relative, sha, _ in hashed}
        done = recorded_parts(self.con, self.source, (manifest, manifest_sha256))
        if listed_files <= {(p, sha) for p, sha, _ in done} and not any(map(seen.unread_periods, listed_files)):
            return  # loaded before, every period of every part
        same = self._loaded_as_another_delivery(listed_files, (manifest, manifest_sha256))
        if same is not None:
            detail = f"lists the same files, with the same bytes, as the delivery of {same}, loaded already"
            report.outcomes.append(FileOutcome(manifest, "duplicate", delivery.stated_period, detail=detail))
            self.log(f"{manifest}: {detail}")
            return
        parts: list[Part] = []
        try:
            for path, relative, sha, part_size in hashed:
                if path.suffix.lower() not in self.export.suffixes:
                    suffixes = ", ".join(self.export.suffixes)
                    raise RejectedFile(f"{relative} is not a {self.source} data file ({suffixes})")
                try:
                    parts.append(Part(path, relative, sha, part_size, self.parse(path)))
                except RejectedFile as error:
                    raise RejectedFile(f"{relative}: {error}") from error
            loaded_periods = {p for _, _, p in done}
            periods = sorted({p for part in parts for p in part.parsed.periods} - loaded_periods)
            todo = [p for p in periods if self.period is None or p == self.period]
            waiting = [p for p in periods if p not in todo]
            if todo:
                loaded, new_columns, baseline = load_delivery(
                    self.con, self.export, parts, todo, (manifest, manifest_sha256)
                )
        except RejectedFile as error:
            reason = f"the delivery of {manifest} ({len(hashed)} files) is refused whole: {error}"
            for path, relative, sha, part_size in [*hashed, (delivery.manifest, manifest, manifest_sha256, size)]:
                self.refuse(path, relative, sha, part_size, reason)
            return
        finally:
            for part in parts:
                columnar.drop_staged(self.con, part.parsed)
        if waiting:
            report.outcomes.append(FileOutcome(manifest, "pending", waiting[0], parts[0].parsed.billing_account_id))
        if not todo:
            return
        for part in parts:
            seen.loaded(part, todo)
        drift = self._drift(manifest, new_columns, baseline)
        for loaded_period, account, rows, superseded in loaded:
            for old in superseded:
                report.outcomes.append(FileOutcome(old, "superseded", loaded_period, account))
                self.log(f"{old}: superseded by the delivery of {manifest}")
            for number, (relative, part_rows) in enumerate(rows, start=1):
                detail = f"part {number} of {len(rows)} of the delivery of {manifest}" + (f"; {drift}" if drift else "")
                report.outcomes.append(
                    FileOutcome(relative, "loaded", loaded_period, account, part_rows, detail, tuple(new_columns))
                )
            self.log(
                f"{manifest}: loaded {sum(n for _, n in rows)} rows for {loaded_period:%Y-%m} from the "
                f"{len(rows)} files it lists"
            )
        if drift:
            self.log(drift)


def ingest_source(
    con: duckdb.DuckDBPyConnection,
    source: str,
    landing_dir: Path,
    quarantine_dir: Path,
    *,
    period: date | None = None,
    log: Callable[[str], None] = lambda _: None,
    pseudonymizer: Pseudonymizer | None = None,
) -> IngestReport:
    """Ingest every new file of `source`; with `period`, files of other periods stay pending in the landing zone.

    With a `pseudonymizer` (the ingest assets always pass one), personal tag values of every parsed table are
    pseudonymized before any row is written (orchestration/retention/pseudonymize.py).
    """
    export = FORMATS[source]
    ensure_warehouse(con)
    run = _SourceIngest(
        con,
        export,
        landing_dir,
        quarantine_dir,
        period,
        log,
        pseudonymizer,
        IngestReport(source),
        _Recorded.read(con, source),
        KnownDigests(con, source),
    )
    files = [path for path in landing_files(landing_dir, export) if not path.name.endswith(ERROR_SUFFIX)]
    manifests, unreadable_manifests = deliveries.find(files)
    replaced_by = deliveries.overtaken(manifests)
    # A file a manifest lists is loaded with the others it lists (take_delivery), never on its own.
    in_deliveries = {part for delivery in manifests.values() for part in delivery.held}
    present: list[str] = []
    for path in files:
        relative = path.relative_to(landing_dir).as_posix()
        present.append(relative)
        if path in in_deliveries:
            continue
        if path in replaced_by:
            run.pass_over(manifests[path], relative, replaced_by[path])
            continue
        sha256, size = run.digests.sha256(path, relative)
        if path in manifests:
            run.take_delivery(manifests[path], relative, sha256, size)
        elif path in unreadable_manifests:
            run.refuse(path, relative, sha256, size, unreadable_manifests[path])
        else:
            run.take_file(path, relative, sha256, size)
    run.digests.forget_all_but(present)
    record_waiting(con, source, run.report.waiting, utc_now())
    return run.report
