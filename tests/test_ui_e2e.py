"""End to end in a real browser: Neo4j (this session's), the API (uvicorn) and the dashboard
(Streamlit) as subprocesses on 127.0.0.1, real data from ../shared/data loaded with the CLI,
headless Debian Chromium driven by Playwright. Screenshots go to tests/out/ui/."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require
from graph.server import free_port
from tests.helpers import stop, wait_http

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "out" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
PAGES = ["", "technology", "emerging", "shortlist", "country", "graph", "search"]

pytestmark = pytest.mark.shared_data


def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (scripts/bootstrap.sh does, as root)")
        pytest.skip(f"{CHROMIUM} not installed")
    return CHROMIUM


def kz(env: dict[str, str], *args: str, timeout: int = 900) -> str:
    r = subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, capture_output=True, text=True,
                       timeout=timeout, cwd=REPO)
    assert r.returncode == 0, f"kizashi {' '.join(args)}:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}"
    return r.stdout


def load_real_data(env: dict[str, str], data: Path) -> None:
    """A modest real slice: OpenAlex works, a WoS export, the Japanese policy texts; the shipped
    taxonomy, rule mapping, rankings under two profiles, policy-text embeddings for search, and
    emerging-area clusters over the mapped works' embeddings (about 860 works: ~20 s to embed)."""
    works = require(data / "openalex" / "works.jsonl.gz")
    wos = require(data / "bibliometric_exports" / "wos_black_silicon_pv" / "savedrecs.txt.gz")
    policy = require(data / "policy" / "ja")
    kz(env, "ingest", "openalex", str(works))
    kz(env, "ingest", "export", str(wos))
    kz(env, "ingest", "policy", "--no-ner", str(policy))
    kz(env, "taxonomy", "load")
    kz(env, "map", "--method", "rule")
    kz(env, "rank", "--by", "country", "--by", "organization", "--counting", "fractional")
    kz(env, "rank", "--by", "country", "--counting", "fractional", "--profile", "unweighted")
    kz(env, "embed", "--label", "PolicyDocument")
    kz(env, "embed", "--label", "Work", "--mapped-only")
    # The default resolution for under 1,250 documents gives three broad clusters; 1.5 gives
    # about ten (AI/NLP, health data, several black-silicon PV themes), a map worth reading.
    kz(env, "clusters", "--resolution", "1.5")


@dataclass
class Stack:
    api: str
    ui: str
    key: str
    neo4j_http: str | None = None   # the local Neo4j's HTTP connector, which the graph explorer links to
    neo4j_password: str | None = None


def start_stack(env: dict[str, str], ui_env: dict[str, str]) -> Iterator[Stack]:
    from api.keys import KeyStore
    from cli.ui import streamlit_command

    key, _ = KeyStore.at(Path(env["KIZASHI_HOME"])).create("read", "e2e")
    api_port, ui_port = free_port(), free_port()
    api_url, ui_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
    logs = Path(env["KIZASHI_HOME"])
    procs = []
    try:
        api = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "api", "--port", str(api_port),
                                "--no-start-db"], env=env, cwd=REPO, stdout=open(logs / "api.log", "w"),
                               stderr=subprocess.STDOUT)
        procs.append(api)
        wait_http(api_url + "/health", 120, api)
        ui = subprocess.Popen(streamlit_command("127.0.0.1", ui_port),
                              env={**ui_env, "KIZASHI_API_URL": api_url, "KIZASHI_API_KEY": key}, cwd=REPO,
                              stdout=open(logs / "ui.log", "w"), stderr=subprocess.STDOUT)
        procs.append(ui)
        wait_http(ui_url + "/_stcore/health", 120, ui)
        yield Stack(api_url, ui_url, key)
    finally:
        stop(procs)


def open_page(page, base: str, path: str, chart: bool = True) -> None:
    page.goto(f"{base}/{path}")
    page.wait_for_selector("h1", timeout=120_000)
    if chart:
        page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=120_000)
    settle(page)


def settle(page) -> None:
    """Wait until Streamlit has finished the run (its status widget disappears)."""
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=120_000)
    page.wait_for_timeout(500)


