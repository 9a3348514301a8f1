"""Exports delivered in parts: a manifest names the files that make one delivery.

AWS writes a large export as several files and a manifest listing them. Data Exports (CUR 2.0):
`<prefix>/<export>/data/BILLING_PERIOD=<YYYY-MM>/<export>-00001.snappy.parquet`, `-00002`, ... and
`<prefix>/<export>/metadata/BILLING_PERIOD=<YYYY-MM>/<export>-Manifest.json`, whose `dataFiles` lists the parts' S3
URIs (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-manifest.html); the legacy CUR's
`<report>-Manifest.json` lists them, without the bucket, as `reportKeys`. Each part alone is only some of the
month's rows, so the files a manifest lists are loaded together, as one delivery (orchestration/ingest/landing.py):
all of them or none, replacing the previous delivery of their account and period. Azure Cost Management exports are
always partitioned (each part under 1 GB uncompressed) and each run writes a `manifest.json` whose `blobs` list the
parts' `blobName`s, with the run's `runInfo.startDate`/`endDate` and `exportConfig.resourceId`
(https://learn.microsoft.com/azure/cost-management-billing/costs/tutorial-improved-exports#manifest-file).
Other providers write parts without such a manifest (a BigQuery export's `000000000000`, `000000000001` shards);
whatever copies them to the landing zone can write one in the same form, `<name>-Manifest.json` with `dataFiles`,
for any source.

A manifest names objects and the landing zone holds copies: a listed object is the landed file with the same name
whose folders match the most of the object's key from its end (the bucket's layout synced as it is matches it
whole), and, between equal matches, the one in the manifest's own folder. A name no landed file carries is a part
still to come; a name two landed files match equally is refused rather than guessed.

A delivery still waiting for parts is of the month its manifest states: the `BILLING_PERIOD=<YYYY-MM>` folder Data
Exports writes it and its parts under, the `<YYYYMMDD>-<YYYYMMDD>` folder of a legacy CUR or an Azure export, the
legacy CUR's `billingPeriod.start` or the Azure run's `runInfo` dates.

Deliveries are taken in delivery order (the manifest's modification time, then its path). A delivery that a later,
complete delivery of the same export and month follows is overtaken (`overtaken`): it is never loaded and waits for
nothing, since the later one replaces it whole. Without that, an older delivery whose last part landed late (a sync
retried, an assembly folder copied afterwards) would replace the newer one already loaded, and an older delivery that
will never complete would hold its month's close. Two manifests are of the same export when they carry the same
file name under the same folder above the month's folder (a legacy CUR's `<report>/<YYYYMMDD>-<YYYYMMDD>/` holds the
month's manifest and one in each assembly's folder; an Azure export's `<YYYYMMDD>-<YYYYMMDD>/` one in each run's
folder) and do not name different exports (`exportArn`; the legacy CUR's `bucket` and `reportName`; Azure's
`exportConfig.resourceId`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from orchestration.sources import RejectedFile, azure_cost

MANIFEST_SUFFIX = "-manifest.json"
LISTS = ("dataFiles", "reportKeys", "blobs")
# Data Exports' partition folder, the legacy CUR's `20261001-20261101` folder, its `billingPeriod.start` value
_PARTITION = re.compile(r"(?:^|/)BILLING_PERIOD=(\d{4})-(\d{2})(?:/|$)")
_LEGACY_RANGE = re.compile(r"(?:^|/)(\d{4})(\d{2})01-\d{8}(?:/|$)")
_LEGACY_START = re.compile(r"^(\d{4})(\d{2})01T")
# an Azure run's `runInfo` dates: `2026-10-01T00:00:00`, `2026-10-21T00:00:00Z`
_RUN_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d*)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
_MONTH_FOLDER = re.compile(r"BILLING_PERIOD=\d{4}-\d{2}|\d{8}-\d{8}")


@dataclass(frozen=True)
class Delivery:
    """One manifest, the objects it lists, and the landed file of each that has landed."""

    manifest: Path
    listed: tuple[str, ...]
    found: tuple[tuple[str, Path], ...]
    stated_period: date | None = None
    # the export the manifest names itself as: Data Exports' `exportArn`, Azure's `exportConfig.resourceId`, the
    # legacy CUR's bucket and report name
    issuer: str | None = None
    # (listed object, landed file, its size, the size the manifest lists) of a file landed with another size than
    # the manifest says (Azure's `byteCount`): still being copied, or an earlier run's file of the same name
    unlike: tuple[tuple[str, Path, int, int], ...] = ()

    @property
    def parts(self) -> tuple[Path, ...]:
        """The landed files, in the manifest's order."""
        return tuple(path for _, path in self.found)

    @property
    def held(self) -> tuple[Path, ...]:
        """Every landed file the manifest lists, those of another size than it says too: none loads on its own."""
        return (*self.parts, *(path for _, path, _, _ in self.unlike))

    @property
    def missing(self) -> tuple[str, ...]:
        landed = {item for item, _ in self.found}
        return tuple(item for item in self.listed if item not in landed)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def export(self) -> tuple[str, str, date] | None:
        """(folder above the month's folder, manifest name, month): what two deliveries of one export share; None
        while the manifest states no month."""
        if self.stated_period is None:
            return None
        folders = self.manifest.parent.parts
        month_at = next((i for i, name in enumerate(folders) if _MONTH_FOLDER.fullmatch(name)), len(folders))
        return "/".join(folders[:month_at]), self.manifest.name.lower(), self.stated_period

    @property
    def waiting(self) -> str:
        """Why none of the delivery is loaded yet."""
        sizes = "".join(
            f"; {path.name} has landed with {size:,} bytes of the {listed:,} it lists"
            for _, path, size, listed in self.unlike
        )
        return (
            f"waiting for {len(self.missing)} of the {len(self.listed)} files it lists ({', '.join(self.missing)})"
            f"{sizes}; none of its files is loaded until all have landed"
        )


