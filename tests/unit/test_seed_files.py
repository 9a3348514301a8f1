"""Seed files load on both engines: dbt-spark's session-mode seed loader substitutes values into SQL without
escaping single quotes, so a quote in any seed value breaks the Spark close (seen with "department's")."""

from __future__ import annotations

import csv
from pathlib import Path

SEEDS = Path(__file__).parents[2] / "seeds"


def test_no_seed_value_contains_a_single_quote() -> None:
    offending = []
    for path in sorted(SEEDS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                offending += [f"{path.name}:{number}: {value}" for value in row if "'" in value]
    assert offending == []
