"""Delimited text exports: header by name, every value as text, ragged rows refused."""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.sources.common import RejectedFile, column_names


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str | None]]]:
    """Columns (normalised names, delivered order) and rows; empty strings become None."""
    if path.stat().st_size == 0:
        raise RejectedFile("empty file (0 bytes); ask the provider to re-deliver")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                raise RejectedFile("empty file (no header); ask the provider to re-deliver") from None
            columns = column_names(header)
            rows: list[dict[str, str | None]] = []
            for number, record in enumerate(reader, start=1):
                if not record:
                    continue
                if len(record) != len(columns):
                    raise RejectedFile(
                        f"row {number} has {len(record)} fields but the header has {len(columns)} "
                        "(truncated or malformed file)"
                    )
                rows.append(
                    {name: (value if value != "" else None) for name, value in zip(columns, record, strict=True)}
                )
    except UnicodeDecodeError as error:
        raise RejectedFile(f"not UTF-8 text at byte {error.start}; export as UTF-8 CSV") from None
    except csv.Error as error:
        raise RejectedFile(f"not valid CSV: {error}") from None
    return columns, rows