def shot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main container, so grow the viewport to it."""
    OUT.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("Math.max(...[...document.querySelectorAll('[data-testid=stMain] *')]"
                           ".slice(0, 1).map(e => e.scrollHeight), document.querySelector('[data-testid=stMain]').scrollHeight)")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 60, 8000)})
    page.wait_for_timeout(3000)      # plotly and the data grids redraw at the new size
    page.screenshot(path=str(OUT / f"{name}.png"))
    page.set_viewport_size(size)


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, local_server, neo4j_conn, shared_data) -> Iterator[Stack]:
    chromium()
    home = tmp_path_factory.mktemp("ui-e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIZASHI_", "NEO4J_"))}
    env.update(NEO4J_URI=neo4j_conn.uri, NEO4J_USER=neo4j_conn.user, NEO4J_PASSWORD=neo4j_conn.password,
               KIZASHI_HOME=str(home), KIZASHI_RANK_BOOTSTRAP="200")
    # The graph is this module's: empty it first (other tests share the session's Neo4j).
    from graph.store import Store, open_driver

    with Store(open_driver(neo4j_conn), neo4j_conn.database) as s:
        s.autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    load_real_data(env, shared_data)
    # The dashboard needs no database credentials; given this session's local server as its own
    # (KIZASHI_HOME and port, no NEO4J_URI) it finds the server's Neo4j Browser by itself.
    ui_env, http, password = dict(env), None, None
    if local_server is not None:
        from graph import server

        for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD"):
            ui_env.pop(k)
        ui_env.update(KIZASHI_HOME=str(local_server.home), KIZASHI_BOLT_PORT=str(local_server.bolt_port))
        http, password = (server.http(local_server) or {}).get("url"), server.password(local_server)
    for s in start_stack(env, ui_env):
        s.neo4j_http, s.neo4j_password = http, password
        yield s


@pytest.fixture(scope="module")
def browser(stack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium()), args=ARGS, headless=True)
        yield b
        b.close()


def test_every_page_renders_real_data(stack: Stack, browser) -> None:
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Overview: heatmap, then another alliance profile
    open_page(page, stack.ui, "")
    text = main_text(page)
    assert "Who leads each critical technology" in text
    assert re.search(r"\d+ technologies ranked", text) and "jp_economic_security@" in text
    assert "Data as of:" in text and "counting: fractional" in text
    assert "Artificial intelligence" in page.locator("[data-testid=stPlotlyChart]").first.inner_text()
    shot(page, "1-overview")
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="unweighted").click()
    settle(page)
    page.wait_for_function("document.querySelector('[data-testid=stMain]').innerText.includes('unweighted@')",
                           timeout=60_000)
    shot(page, "1-overview-unweighted")
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="jp_economic_security").click()
    settle(page)

    # Technology: metrics, charts, evidence
    open_page(page, stack.ui, "technology")
    text = main_text(page)
    for label in ("Papers", "Patents", "Leader", "HHI", "Monopoly risk", "Evidence",
                  "Policy signals and export controls", "Materials it depends on"):
        assert label in text, label
    assert page.locator("[data-testid=stPlotlyChart]").count() >= 5
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text)   # the Japanese name renders beside the English
    shot(page, "2-technology")

    # Emerging areas: the cluster map of the embedded works, and the top cluster's details
    open_page(page, stack.ui, "emerging")
    text = main_text(page)
    chart = page.locator("[data-testid=stPlotlyChart]").first.inner_text()
    assert "Emerging areas" in text and "Research clusters" in chart
    # Placed by PCA of centroids when clusters store them, else by growth × emergence.
    n = re.search(r"(\d+) Cluster · (PCA of cluster centroids|growth × emergence)", text)
    assert n and int(n.group(1)) >= 3, text[:2000]
    assert "silicon" in chart and re.search(r"\blanguage\b|\blearning\b|\bintelligence\b", chart)
    for label in ("Keywords", "Example documents", "Linked technologies", "Leading countries"):
        assert label in text, label
    shot(page, "3-emerging")

    # Shortlist: quadrant, and a weight slider re-ranks
    open_page(page, stack.ui, "shortlist")
    text = main_text(page)
    assert "ES-X shortlist" in text and "Download CSV" in text and "Download XLSX" in text
    assert "autonomy_risk:0.35" in text
    slider = page.get_by_test_id("stSidebar").get_by_role("slider").first
    slider.focus()
    slider.press("End")
    settle(page)
    page.wait_for_function("document.querySelector('[data-testid=stMain]').innerText.includes('autonomy_risk:1,')",
                           timeout=60_000)
    shot(page, "4-shortlist")

    # Country profile: Japan against its bloc and allies
    open_page(page, stack.ui, "country")
    text = main_text(page)
    assert "Japan (JP)" in text and "Strengths" in text and "Weaknesses" in text
    assert page.locator("[data-testid=stPlotlyChart]").count() >= 2
    shot(page, "5-country")

    # Graph explorer: ego network, and a link into the local server's Neo4j Browser
    open_page(page, stack.ui, "graph")
    assert "Ego network" in page.locator("[data-testid=stPlotlyChart]").first.inner_text()
    shot(page, "6-graph")
    if stack.neo4j_http:
        link = page.get_by_role("link", name="Open in Neo4j Browser")
        href = link.get_attribute("href")
        assert href.startswith(stack.neo4j_http + "/browser/?cmd=edit&arg=") and "MATCH" in href
        neo = browser.new_page(viewport={"width": 1500, "height": 1000})
        neo.goto(href)
        neo.wait_for_function("document.title.includes('Neo4j Browser')", timeout=60_000)
        # The Browser finds Bolt through the server's discovery; log in and run the linked query.
        neo.get_by_test_id("username").fill("neo4j")
        neo.get_by_test_id("password").fill(stack.neo4j_password)
        neo.get_by_test_id("connect").click()
        neo.get_by_text("You are connected as user neo4j").wait_for(timeout=60_000)
        neo.get_by_test_id("editor-Run").click()
        neo.get_by_text(re.compile(r"Displaying \d+ nodes, \d+ relationships")).wait_for(timeout=60_000)
        neo.wait_for_timeout(2000)   # the force layout settles
        neo.screenshot(path=str(OUT / "6-graph-neo4j-browser.png"))
        neo.close()

    # Search, in Japanese, over the embedded policy texts
    open_page(page, stack.ui, "search", chart=False)
    box = page.get_by_test_id("stMain").get_by_test_id("stTextInput").get_by_role("textbox")
    box.fill("半導体のサプライチェーン")
    box.press("Enter")
    settle(page)
    page.wait_for_function("document.querySelector('[data-testid=stMain]').innerText.includes('Results')",
                           timeout=120_000)
    assert "PolicyDocument" in main_text(page)
    shot(page, "7-search")

    # Japanese labels throughout (navigating inside the app keeps the session's language)
    page.get_by_test_id("stSidebar").get_by_text("日本語").click()
    settle(page)
    assert "論文・特許・政策文書を検索" in main_text(page)
    page.get_by_test_id("stSidebarNav").get_by_text("概観").click()
    page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=120_000)
    settle(page)
    text = main_text(page)
    assert "重要技術ごとの主導国" in text and "データ時点" in text
    shot(page, "8-overview-ja")
    assert not errors, errors


def test_overview_names_raw_leaders_and_keeps_concern_leads_under_the_lens(stack: Stack, browser) -> None:
    import httpx

    body = httpx.get(f"{stack.api}/ui/overview", headers={"X-API-Key": stack.key}, timeout=120,
                     params={"profile": "jp_economic_security", "window": "all", "counting": "fractional"}).json()
    shown = [x for x in body["data"]["technologies"]
             if x["ranked"] and sum((x.get("documents") or {}).get(k, 0) for k in ("works", "patent_families"))]
    led = [x for x in shown if x.get("leader") and not x.get("thin")]
    # the leader each row names is the top raw score among its ranked countries, whatever the profile
    for x in led:
        ranked = {cc: s["score"] for cc, s in (x.get("scores") or {}).items() if s.get("rank") is not None}
        assert ranked and max(ranked.values()) == ranked[x["leader"]], (x["key"], x["leader"], ranked)
        assert x["scores"][x["leader"]]["rank"] == 1
    concern = [x for x in led if x.get("leader_concern")]
    assert led and concern, "the shared data has technologies led by a country of concern"
    want = sorted((bool(x.get("leader_concern")), x["leader"]) for x in led)

    page = browser.new_page(viewport={"width": 1500, "height": 1000})

    def labels() -> list[tuple[bool, str]]:
        ticks = page.locator("[data-testid=stPlotlyChart]").first.locator(".ytick text").all_text_contents()
        return sorted((bool(m.group(1)), m.group(2)) for m in (re.search(r" — lead (⚠ )?([A-Z]{2}) \d+%", t)
                                                                for t in ticks) if m)

    open_page(page, stack.ui, "")
    assert "Raw score: who actually leads" in main_text(page)
    assert labels() == want                       # every raw leader named, concern leads marked ⚠
    chart = page.locator("[data-testid=stPlotlyChart]").first
    page.get_by_test_id("stMain").get_by_text("Alliance-weighted lens").click()
    settle(page)
    page.wait_for_function("document.querySelector('[data-testid=stMain]').innerText.includes('Alliance-weighted lens: scores')",
                           timeout=60_000)
    page.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=60_000)
    # under the lens the rows still name the raw leader, and each concern-led row's leader cell
    # is drawn as ⚠ with its share instead of a weighted 0
    assert labels() == want
    cells = [x for x in chart.locator("text").all_text_contents() if re.fullmatch(r"⚠ \d+%", x.strip())]
    assert len(cells) >= len(concern), (len(cells), len(concern))
    shot(page, "1-overview-weighted-lens")
    page.close()
