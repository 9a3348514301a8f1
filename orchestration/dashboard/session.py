"""Who is looking, and the one door to the data: that user's scope extract of the current publication.

The user is BILLING_USER of the dashboard process (a personal dashboard: `BILLING_USER=dora make dashboard`), or,
with BILLING_DASHBOARD_AUTH=proxy, the X-Forwarded-User header an authenticating reverse proxy sets on each request.
There are no passwords here: identity comes from whoever started the process, or from the single sign-on proxy.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from orchestration.publish.reader import PublicationError, PublishedView, open_for_user
from orchestration.settings import Settings

PROXY_HEADER = "X-Forwarded-User"
VIEW_KEY = "_billing_published_view"


def user_id_for_request(settings: Settings, headers: Mapping[str, str]) -> str:
    """The signed-in user's id; refused (PublicationError) when there is none."""
    if settings.dashboard_auth == "proxy":
        wanted = PROXY_HEADER.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), "").strip()
        if not value:
            raise PublicationError(
                f"no signed-in user: the request carries no {PROXY_HEADER} header; open the dashboard through the "
                "sign-in proxy (BILLING_DASHBOARD_AUTH=proxy)"
            )
        return value
    if not settings.dashboard_user:
        raise PublicationError(
            "no signed-in user: start the dashboard as a user of seeds/billing_users.csv, e.g. "
            "`BILLING_USER=dora make dashboard`"
        )
    return settings.dashboard_user


def open_view(settings: Settings, headers: Mapping[str, str]) -> PublishedView:
    """The user's scope extract of the current release, read-only; PublicationError says why not."""
    return open_for_user(settings.published_dir, settings.seeds_dir, user_id_for_request(settings, headers))


def current_view() -> PublishedView:
    """The view app.py opened for this run; a page run without it stops with one line."""
    view = st.session_state.get(VIEW_KEY)
    if not isinstance(view, PublishedView):
        st.error("Open the dashboard from its start page (`make dashboard`).")
        st.stop()
    return view
