"""Delimited text exports: header by name, every value as text, ragged rows refused."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from orchestration.sources.common import RejectedFile, column_names

Row = dict[str, str | None]


def open_text(path: Path) -> IO[str]:
    """UTF-8 text (a BOM is dropped); `.gz` files are decompressed on the fly (AWS delivers CUR as .csv.gz)."""
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def delivered_suffix(path: Path) -> str:
    """The file's own type under a `.gz` compression suffix: `.csv` for `export.csv.gz`, `.json` for `x.json.gz`."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


@contextmanager
def read_errors_refused() -> Iterator[None]:
    """What reading the text can raise, as the one line that refuses the file."""
    try:
        yield
    except UnicodeDecodeError as error:
        raise RejectedFile(f"not UTF-8 text at byte {error.start}; export as UTF-8 CSV") from None
    except (gzip.BadGzipFile, EOFError) as error:
        raise RejectedFile(f"not a readable gzip file (truncated or corrupt): {error}") from None
    except csv.Error as error:
        raise RejectedFile(f"not valid CSV: {error}") from None


def csv_rows(path: Path, names: Callable[[Sequence[str]], list[str]] = column_names) -> tuple[list[str], Iterator[Row]]:
    """Columns (normalised names, delivered order) and the rows, read as they are iterated (a file of millions of
    lines is never held whole; the file is opened again for them, so an iterator never started holds nothing open);
    empty strings become None.

    `names` turns the delivered header into column names (default: lower-case, non-alphanumerics to `_`);
    a format-specific one maps provider spellings onto canonical names and must refuse duplicates.
    """
    if path.stat().st_size == 0:
        raise RejectedFile("empty file (0 bytes); ask the provider to re-deliver")
    with read_errors_refused(), open_text(path) as handle:
        try:
            header = next(csv.reader(handle))
        except StopIteration:
            raise RejectedFile("empty file (no header); ask the provider to re-deliver") from None
    columns = names(header)
    return columns, _rows(path, columns)


def _rows(path: Path, columns: list[str]) -> Iterator[Row]:
    with read_errors_refused(), open_text(path) as handle:
        reader = csv.reader(handle)
        next(reader)  # the header, read by csv_rows
        for number, record in enumerate(reader, start=1):
            if not record:
                continue
            if len(record) != len(columns):
                raise RejectedFile(
                    f"row {number} has {len(record)} fields but the header has {len(columns)} "
                    "(truncated or malformed file)"
                )
            yield {name: (value if value != "" else None) for name, value in zip(columns, record, strict=True)}


def read_csv_rows(
    path: Path, names: Callable[[Sequence[str]], list[str]] = column_names
) -> tuple[list[str], list[Row]]:
    """Columns and every row (csv_rows, held whole)."""
    columns, rows = csv_rows(path, names)
    return columns, list(rows)
