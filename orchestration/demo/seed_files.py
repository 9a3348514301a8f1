"""Render seeds/projects.csv and seeds/cost_center_mappings.csv from the demo organisation."""

from __future__ import annotations

from pathlib import Path

from orchestration.demo.delivery import csv_text
from orchestration.demo.organisation import PROJECTS, mapping_rules

PROJECTS_HEADER = ("project_id", "project_name", "cost_center_id")
MAPPINGS_HEADER = (
    "mapping_id",
    "match_dimension",
    "tag_key",
    "match_value",
    "cost_center_id",
    "precedence",
    "valid_from",
    "valid_to",
)


def projects_csv() -> str:
    return csv_text(PROJECTS_HEADER, ((p.project_id, p.project_name, p.cost_center_id) for p in PROJECTS))


def cost_center_mappings_csv() -> str:
    return csv_text(
        MAPPINGS_HEADER,
        (
            (
                r.mapping_id,
                r.match_dimension,
                r.tag_key or "",
                r.match_value,
                r.cost_center_id,
                str(r.precedence),
                r.valid_from,
                r.valid_to or "",
            )
            for r in mapping_rules()
        ),
    )


def write_seed_files(seeds_dir: Path) -> list[Path]:
    """Write both seeds (used once to create them; the unit tests keep them equal to the organisation)."""
    written = []
    for name, text in (
        ("projects.csv", projects_csv()),
        ("cost_center_mappings.csv", cost_center_mappings_csv()),
    ):
        path = seeds_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
