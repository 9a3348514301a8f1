"""Rate card drafts as finance writes them: seeds/rate_cards.csv and seeds/rate_card_bundles.csv.

Values are kept as the seed's text (stripped of surrounding blanks), never parsed into floats: what is hashed,
approved and published is exactly what finance wrote.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

from orchestration.ops.errors import OpsError

RATE_CARDS_FILE = "rate_cards.csv"
BUNDLES_FILE = "rate_card_bundles.csv"


@dataclass(frozen=True)
class RateCardLine:
    """One row of rate_cards.csv: the rate of one IT service in one billing currency."""

    rate_card_version: str
    fiscal_year: str
    valid_from: str
    valid_to: str  # exclusive; empty = open-ended
    it_service_id: str
    billing_currency: str
    rate_type: str  # unit_price or cost_recovery
    unit: str
    unit_rate: str
    description: str
    line: int = 0  # where it is in the seed file (0 = not from a file), for messages; not content

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in RATE_CARD_COLUMNS)


@dataclass(frozen=True)
class BundleLine:
    """One row of rate_card_bundles.csv: one member service of a bundle and the bundle's discount."""

    rate_card_version: str
    bundle_id: str
    bundle_name: str
    it_service_id: str
    discount_percent: str
    line: int = 0

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in BUNDLE_COLUMNS)


RATE_CARD_COLUMNS = tuple(f.name for f in fields(RateCardLine) if f.name != "line")
BUNDLE_COLUMNS = tuple(f.name for f in fields(BundleLine) if f.name != "line")


@dataclass(frozen=True)
class VersionContent:
    """Everything one rate card version is: its rate lines and its bundle lines."""

    version: str
    rates: tuple[RateCardLine, ...]
    bundles: tuple[BundleLine, ...]

    @property
    def sha256(self) -> str:
        return content_sha256(self.rates, self.bundles)


def content_sha256(rates: Iterable[RateCardLine], bundles: Iterable[BundleLine]) -> str:
    """sha256 of a canonical form: rows sorted, columns in seed order, values as text. Row order in the file,
    line numbers, quoting and line endings do not change it; any change of a value does."""
    document = {
        "rate_cards": {"columns": RATE_CARD_COLUMNS, "rows": sorted(r.values() for r in rates)},
        "rate_card_bundles": {"columns": BUNDLE_COLUMNS, "rows": sorted(b.values() for b in bundles)},
    }
    canonical = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _read(path: Path, columns: tuple[str, ...]) -> list[tuple[int, tuple[str, ...]]]:
    if not path.is_file():
        raise OpsError(f"no {path.name} in {path.parent}; point BILLING_SEEDS_DIR at the directory with the seeds")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = tuple(name.strip() for name in next(reader, []))
        if header != columns:
            raise OpsError(f"{path} has the columns {', '.join(header)}; it must have exactly {', '.join(columns)}")
        rows = []
        for row in reader:
            if not any(value.strip() for value in row):
                continue  # a blank line
            if len(row) != len(columns):
                raise OpsError(
                    f"{path} line {reader.line_num} has {len(row)} values, the header {len(columns)}; "
                    "quote a value that contains a comma"
                )
            rows.append((reader.line_num, tuple(value.strip() for value in row)))
    return rows


@dataclass(frozen=True)
class RateCardSeeds:
    """Both seed files as read now."""

    rate_cards_path: Path
    bundles_path: Path
    rates: tuple[RateCardLine, ...]
    bundles: tuple[BundleLine, ...]

    @classmethod
    def load(cls, seeds_dir: Path) -> RateCardSeeds:
        rates_path, bundles_path = seeds_dir / RATE_CARDS_FILE, seeds_dir / BUNDLES_FILE
        return cls(
            rates_path,
            bundles_path,
            tuple(RateCardLine(*values, line=line) for line, values in _read(rates_path, RATE_CARD_COLUMNS)),
            tuple(BundleLine(*values, line=line) for line, values in _read(bundles_path, BUNDLE_COLUMNS)),
        )

    def versions(self) -> list[str]:
        """Versions in the order they first appear in rate_cards.csv."""
        return list(dict.fromkeys(line.rate_card_version for line in self.rates))

    def has(self, version: str) -> bool:
        return any(line.rate_card_version == version for line in self.rates)

    def content(self, version: str) -> VersionContent:
        return VersionContent(
            version,
            tuple(line for line in self.rates if line.rate_card_version == version),
            tuple(line for line in self.bundles if line.rate_card_version == version),
        )


def _csv_style(data: bytes) -> tuple[str, int]:
    """The line ending and quoting the file already uses, so appended lines look like their neighbours."""
    terminator = "\r\n" if b"\r\n" in data else "\n"
    lines = [line for line in data.decode("utf-8-sig").splitlines() if line.strip()]
    quote_all = len(lines) > 1 and all(line.startswith('"') for line in lines[1:])
    return terminator, csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL


def appended_bytes(data: bytes, rows: Iterable[Sequence[str]]) -> bytes:
    """The file's bytes unchanged, then the rows in the file's own CSV style (a missing final newline is added
    first, so the last existing line stays what it was)."""
    terminator, quoting = _csv_style(data)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=terminator, quoting=quoting).writerows(rows)
    added = buffer.getvalue().encode("utf-8")
    if not added:
        return data
    if data and not data.endswith(b"\n"):
        data += terminator.encode()
    return data + added


def append_rows(changes: Sequence[tuple[Path, Sequence[Sequence[str]]]]) -> None:
    """Append rows to several CSV files, all or none: each new file is written beside the old one first, and
    renamed over it only when every one is written."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, rows in changes:
            data = path.read_bytes()
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged.append((Path(name), path))
            with os.fdopen(handle, "wb") as out:
                out.write(appended_bytes(data, rows))
            os.chmod(name, path.stat().st_mode & 0o7777)
        for staging, path in staged:
            staging.replace(path)
    finally:
        for staging, _ in staged:
            staging.unlink(missing_ok=True)
