"""Writing delivered files deterministically: fixed encodings and line endings, mtime = delivery time."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from orchestration.demo.ground_truth import Charge


@dataclass
class Delivery:
    """One file as a provider delivered it, plus the charges it carries for the ground truth."""

    path: Path
    source: str
    billing_period_start: str
    delivered_at: datetime
    row_count: int
    charges: list[Charge] = field(default_factory=list)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV with minimal quoting and LF line endings (as the provider samples are)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_text(path: Path, text: str, *, bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))


def jsonl_text(records: Iterable[dict[str, Any]]) -> str:
    """One compact JSON object per line, keys in the order given (BigQuery export order)."""
    return "".join(json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n" for record in records)


def compact_json(value: dict[str, Any]) -> str:
    """Compact JSON object text with sorted keys (tags and price-detail columns)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def stamp(path: Path, delivered_at: datetime) -> None:
    """Set atime and mtime to the delivery time: ingest orders files by mtime, then path."""
    timestamp = delivered_at.timestamp()
    os.utime(path, (timestamp, timestamp))
