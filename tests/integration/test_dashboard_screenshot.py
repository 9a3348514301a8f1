"""The dashboard in a real headless browser (Chromium from Debian's packages): `streamlit run` on the closed demo's
publication as fiona, the overview page screenshotted once it has drawn, and the picture checked for charts with
data. Skipped, with the reason, when no Chromium is on the PATH and it cannot be installed."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from PIL import Image
from websockets.sync.client import connect

from tests.dashboard_session import APP
from tests.integration.conftest import ClosedDemo

# Streamlit's default chart colours (the first series of a bar chart are drawn in these).
PALETTE = ((0, 104, 201), (131, 201, 255), (255, 43, 43), (255, 171, 171), (41, 176, 157), (125, 239, 161))
# A drawn chart: the overview's stacked bars cover well over 50,000 pixels of a 1400x1600 window; an empty page or
# one whose chart has no rows covers a few hundred (the sidebar and a metric's delta badge).
MIN_CHART_PIXELS = 20_000
READY = """(() => {
  const charts = document.querySelectorAll(
    '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg');
  const metrics = [...document.querySelectorAll('[data-testid="stMetricValue"]')].map(e => e.innerText);
  const running = !!document.querySelector('[data-testid="stStatusWidget"]');
  const title = document.querySelector('h1');
  return {ready: charts.length > 0 && metrics.length > 0 && !running, charts: charts.length, metrics: metrics,
          title: title ? title.innerText : null};
})()"""


def chromium() -> str:
    """Chromium's path, installed from Debian's packages once if missing; skips the test if that is not possible."""
    found = shutil.which("chromium")
    if found:
        return found
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("no chromium on the PATH (apt-get install chromium needs root on Debian)")
    apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
    installed = subprocess.run(install, capture_output=True, text=True, timeout=900, env=apt)
    if installed.returncode != 0:
        # A fresh machine's package lists may be missing or stale: refresh them once and try again.
        subprocess.run(["apt-get", "update"], capture_output=True, text=True, timeout=600, env=apt)
        installed = subprocess.run(install, capture_output=True, text=True, timeout=900, env=apt)
    found = shutil.which("chromium")
    if installed.returncode != 0 or not found:
        pytest.skip(f"no chromium: apt-get install chromium failed: {installed.stderr.strip()[-300:]}")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dashboard(data_dir: Path, user: str, log: Path) -> Iterator[str]:
    """`streamlit run` as `make dashboard` starts it, on a free port; always stopped afterwards."""
    port = free_port()
    env = {**os.environ, "BILLING_DATA_DIR": str(data_dir), "BILLING_USER": user}
    env.pop("BILLING_DASHBOARD_AUTH", None)
    command = [
        sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer", "--client.showErrorDetails", "none",
    ]  # fmt: skip
    with log.open("w") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                        if answer.read().strip() == b"ok":
                            break
                except OSError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the dashboard did not start: {log.read_text()[-2000:]}")
                time.sleep(0.5)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def screenshot(browser: str, url: str, png: Path, profile: Path) -> dict[str, Any]:
    """Open url in headless Chromium, wait (Chrome DevTools protocol) until a chart and the metrics are drawn and the
    script has finished, then save a 1400x1600 screenshot; returns what the page showed."""
    chrome = subprocess.Popen(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "--window-size=1400,1600", "--hide-scrollbars", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if chrome.poll() is not None or time.monotonic() > deadline:
                pytest.fail("chromium did not open its DevTools port")
            time.sleep(0.2)
        devtools = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{devtools}/json/list", timeout=10) as answer:
            target = next(t for t in json.load(answer) if t["type"] == "page")
        with connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as ws:
            counter = iter(range(1, 1_000_000))

            def call(method: str, **params: Any) -> dict[str, Any]:
                number = next(counter)
                ws.send(json.dumps({"id": number, "method": method, "params": params}))
                while True:
                    message = json.loads(ws.recv(timeout=60))
                    if message.get("id") == number:
                        assert "error" not in message, message
                        return dict(message["result"])

            call("Emulation.setDeviceMetricsOverride", width=1400, height=1600, deviceScaleFactor=1, mobile=False)
            call("Page.navigate", url=url)
            state: dict[str, Any] = {}
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                state = call("Runtime.evaluate", expression=READY, returnByValue=True)["result"].get("value") or {}
                if state.get("ready"):
                    break
                time.sleep(0.5)
            time.sleep(1.5)  # the charts' enter transition
            png.write_bytes(base64.b64decode(call("Page.captureScreenshot", format="png")["data"]))
            return state
    finally:
        chrome.terminate()
        try:
            chrome.wait(timeout=15)
        except subprocess.TimeoutExpired:
            chrome.kill()
            chrome.wait()


def chart_pixels(png: Path) -> int:
    """Pixels within a small distance of one of the chart palette colours."""
    image = Image.open(png).convert("RGB")
    count = 0
    for pixels, (red, green, blue) in image.getcolors(maxcolors=image.width * image.height) or []:
        if any(abs(red - r) + abs(green - g) + abs(blue - b) <= 30 for r, g, b in PALETTE):
            count += pixels
    return count


def test_the_overview_in_a_real_browser_shows_charts_with_data(closed_demo: ClosedDemo, tmp_path: Path) -> None:
    browser = chromium()
    current = closed_demo.settings.published_dir / "current"
    with duckdb.connect(str(current / "billing.duckdb"), read_only=True) as con:
        currency, amount = con.execute(
            "select billing_currency, sum(effective_cost) from marts.fct_costs "
            "where billing_period_start = (select max(billing_period_start) from marts.fct_costs) "
            "group by 1 order by 1 limit 1"
        ).fetchone()
    expected = f"{Decimal(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,} {currency}"
    png = tmp_path / "dashboard-overview.png"
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    with dashboard(closed_demo.settings.data_dir, "fiona", tmp_path / "streamlit.log") as url:
        state = screenshot(browser, url, png, profile)
    print(f"dashboard screenshot: {png}")
    assert state.get("ready"), f"the overview did not finish drawing: {state}"
    assert state["title"] == "IT cost overview"
    assert expected in state["metrics"]
    assert state["charts"] >= 1
    pixels = chart_pixels(png)
    assert pixels >= MIN_CHART_PIXELS, f"{png}: only {pixels} pixels in the chart colours; no chart with data drawn"
