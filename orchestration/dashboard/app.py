"""The dashboards' entry point: `streamlit run orchestration/dashboard/app.py` (`make dashboard`).

Every run signs the user in (orchestration/dashboard/session.py), opens only that user's scope extract of the
current publication, and shows the pages; without a user, for an unknown user or with nothing published, the app
shows one refusal and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from orchestration.dashboard.session import VIEW_KEY, open_view
from orchestration.dashboard.ui import SEEDS_KEY
from orchestration.publish.reader import PublicationError, PublishedView
from orchestration.settings import load_settings

SCREENS = Path(__file__).parent / "screens"
# url path, title, module in screens/, icon
PAGES: tuple[tuple[str, str, str, str], ...] = (
    ("overview", "Overview", "overview", ":material/dashboard:"),
    ("costs", "Cost explorer", "costs", ":material/bar_chart:"),
    ("trends", "Month over month", "trends", ":material/trending_up:"),
    ("budgets", "Budget burn", "budgets", ":material/local_fire_department:"),
    ("forecast", "Forecast vs actual", "forecast", ":material/query_stats:"),
    ("unallocated", "Unallocated spend", "unallocated", ":material/help:"),
    ("invoices", "Invoices and charges", "invoices", ":material/receipt_long:"),
    ("drill-down", "Drill-down", "drilldown", ":material/account_tree:"),
)
# Shown only to a scope that sees margins (finance), and only when its release has the mart.
MARGINS_PAGE = ("margins", "Client margins", "margins", ":material/percent:")


def _sidebar(view: PublishedView) -> None:
    manifest = view.manifest
    with st.sidebar:
        st.markdown(f"**{view.user.display_name}** ({view.user.user_id}, {view.user.role})")
        st.caption(f"Scope: {view.scope.label}")
        st.caption(
            f"Release {manifest.get('release', view.release.name)} · closed period "
            f"{manifest.get('billing_period') or '-'} · published {manifest.get('published_at', '-')}"
        )


def main() -> None:
    st.set_page_config(page_title="IT billing dashboards", page_icon=":material/payments:", layout="wide")
    try:
        settings = load_settings()
        view = open_view(settings, st.context.headers)
    except (PublicationError, ValueError) as error:
        st.error(f"The dashboard cannot open: {error}")
        st.stop()
    st.session_state[VIEW_KEY] = view
    st.session_state[SEEDS_KEY] = str(settings.seeds_dir)
    try:
        pages = list(PAGES)
        if view.scope.sees_margins and view.has_table("fct_client_margins"):
            pages.append(MARGINS_PAGE)
        navigation = st.navigation(
            [
                st.Page(SCREENS / f"{module}.py", title=title, icon=icon, url_path=url, default=index == 0)
                for index, (url, title, module, icon) in enumerate(pages)
            ]
        )
        _sidebar(view)
        navigation.run()
    finally:
        st.session_state.pop(VIEW_KEY, None)
        view.close()


if __name__ == "__main__":
    main()
