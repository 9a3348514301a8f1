"""Who may read which published rows and columns: finance's publication policy, from two seeds.

* `seeds/publication_scopes.csv`: one row per mart. For each viewer kind, which rows of the table it may read:
  empty (the table is not in its extract), `all`, `column:<name>` (rows whose <name> is the viewer's department or
  client) or `cost_center:<name>` (rows whose <name> is one of the viewer's cost centers, from
  seeds/cost_centers.csv). `finance_only` tables reach the finance copy alone. A mart missing from the seed is
  published to finance only: a new mart is private until finance decides who reads it.
* `seeds/publication_restricted_columns.csv`: columns dropped from every extract but finance's (`non_finance`),
  or from viewers' extracts only (`viewers`, `client_viewer`, `department_viewer`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

SCOPES_SEED = "publication_scopes.csv"
RESTRICTED_COLUMNS_SEED = "publication_restricted_columns.csv"
COST_CENTERS_SEED = "cost_centers.csv"
HIDDEN_FROM = {
    "non_finance": frozenset({"analyst", "department_viewer", "client_viewer"}),
    "viewers": frozenset({"department_viewer", "client_viewer"}),
    "department_viewer": frozenset({"department_viewer"}),
    "client_viewer": frozenset({"client_viewer"}),
}


class PolicyError(Exception):
    """A publication seed that cannot be applied; the message names the file, the row and the fix."""


@dataclass(frozen=True)
class RowRule:
    """Which rows of a table a viewer reads: none, all, or those whose column holds one of the viewer's keys."""

    kind: str  # "none" | "all" | "column" | "cost_center"
    column: str | None = None

    @classmethod
    def parse(cls, text: str, where: str) -> RowRule:
        value = text.strip()
        if not value:
            return cls("none")
        if value == "all":
            return cls("all")
        kind, _, column = value.partition(":")
        if kind in ("column", "cost_center") and column.strip():
            return cls(kind, column.strip())
        raise PolicyError(
            f"{where}: {value!r} is not a row rule; write nothing, all, column:<name> or cost_center:<name>"
        )


@dataclass(frozen=True)
class TableRule:
    table_name: str
    department_viewer: RowRule
    client_viewer: RowRule
    finance_only: bool


@dataclass(frozen=True)
class PublicationPolicy:
    tables: dict[str, TableRule]
    # table -> column -> the scope kinds it is hidden from
    hidden_columns: dict[str, dict[str, frozenset[str]]]
    # department or client -> its cost centers
    department_cost_centers: dict[str, frozenset[str]] = field(default_factory=dict)
    client_cost_centers: dict[str, frozenset[str]] = field(default_factory=dict)
    sources: tuple[Path, ...] = ()

    def hidden(self, table: str, scope_kind: str) -> frozenset[str]:
        return frozenset(c for c, kinds in self.hidden_columns.get(table, {}).items() if scope_kind in kinds)


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.exists():
        raise PolicyError(f"{path} is missing; it is finance's publication policy (see the README, Publication)")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in required if name not in (reader.fieldnames or [])]
        if missing:
            raise PolicyError(
                f"{path}: column(s) {', '.join(missing)} missing; the header must have {', '.join(required)}"
            )
        return [(number, {k: (v or "").strip() for k, v in row.items()}) for number, row in enumerate(reader, start=2)]


def load_policy(seeds_dir: Path) -> PublicationPolicy:
    scopes_path = seeds_dir / SCOPES_SEED
    tables: dict[str, TableRule] = {}
    for number, row in _rows(
        scopes_path, ("table_name", "department_viewer_rows", "client_viewer_rows", "finance_only")
    ):
        where = f"{scopes_path} row {number}"
        name = row["table_name"]
        if not name or name in tables:
            raise PolicyError(f"{where}: table_name {name or '(empty)'} is empty or listed twice; list each mart once")
        finance_only = row["finance_only"].lower()
        if finance_only not in ("true", "false"):
            raise PolicyError(f"{where}: finance_only must be true or false, not {row['finance_only']!r}")
        tables[name] = TableRule(
            name,
            RowRule.parse(row["department_viewer_rows"], where),
            RowRule.parse(row["client_viewer_rows"], where),
            finance_only == "true",
        )
    columns_path = seeds_dir / RESTRICTED_COLUMNS_SEED
    hidden: dict[str, dict[str, frozenset[str]]] = {}
    for number, row in _rows(columns_path, ("table_name", "column_name", "hidden_from")):
        kinds = HIDDEN_FROM.get(row["hidden_from"])
        if kinds is None:
            raise PolicyError(
                f"{columns_path} row {number}: hidden_from {row['hidden_from']!r} is not one of "
                f"{', '.join(HIDDEN_FROM)}"
            )
        per_table = hidden.setdefault(row["table_name"], {})
        per_table[row["column_name"]] = per_table.get(row["column_name"], frozenset()) | kinds
    departments: dict[str, set[str]] = {}
    clients: dict[str, set[str]] = {}
    cost_centers_path = seeds_dir / COST_CENTERS_SEED
    for _, row in _rows(cost_centers_path, ("cost_center_id", "department_id", "client_id")):
        if row["department_id"]:
            departments.setdefault(row["department_id"], set()).add(row["cost_center_id"])
        if row["client_id"]:
            clients.setdefault(row["client_id"], set()).add(row["cost_center_id"])
    return PublicationPolicy(
        tables=tables,
        hidden_columns=hidden,
        department_cost_centers={k: frozenset(v) for k, v in departments.items()},
        client_cost_centers={k: frozenset(v) for k, v in clients.items()},
        sources=(scopes_path, columns_path, cost_centers_path),
    )