def still_landed(delivery: Delivery) -> Delivery:
    """The delivery with a part no longer in the landing zone counted as missing again."""
    return replace(delivery, found=tuple((item, path) for item, path in delivery.found if path.exists()))


def overtaken(found: dict[Path, Delivery]) -> dict[Path, Path]:
    """Each manifest of `found` (in delivery order) that a later complete delivery of the same export and month
    follows, with the latest such delivery's manifest: the one loaded instead of it."""
    replaced_by: dict[Path, Path] = {}
    later_complete: dict[tuple[str, str, date], list[Delivery]] = {}
    for delivery in reversed(list(found.values())):
        export = delivery.export
        if export is None:
            continue
        candidates = later_complete.setdefault(export, [])
        latest = next((d for d in candidates if _same_issuer(d, delivery)), None)
        if latest is not None:
            replaced_by[delivery.manifest] = latest.manifest
        if delivery.complete:
            candidates.append(delivery)
    return replaced_by


def _same_issuer(one: Delivery, other: Delivery) -> bool:
    return one.issuer is None or other.issuer is None or one.issuer == other.issuer


def _issuer(document: Any) -> str | None:
    if not isinstance(document, dict):
        return None
    if isinstance(document.get("exportArn"), str):
        return document["exportArn"]
    export_config = document.get("exportConfig")
    if isinstance(export_config, dict) and isinstance(export_config.get("resourceId"), str):
        return export_config["resourceId"].lower()
    named = [document.get(key) for key in ("bucket", "reportName")]
    return "/".join(named) if all(isinstance(value, str) for value in named) else None


