"""Open the current publication as a user: only that user's scope extract, read-only (the dashboard's one door)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.ops.errors import OpsError
from orchestration.ops.people import User, load_directory
from orchestration.publish.release import CURRENT, DATABASE, MANIFEST
from orchestration.publish.scopes import Scope, scope_of


class PublicationError(Exception):
    """Nothing (permitted) to read; the message is one line for a person."""


@dataclass
class PublishedView:
    con: duckdb.DuckDBPyConnection
    scope: Scope
    user: User
    release: Path
    manifest: dict[str, Any]

    def has_table(self, name: str) -> bool:
        found = self.con.execute(
            "select count(*) from information_schema.tables where table_schema = 'marts' and table_name = ?", [name]
        ).fetchone()
        return bool(found and found[0])

    def close(self) -> None:
        self.con.close()


def current_release(published_dir: Path) -> Path:
    link = published_dir / CURRENT
    if not link.exists():
        raise PublicationError(
            f"nothing is published in {published_dir} yet; a green `billing close` publishes the marts there"
        )
    return link.resolve()


def scope_file(release: Path, scope: Scope) -> Path:
    return release / DATABASE if scope.kind == "finance" else release / "scopes" / scope.scope_id / DATABASE


def open_for_user(published_dir: Path, seeds_dir: Path, user_id: str | None) -> PublishedView:
    """The user's extract of the current release; refused for an unknown or inactive user, or a role without one."""
    try:
        user = load_directory(seeds_dir).user(user_id)
    except OpsError as error:
        raise PublicationError(str(error)) from None
    scope = scope_of(user)
    if scope is None:
        raise PublicationError(
            f"{user.user_id} ({user.role}) has no department or client to read; ask finance to complete "
            "seeds/billing_users.csv"
        )
    release = current_release(published_dir)
    path = scope_file(release, scope)
    if not path.exists():
        raise PublicationError(
            f"release {release.name} has no extract for {scope.label}; the next green close publishes one"
        )
    manifest = json.loads((release / MANIFEST).read_text(encoding="utf-8"))
    con = duckdb.connect(str(path), read_only=True)
    return PublishedView(con=con, scope=scope, user=user, release=release, manifest=manifest)
