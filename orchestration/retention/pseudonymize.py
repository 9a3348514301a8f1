"""Personal data in tags, pseudonymized at ingest: the values of personal tag keys become `pseud:<hex>`.

The pseudonym is HMAC-SHA256(key, value) (first 16 bytes, hex): the same value always gives the same pseudonym,
so reports can still group by owner, and nobody without the key can tell whom it names. Which keys are personal
is the policy's `personal_tag_keys` (seeds/retention_policies.csv); a tag value that is an e-mail address is
personal under any key. Tag keys the allocation rules read (seeds/cost_center_mappings.csv) and the project tag
are never touched, whatever the list says: a cost-center tag must stay readable for chargeback.

It runs once, in `ingest_source`, on every table of every parsed file before its rows are written, over the
columns that hold tags or labels as compact JSON objects (orchestration/sources/common.key_value_json).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from orchestration.sources.common import ParsedFile, compact_json
from orchestration.sources.in_duckdb.columnar import StagedTable

PREFIX = "pseud:"
# Raw columns that hold a key/value JSON object of tags or labels, across every source.
TAG_COLUMNS = ("tags", "labels", "resource_tags", "project_labels", "system_labels")
PROJECT_TAG_KEY = "project"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalized_key(key: str) -> str:
    """`user:Owner` -> `userowner`, `Oracle-Tags.CreatedBy` -> `oracletagscreatedby`."""
    return re.sub(r"[^a-z0-9]", "", key.lower())


def allocation_tag_keys(seeds_dir: Path) -> frozenset[str]:
    """Tag keys the cost-center mapping rules match on, and the project tag: never pseudonymized."""
    keys = {PROJECT_TAG_KEY}
    path = seeds_dir / "cost_center_mappings.csv"
    if path.exists():
        with path.open(newline="", encoding="utf-8") as handle:
            keys |= {
                (row.get("tag_key") or "").strip()
                for row in csv.DictReader(handle)
                if (row.get("match_dimension") or "").strip() == "tag" and (row.get("tag_key") or "").strip()
            }
    return frozenset(keys)


@dataclass(frozen=True)
class Pseudonymizer:
    key: bytes
    personal_keys: tuple[str, ...]
    protected_keys: frozenset[str] = frozenset()

    def __repr__(self) -> str:  # never print the key
        return f"Pseudonymizer(personal_keys={self.personal_keys!r})"

    def pseudonym(self, value: str) -> str:
        return PREFIX + hmac.new(self.key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def is_personal(self, tag_key: str, value: str) -> bool:
        bare = tag_key.split(":", 1)[1] if tag_key.startswith(("user:", "aws:")) else tag_key
        if tag_key in self.protected_keys or bare in self.protected_keys:
            return False
        if _EMAIL.match(value.strip()):
            return True
        name = normalized_key(tag_key)
        return any(name.endswith(normalized_key(personal)) for personal in self.personal_keys)

    def tags_text(self, text: str | None) -> str | None:
        """One row's tag JSON with personal values replaced; the same text when nothing is personal."""
        if not text:
            return text
        try:
            tags = json.loads(text)
        except json.JSONDecodeError:
            return text
        if not isinstance(tags, dict):
            return text
        changed = False
        for tag_key, value in tags.items():
            if isinstance(value, str) and value and not value.startswith(PREFIX) and self.is_personal(tag_key, value):
                tags[tag_key] = self.pseudonym(value)
                changed = True
        return compact_json(tags) if changed else text

    def table(self, table: pa.Table) -> pa.Table:
        for column in TAG_COLUMNS:
            if column not in table.column_names:
                continue
            index = table.column_names.index(column)
            # Tag sets repeat across rows (one per resource): each distinct text is pseudonymized once.
            done: dict[str | None, str | None] = {}
            values = [
                done[v] if v in done else done.setdefault(v, self.tags_text(v))
                for v in table.column(column).to_pylist()
            ]
            table = table.set_column(index, column, pa.array(values, type=pa.string()))
        return table

    def staged(self, con: duckdb.DuckDBPyConnection, table: StagedTable) -> None:
        """The same for a table parsed in DuckDB: each distinct tag text once, changed ones rewritten in place."""
        for column in TAG_COLUMNS:
            if column not in table.column_names:
                continue
            quoted = f'"{column}"'
            changed = [
                (value, new)
                for (value,) in con.execute(
                    f"select distinct {quoted} from {table.name} where {quoted} is not null"
                ).fetchall()
                if (new := self.tags_text(value)) != value
            ]
            if changed:
                table.replace_values(con, column, changed)

    def parsed(self, parsed: ParsedFile, con: duckdb.DuckDBPyConnection | None = None) -> ParsedFile:
        """The parsed file with every table's tag columns pseudonymized (in place: the tables are replaced).
        Tables parsed in DuckDB (orchestration/sources/in_duckdb/columnar.py) are rewritten there, through `con`."""
        tables: dict[str, pa.Table | StagedTable] = {}
        for name, table in parsed.tables.items():
            if isinstance(table, StagedTable):
                if con is None:
                    raise ValueError("a table parsed in DuckDB is pseudonymized through its connection")
                self.staged(con, table)
                tables[name] = table
            else:
                tables[name] = self.table(table)
        parsed.tables = tables
        return parsed


def pseudonym_key(configured: str | None, key_file: Path) -> bytes:
    """BILLING_PSEUDONYM_KEY when set; otherwise a random key generated once into `key_file` (mode 0600)."""
    if configured:
        return configured.encode("utf-8")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    return key_file.read_text(encoding="utf-8").strip().encode("utf-8")


def build_pseudonymizer(seeds_dir: Path, configured_key: str | None, key_file: Path) -> Pseudonymizer:
    """The pseudonymizer of the policy in force today (personal keys) with the configured or generated key."""
    from datetime import date

    from orchestration.retention.policy import policy_in_force

    policy = policy_in_force(seeds_dir, date.today())
    return Pseudonymizer(
        pseudonym_key(configured_key, key_file), policy.personal_tag_keys, allocation_tag_keys(seeds_dir)
    )
