"""The demo's finance sign-off: the demo rate card approved and published, so a demo close charges departments."""

from __future__ import annotations

from orchestration.ops.rate_card_seeds import RateCardSeeds
from orchestration.ops.rate_cards import approve, list_versions, publish
from orchestration.settings import Settings

DEMO_RATE_CARD = "RC-FY2026.1"
DEMO_FINANCE_USER = "fiona"  # the finance controller of seeds/billing_users.csv
DEMO_NOTE = "demo sign-off"


def publish_demo_rate_card(settings: Settings) -> str:
    """Approve and publish the demo rate card unless it is published already (running the demo twice is fine).
    Returns what was done, in one line."""
    seeds = RateCardSeeds.load(settings.seeds_dir)
    store = settings.ops_store_path
    status = next((s for s in list_versions(store, seeds) if s.version == DEMO_RATE_CARD), None)
    if status is not None and status.published is not None:
        return f"rate card {DEMO_RATE_CARD} already published (by {status.published.actor} at {status.published.when})"
    content = seeds.content(DEMO_RATE_CARD) if seeds.has(DEMO_RATE_CARD) else None
    approved = status.approved if status is not None else None
    # An approval of other content (the seed was edited since) would refuse the publication: sign it off again.
    if approved is None or content is None or approved.content_sha256 != content.sha256:
        approve(store, seeds, DEMO_RATE_CARD, actor=DEMO_FINANCE_USER, note=DEMO_NOTE)
    publication = publish(store, seeds, DEMO_RATE_CARD, actor=DEMO_FINANCE_USER)
    return (
        f"rate card {DEMO_RATE_CARD} approved and published as {DEMO_FINANCE_USER} "
        f"({publication.rates} rate lines, {publication.bundles} bundle lines) in {store}"
    )
