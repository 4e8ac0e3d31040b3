"""First paint of every dashboard page, in headless Chromium, on the data in the configured graph.

Starts the API (``kizashi serve api``) and the dashboard (Streamlit) on free ports of
127.0.0.1 against the configured Neo4j (KIZASHI_HOME / NEO4J_URI; load data and run
``kizashi rank`` first), or measures an already running dashboard (``--ui URL``).
Each visit is a fresh browser page (a new Streamlit session). For each page:

    title    navigation start → the page title (h1) is painted
    content  → the first chart is drawn (pages without charts: the run has finished)
    settled  → Streamlit's run has finished (every element of the page is there)

Per page, the first visit in a fresh browser context ("cold": empty browser cache, and for
the first page also a Streamlit server no session has used yet) is reported apart from the
median of the following visits ("warm": the browser's HTTP cache and the API/Streamlit
caches filled, as for an analyst at work). Pages are visited once the API has finished its
start-up warm-up of the heaviest views (/health says "views": "ready"); the time that took is
printed first.

    python bench/ui.py                 # start the stack, 3 warm visits per page
    python bench/ui.py --ui http://127.0.0.1:8501 --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.common import free_port  # noqa: E402
from tests.helpers import stop, wait_http  # noqa: E402

PAGES = [("overview", "", True), ("technology", "technology", True), ("emerging", "emerging", True),
         ("shortlist", "shortlist", True), ("country", "country", True), ("graph", "graph", True),
         ("search", "search", False)]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def start_stack() -> tuple[str, list[subprocess.Popen]]:
    from core.settings import get_settings
    from cli.ui import dashboard_key, streamlit_command

    key = dashboard_key(get_settings())
    api_port, ui_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}"
    api = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "api", "--port", str(api_port)],
                           cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(api_url + "/health", 180, api)
    # The API computes the heaviest dashboard views at start-up; measure pages once that is over
    # (as for an analyst arriving after the main job), and say how long it took.
    t0, deadline = time.monotonic(), time.monotonic() + 600
    while httpx.get(api_url + "/health", timeout=10).json().get("views") != "ready" and time.monotonic() < deadline:
        time.sleep(0.5)
    print(f"API start-up warm-up of dashboard views: {time.monotonic() - t0:.1f} s", flush=True)
    ui = subprocess.Popen(streamlit_command("127.0.0.1", ui_port), cwd=REPO,
                          env={**os.environ, "KIZASHI_API_URL": api_url, "KIZASHI_API_KEY": key},
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ui_url = f"http://127.0.0.1:{ui_port}"
    wait_http(ui_url + "/_stcore/health", 180, ui)
    return ui_url, [api, ui]


def visit(context, url: str, chart: bool) -> dict[str, float]:
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_selector("h1", timeout=120_000)
        t_title = time.perf_counter() - t0
        if chart:
            try:
                page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=60_000)
            except Exception:      # an empty state instead of a chart: fall through to the run's end
                chart = False
        t_chart = time.perf_counter() - t0
        page.wait_for_timeout(200)
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
        t_settled = time.perf_counter() - t0 - 0.2
        return {"title": t_title, "content": t_chart if chart else t_settled, "settled": t_settled}
    finally:
        page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ui", help="Measure this running dashboard instead of starting one.")
    ap.add_argument("--runs", type=int, default=3, help="Warm visits per page.")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    procs: list[subprocess.Popen] = []
    base = a.ui
    try:
        if base is None:
            base, procs = start_stack()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=a.chromium, args=ARGS, headless=True)
            rows = []
            for name, path, chart in PAGES:
                url = f"{base.rstrip('/')}/{path}"
                # One browser context per page: its first visit starts with an empty HTTP cache (cold);
                # later visits reuse the cached scripts, as an analyst's browser does (warm).
                context = browser.new_context(viewport={"width": 1500, "height": 1000})
                cold = visit(context, url, chart)
                warm = [visit(context, url, chart) for _ in range(a.runs)]
                context.close()
                med = {k: statistics.median(w[k] for w in warm) for k in ("title", "content", "settled")}
                rows.append((name, cold, med))
            browser.close()
    finally:
        stop(procs)
    print(f"\nDashboard first paint (s), headless Chromium, {a.runs} warm visits per page; {base}")
    print(f"{'page':12s} {'cold title':>10s} {'cold content':>12s} {'warm title':>10s} {'warm content':>12s} "
          f"{'warm settled':>12s}  settled ≤{FULL_RENDER_S:g} s")
    for name, cold, med in rows:
        ok = "yes" if med["settled"] <= FULL_RENDER_S else "NO"
        print(f"{name:12s} {cold['title']:10.2f} {cold['content']:12.2f} {med['title']:10.2f} {med['content']:12.2f} "
              f"{med['settled']:12.2f}  {ok}")


FULL_RENDER_S = 2.0     # issue #15: every page fully rendered (data drawn, run finished) within 2 s, warm


if __name__ == "__main__":
    main()
