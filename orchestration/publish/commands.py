"""`billing publish`: publish the warehouse's marts again, outside a close (e.g. after finance changed the policy)."""

from __future__ import annotations

import duckdb

from orchestration.ops.errors import OpsError
from orchestration.publish.policy import PolicyError
from orchestration.publish.release import publish
from orchestration.settings import load_settings
from orchestration.user_errors import UserError


def publish_command() -> None:
    """Publish the marts of the live warehouse as a new read-only release under data/published/ (swapped in
    whole) with one extract per access scope. A close does this after every green run; run it after finance
    changes seeds/publication_scopes.csv or a viewer is added to seeds/billing_users.csv."""
    settings = load_settings()
    if not settings.warehouse_path.exists():
        raise UserError(f"no warehouse at {settings.warehouse_path}; run `billing close` first")
    con = duckdb.connect()
    try:
        # The warehouse attached read-only: publishing never takes the writer's lock.
        con.execute(f"attach '{settings.warehouse_path}' as warehouse (read_only)")
    except duckdb.IOException as error:
        raise UserError(
            f"the warehouse is in use ({str(error).splitlines()[0]}); a close is probably running and publishes "
            "when it ends"
        ) from None
    try:
        con.execute("use warehouse")
        release = publish(con, settings.published_dir, settings.seeds_dir)
    except (PolicyError, OpsError) as error:
        raise UserError(f"not published: {error}") from None
    finally:
        con.close()
    print(release.summary())
    print(f"current release: {settings.published_dir / 'current'} -> {release.path}")