def is_manifest(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(MANIFEST_SUFFIX) or name in azure_cost.RUN_MANIFESTS


def _document(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RejectedFile(
            f"the manifest is not readable JSON ({error}); land the manifest the export wrote"
        ) from error


def _listed(document: Any) -> tuple[str, ...]:
    """The object keys or URIs a manifest lists, as written; RejectedFile when it is not a manifest this reads."""
    found = [key for key in LISTS if isinstance(document, dict) and key in document]
    if not found:
        raise RejectedFile(
            f"the manifest has no {', '.join(LISTS[:-1])} or {LISTS[-1]} list of the export's files; land the manifest "
            "the export wrote"
        )
    listed = document[found[0]]
    if found[0] == "blobs" and isinstance(listed, list):
        listed = [blob.get("blobName") if isinstance(blob, dict) else None for blob in listed]
    if not isinstance(listed, list) or not listed or not all(isinstance(item, str) and item for item in listed):
        raise RejectedFile(f"the manifest's {found[0]} is not a list of file names; land the manifest the export wrote")
    if len(set(listed)) != len(listed):
        twice = sorted({item for item in listed if listed.count(item) > 1})
        raise RejectedFile(f"the manifest lists {', '.join(twice)} more than once")
    return tuple(listed)


def _listed_sizes(document: Any) -> dict[str, int]:
    """The size in bytes an Azure manifest gives each part (`blobs[].byteCount`), by `blobName`."""
    blobs = document.get("blobs") if isinstance(document, dict) else None
    if not isinstance(blobs, list):
        return {}
    return {
        blob["blobName"]: blob["byteCount"]
        for blob in blobs
        if isinstance(blob, dict)
        and isinstance(blob.get("blobName"), str)
        and isinstance(blob.get("byteCount"), int)
        and not isinstance(blob.get("byteCount"), bool)
    }


def stated_period(manifest: Path, document: Any, listed: Sequence[str]) -> date | None:
    """The billing month the manifest's own folder, its listed objects' folders or its `billingPeriod` name, when
    they name one; None when they name none or disagree (the parts' rows then say, once they have landed)."""
    named: set[tuple[str, str]] = set()
    for text in (manifest.as_posix(), *listed):
        for pattern in (_PARTITION, _LEGACY_RANGE):
            named.update(pattern.findall(text))
    billing_period = document.get("billingPeriod") if isinstance(document, dict) else None
    if isinstance(billing_period, dict) and isinstance(billing_period.get("start"), str):
        named.update(_LEGACY_START.findall(billing_period["start"]))
    run_info = document.get("runInfo") if isinstance(document, dict) else None
    if isinstance(run_info, dict):
        for key in ("startDate", "endDate"):
            value = run_info.get(key)
            found = _RUN_DATE.match(value) if isinstance(value, str) else None
            if found is None:
                continue
            year, month, day, *time = found.groups()
            # an end at midnight on the first of a month ends the month before
            if key == "endDate" and day == "01" and all(part in (None, "00") for part in time):
                continue
            named.add((year, month))
    if len(named) != 1:
        return None
    year, month = next(iter(named))
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def _key_folders(listed: str) -> tuple[str, ...]:
    """The path components of a listed object: `s3://bucket/a/b/file` and `a/b/file` give (a, b, file)."""
    text = listed
    if "://" in text:
        bucket_and_key = text.split("://", 1)[1]
        text = bucket_and_key.split("/", 1)[1] if "/" in bucket_and_key else ""
    return tuple(part.strip() for part in text.split("/") if part.strip())


def _matching_tail(candidate: Path, key: tuple[str, ...]) -> int:
    matched = 0
    for ours, theirs in zip(reversed(candidate.parts), reversed(key), strict=False):
        if ours != theirs:
            break
        matched += 1
    return matched


def resolve(manifest: Path, listed: Sequence[str], files: Sequence[Path]) -> list[tuple[str, Path]]:
    """(listed object, its landed file) for each listed object a landed file matches; RejectedFile when a listed
    object matches two landed files equally or two listed objects match the same file."""
    by_name: dict[str, list[Path]] = {}
    for file in files:
        by_name.setdefault(file.name, []).append(file)
    found: list[tuple[str, Path]] = []
    for item in listed:
        key = _key_folders(item)
        candidates = by_name.get(key[-1], []) if key else []
        if not candidates:
            continue
        scored = sorted(
            ((_matching_tail(c, key), c.parent == manifest.parent, c) for c in candidates),
            key=lambda s: (s[0], s[1]),
            reverse=True,
        )
        if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
            raise RejectedFile(
                f"the manifest's {item} matches {scored[0][2].name} in two folders ({scored[0][2].parent} and "
                f"{scored[1][2].parent}); land each export's parts in their own folder"
            )
        chosen = scored[0][2]
        if chosen in (path for _, path in found):
            raise RejectedFile(f"the manifest lists two objects that both match {chosen}")
        found.append((item, chosen))
    return found


def find(files: Sequence[Path]) -> tuple[dict[Path, Delivery], dict[Path, str]]:
    """The deliveries the manifests among a source's landed files describe, by manifest, and the manifests refused,
    with why."""
    data = [f for f in files if not is_manifest(f)]
    found: dict[Path, Delivery] = {}
    refused: dict[Path, str] = {}
    for manifest in (f for f in files if is_manifest(f)):
        try:
            document = _document(manifest)
            listed = _listed(document)
            landed = resolve(manifest, listed, data)
        except RejectedFile as error:
            refused[manifest] = str(error)
            continue
        sizes = _listed_sizes(document)
        whole: list[tuple[str, Path]] = []
        unlike: list[tuple[str, Path, int, int]] = []
        for item, path in landed:
            size = path.stat().st_size if item in sizes else None
            if size is not None and size != sizes[item]:
                unlike.append((item, path, size, sizes[item]))
            else:
                whole.append((item, path))
        found[manifest] = Delivery(
            manifest, listed, tuple(whole), stated_period(manifest, document, listed), _issuer(document), tuple(unlike)
        )
    return found, refused
