"""The retention policy in force: seeds/retention_policies.csv, one row per data class and policy version.

Finance owns the file. A new version is a new set of rows with a later `policy_version` and `effective_from`; the
version in force on a day is the one with the latest `effective_from` on or before it, and old versions stay in
the file (what applied when is part of the record). Retention is measured from the END of the billing period (the
first day of the next month): raw usage of September 2025 stays online 13 months, until 2026-11-01.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.ops.errors import OpsError

POLICY_SEED = "retention_policies.csv"
# Every version must say what happens to each of these classes.
DATA_CLASSES = ("raw_usage", "landing_files", "issued_documents", "audit_events", "personal_tag_values")
ACTIONS = {
    "raw_usage": ("archive_parquet_then_purge",),
    "landing_files": ("keep",),
    "issued_documents": ("keep",),
    "audit_events": ("keep",),
    "personal_tag_values": ("pseudonymize_at_ingest",),
}
COLUMNS = (
    "policy_version",
    "effective_from",
    "data_class",
    "applies_to",
    "online_months",
    "retention_months",
    "after_online",
    "personal_tag_keys",
    "rationale",
)


@dataclass(frozen=True)
class ClassPolicy:
    data_class: str
    applies_to: str
    online_months: int | None
    retention_months: int | None
    after_online: str
    personal_tag_keys: tuple[str, ...]
    rationale: str


@dataclass(frozen=True)
class RetentionPolicy:
    path: Path
    version: str
    effective_from: date
    classes: dict[str, ClassPolicy]

    def of(self, data_class: str) -> ClassPolicy:
        return self.classes[data_class]

    @property
    def personal_tag_keys(self) -> tuple[str, ...]:
        return self.classes["personal_tag_values"].personal_tag_keys


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after `day`'s month (periods are months: the day is always the 1st)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_end(period_start: date) -> date:
    """The end of a billing period: the first day of the next month (retention counts from here)."""
    return add_months(period_start, 1)


def _months(path: Path, row: int, name: str, text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise OpsError(f"{path} row {row}: {name} {text!r} is not a whole number of months; write e.g. 13")
    return int(text)


def load_versions(seeds_dir: Path) -> dict[str, RetentionPolicy]:
    """Every policy version in the file, each checked to cover every data class exactly once."""
    path = seeds_dir / POLICY_SEED
    if not path.exists():
        raise OpsError(f"{path} is missing; it holds the retention policy per data class (see README, Retention)")
    versions: dict[str, tuple[date, dict[str, ClassPolicy]]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise OpsError(f"{path} lacks column(s) {', '.join(missing)}; the header is {','.join(COLUMNS)}")
        for number, row in enumerate(reader, start=2):
            version = (row["policy_version"] or "").strip()
            data_class = (row["data_class"] or "").strip()
            after = (row["after_online"] or "").strip()
            try:
                effective = date.fromisoformat((row["effective_from"] or "").strip())
            except ValueError:
                raise OpsError(f"{path} row {number}: effective_from is not a date YYYY-MM-DD") from None
            if data_class not in ACTIONS:
                raise OpsError(f"{path} row {number}: data class {data_class!r} is not one of {', '.join(ACTIONS)}")
            if after not in ACTIONS[data_class]:
                raise OpsError(
                    f"{path} row {number}: {data_class} cannot be {after!r}; billing does "
                    f"{' or '.join(ACTIONS[data_class])} for it"
                )
            known_from, classes = versions.setdefault(version, (effective, {}))
            if known_from != effective:
                raise OpsError(f"{path} row {number}: version {version} has two effective_from dates")
            if data_class in classes:
                raise OpsError(f"{path} row {number}: version {version} names {data_class} twice")
            online = _months(path, number, "online_months", row["online_months"])
            if data_class == "raw_usage" and online is None:
                raise OpsError(f"{path} row {number}: raw_usage needs online_months (months kept in the warehouse)")
            keys = tuple(k.strip().lower() for k in (row["personal_tag_keys"] or "").split("|") if k.strip())
            classes[data_class] = ClassPolicy(
                data_class,
                (row["applies_to"] or "").strip(),
                online,
                _months(path, number, "retention_months", row["retention_months"]),
                after,
                keys,
                (row["rationale"] or "").strip(),
            )
    policies: dict[str, RetentionPolicy] = {}
    for version, (effective, classes) in versions.items():
        absent = [c for c in DATA_CLASSES if c not in classes]
        if absent:
            raise OpsError(f"{path}: version {version} does not say what happens to {', '.join(absent)}")
        policies[version] = RetentionPolicy(path, version, effective, classes)
    return policies


def policy_in_force(seeds_dir: Path, as_of: date) -> RetentionPolicy:
    """The version with the latest effective_from on or before `as_of`."""
    versions = sorted(load_versions(seeds_dir).values(), key=lambda p: p.effective_from)
    current = [p for p in versions if p.effective_from <= as_of]
    if not current:
        first = versions[0].effective_from.isoformat() if versions else "none"
        raise OpsError(
            f"no retention policy is in force on {as_of} (the first takes effect {first}); "
            f"add a version to {seeds_dir / POLICY_SEED}"
        )
    return current[-1]
