"""Drive the dashboards headless with Streamlit's AppTest, and read back everything a page showed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from orchestration.settings import REPO_ROOT

APP = REPO_ROOT / "orchestration" / "dashboard" / "app.py"
# url path -> page module, as orchestration/dashboard/app.py registers them
PAGES = {
    "overview": "overview",
    "costs": "costs",
    "trends": "trends",
    "budgets": "budgets",
    "forecast": "forecast",
    "unallocated": "unallocated",
    "invoices": "invoices",
    "drill-down": "drilldown",
}


@contextmanager
def environment(**variables: str | None) -> Iterator[None]:
    """Set (or, for None, remove) environment variables for the app's runs, restoring them afterwards."""
    before = {name: os.environ.get(name) for name in variables}
    try:
        for name, value in variables.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True)
class Shown:
    """What one page run put on the screen (captured right after the run: the AppTest moves on)."""

    exceptions: list[str]
    errors: list[str]
    infos: list[str]
    titles: list[str]
    code: list[str]
    metrics: dict[str, str]
    tables: list[pd.DataFrame]
    charts: list[pd.DataFrame]  # the data of every chart, as Streamlit sends it to the browser
    sidebar: list[str]
    choices: dict[str, list[str]]  # the options of every multiselect, selectbox and radio, by key

    @property
    def frames(self) -> list[pd.DataFrame]:
        return self.tables + self.charts

    def values(self, column: str) -> set[object]:
        """Every value of a column in every table and chart shown."""
        return {value for frame in self.frames if column in frame.columns for value in frame[column]}


def capture(app: AppTest) -> Shown:
    charts: list[pd.DataFrame] = []
    for chart in app.get("vega_lite_chart"):
        charts.extend(convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets)
        if chart.proto.HasField("data"):
            charts.append(convert_arrow_bytes_to_pandas_df(chart.proto.data.data))
    return Shown(
        exceptions=[str(e.value) for e in app.exception],
        errors=[str(e.value) for e in app.error],
        infos=[str(e.value) for e in app.info],
        titles=[str(e.value) for e in app.title],
        code=[str(e.value) for e in app.code],
        metrics={m.label: m.value for m in app.metric},
        tables=[d.value for d in app.dataframe],
        charts=charts,
        sidebar=[str(m.value) for m in app.sidebar.markdown] + [str(c.value) for c in app.sidebar.caption],
        choices={
            str(widget.key): [str(option) for option in widget.options]
            for widget in [*app.multiselect, *app.selectbox, *app.radio]
            if widget.key
        },
    )


def open_app(data_dir: Path, user: str | None, **more: str | None) -> tuple[AppTest, Shown]:
    """The app's start page for a user (None: no BILLING_USER), reading data_dir's publication."""
    app = AppTest.from_file(str(APP), default_timeout=120)
    with environment(BILLING_DATA_DIR=str(data_dir), BILLING_USER=user, **more):
        app.run()
    return app, capture(app)


def show_page(app: AppTest, data_dir: Path, user: str | None, page: str, **more: str | None) -> Shown:
    app.switch_page(f"screens/{PAGES.get(page, page)}.py")
    with environment(BILLING_DATA_DIR=str(data_dir), BILLING_USER=user, **more):
        app.run()
    return capture(app)
