"""The real dashboard server in a real browser: start-up, each page's first visit, server memory.

    python bench/server.py [--store DIR] [--port P] [--repeat N] [--screenshot DIR]

Starts `python -m streamlit run streamlit_app.py --server.headless true --server.port P -- --store DIR`
(the project's .streamlit/config.toml applies, as for a user) and drives Debian's Chromium with
Playwright, as tests/e2e do. Measured:

- start to first page: from launching the server process until the Overview page is shown in the
  browser (its h1 drawn, a Plotly chart drawn, the script run over);
- each page's first visit: a real click on its sidebar link, until the page has settled (the checks
  of tests/e2e settle(): connected, script not running, no running icon, no stale elements, no
  placeholders; and the new page's h1 is there), for every page of dashboard.ui.frame.PAGES;
  with --repeat N > 1 the walk is repeated and later visits are reported as a median apart;
- the server's resident memory (RSS of its process and all its children): after the first page,
  after the walk, and the peak from start through the walk, sampled every 0.2 s.

The baseline, served the same way in the same run, is a blank Streamlit app (st.title only): its
start-to-first-page time and RSS. Beside it, a one-chart app (the title and one small Plotly chart)
gives the floor for any first page that draws a chart with the mandated stack. It is measured before and after the dashboard, and the mean of
the two is the ratio's denominator, so a change of machine load during the run shows in the spread.
Only the browser's launch is outside the timings; the browser is reused for both servers, each with
a fresh context.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from streamlit.logger import get_logger

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# dashboard.ui's cached functions warn, when imported outside `streamlit run`, that they cache in memory.
get_logger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

from dashboard.settings import default_store  # noqa: E402
from dashboard.ui.frame import PAGES  # noqa: E402

CHROMIUM = os.environ.get("NEWSDASH_CHROMIUM", "/usr/bin/chromium")
# The flags tests/e2e/conftest.py uses for a sandbox-less container with no network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}
START_TIMEOUT = 120.0  # seconds, server launch to healthy
PAGE_TIMEOUT = 180.0  # seconds, one page to settled: a large store's first visit on a busy machine
SAMPLE_EVERY = 0.2  # seconds between RSS samples
BLANK_TITLE = "Blank"
BLANK_APP = f'import streamlit as st\n\nst.title("{BLANK_TITLE}")\n'
# The floor for any first page with a Plotly chart: Streamlit loads its 4.7 MB Plotly bundle on the
# first chart, and on this machine that alone costs seconds. Same title check, plus a drawn chart.
CHART_APP = (
    "import plotly.graph_objects as go\nimport streamlit as st\n\n"
    f'st.title("{BLANK_TITLE}")\nst.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])))\n'
)
MIB = 1024 * 1024

# The checks of settle() in tests/e2e/test_dashboard_browser.py, plus the page's own condition.
# Polled on every animation frame rather than every 100 ms: the polling interval is the
# measurement's resolution, and a warm page settles in a few tenths of a second.
SETTLED = """([title, path, chart]) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]')) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    // Only the new page's run can satisfy these: right after a click the old page is still settled.
    if (path !== null && location.pathname !== path) return false;
    const h1 = document.querySelector('[data-testid="stMain"] h1');
    if (!h1 || h1.innerText.trim() !== title) return false;
    // A drawn chart of the page, not the entry script's hidden preload chart (streamlit_app.py).
    return !chart || [...document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg')]
        .some(svg => !svg.closest('.st-key-plotly_preload'));
}"""
PROBLEMS = """() => {
    const found = [];
    for (const e of document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]'))
        found.push(e.innerText.trim().split('\\n')[0].slice(0, 160));
    if (document.body.innerText.includes('Page not found')) found.push('Page not found');
    return found;
}"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident bytes of process `pid` and all its descendants (0 once it is gone)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):  # a child that ended between listing and reading
            total += process.memory_info().rss
    return total


class MemorySampler(threading.Thread):
    """Samples a process tree's RSS every SAMPLE_EVERY seconds and keeps the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while True:
            self.peak = max(self.peak, tree_rss(self.pid))
            if self._done.wait(SAMPLE_EVERY):
                return

    def stop(self) -> int:
        """Stop sampling; return the peak in bytes."""
        self._done.set()
        self.join()
        return self.peak


class Server:
    """A `streamlit run SCRIPT` process started now, its output in a log file."""

    def __init__(self, script: Path, port: int, log: Path, home: Path, app_args: list[str]):
        command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
        command += ["--server.port", str(port)]
        if app_args:
            command += ["--", *app_args]
        # A fresh HOME: no user-level Streamlit config or credentials change what is measured.
        env = {**os.environ, "HOME": str(home), "PYTHONUNBUFFERED": "1"}
        self.url = f"http://localhost:{port}"
        self.log = log
        self._log = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_healthy(self) -> float:
        """Block until /_stcore/health answers ok; return seconds since launch."""
        deadline = self.started + START_TIMEOUT
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200 and answer.read().strip() == b"ok":
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.02)  # polling the health endpoint; its interval bounds the error
        raise RuntimeError(f"streamlit not healthy after {START_TIMEOUT:.0f} s:\n{self.tail()}")

    def rss(self) -> int:
        """Resident bytes of the server and its children now."""
        return tree_rss(self.process.pid)

    def tail(self, chars: int = 3000) -> str:
        """The end of the server's log."""
        self._log.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def stop(self) -> None:
        """Terminate the server (kill it if it does not stop within 10 s)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()


@dataclass
class Start:
    """One server start: seconds to healthy and to first page shown, RSS then (bytes).

    `landing` is the first page's own share: from its request (server healthy) until shown.
    """

    healthy: float
    first_page: float
    landing: float
    rss: int


@dataclass
class Visit:
    """A page's visits: seconds to settled, first visit and later ones, and what went wrong."""

    title: str
    how: str
    first: float | None = None
    later: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def wait_settled(page, title: str, path: str | None, chart: bool = False) -> None:
    """Wait until the page titled `title` (at URL `path`, when given) has settled."""
    page.wait_for_function(SETTLED, arg=[title, path, chart], timeout=PAGE_TIMEOUT * 1000, polling="raf")


def problems(page) -> list[str]:
    """Streamlit exceptions, error boxes and "Page not found" on the page now."""
    return page.evaluate(PROBLEMS)


def screenshot(page, folder: Path, name: str) -> None:
    """The whole page as folder/name.png; the window is made as tall as the content for the shot.

    Streamlit scrolls inside its main container, so a "full page" shot would stop at the window.
    """
    height = page.evaluate("""() => Math.max(1000, ...[...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stMainBlockContainer"], [data-testid="stSidebarContent"]')]
        .map(e => e.scrollHeight))""")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(height + 40, 12_000)})
    # Let Plotly re-lay its charts out for the new size: two animation frames.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.set_viewport_size(VIEWPORT)


def first_page(browser, server: Server, title: str, chart: bool) -> tuple[Start, object, object]:
    """Wait for `server`, open it in a fresh context, time until `title` is shown; return the open page too."""
    healthy = server.wait_healthy()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    asked = time.perf_counter()
    page.goto(server.url)
    wait_settled(page, title, None, chart)
    shown = time.perf_counter()
    return Start(healthy, shown - server.started, shown - asked, server.rss()), page, context


def blank_start(browser, port: int, work: Path, name: str, chart: bool = False) -> Start:
    """Serve the blank app (with one Plotly chart: CHART_APP), time it to its first page, record its RSS, stop it."""
    script = work / f"{name}.py"
    script.write_text(CHART_APP if chart else BLANK_APP, encoding="utf-8")
    home = work / f"home-{name}"
    home.mkdir(exist_ok=True)
    server = Server(script, port, work / f"{name}.log", home, [])
    try:
        start, page, context = first_page(browser, server, BLANK_TITLE, chart=chart)
        context.close()
        return start
    finally:
        server.stop()


def nav_link(page, title: str):
    """The sidebar navigation link whose label is `title`."""
    return page.locator('[data-testid="stSidebarNav"] a[data-testid="stSidebarNavLink"]').filter(
        has=page.get_by_text(title, exact=True)
    )


def visit(page, title: str, path: str) -> float:
    """Click `title` in the sidebar navigation; return seconds until that page has settled."""
    link = nav_link(page, title)
    link.wait_for(state="visible")
    began = time.perf_counter()
    link.click()
    wait_settled(page, title, path)
    return time.perf_counter() - began


def walk(page, repeat: int, shots: Path | None) -> list[Visit]:
    """Visit every page by its sidebar link (the Overview is already open), `repeat` rounds."""
    visits = [Visit(title, "click") for _, title, _ in PAGES]
    visits[0].how = "landing"
    for round_no in range(repeat):
        for (file, title, _), record in zip(PAGES, visits):
            path = "/" if record is visits[0] else f"/{Path(file).stem}"
            if round_no == 0 and record is visits[0]:
                seconds = None  # shown already: its first visit is the start measurement
            else:
                seconds = visit(page, title, path)
            if round_no == 0:
                if seconds is not None:
                    record.first = seconds
                record.problems = problems(page)
                if shots is not None:
                    screenshot(page, shots, Path(file).stem)
            else:
                record.later.append(seconds)
    return visits


def dashboard_run(browser, store: Path, port: int, work: Path, repeat: int, shots: Path | None):
    """Start the dashboard on `store`, open its first page, walk all pages; return the figures."""
    home = work / "home-dashboard"
    home.mkdir()
    server = Server(ROOT / "streamlit_app.py", port, work / "dashboard.log", home, ["--store", str(store)])
    sampler = MemorySampler(server.process.pid)
    sampler.start()
    try:
        try:
            start, page, context = first_page(browser, server, PAGES[0][1], chart=True)
        except PlaywrightError as err:
            raise RuntimeError(f"the Overview page was not shown: {err}\n--- server log ---\n{server.tail()}") from err
        try:
            visits = walk(page, repeat, shots)
        except PlaywrightError as err:
            raise RuntimeError(f"a page did not settle: {err}\n--- server log ---\n{server.tail()}") from err
        visits[0].first = start.landing
        after = server.rss()
        context.close()
        return start, visits, after, max(sampler.peak, after)
    finally:
        sampler.stop()
        server.stop()


def seconds(value: float | None) -> str:
    """A duration for the table."""
    return "-" if value is None else f"{value:.2f} s"


def report(
    store: Path, blank: list[Start], charted: list[Start], start: Start, visits: list[Visit], after: int, peak: int
) -> None:
    """Print the figures as a table, ratios against the blank app (and the one-chart app's start beside them)."""
    base_first = statistics.fmean(b.first_page for b in blank)
    base_healthy = statistics.fmean(b.healthy for b in blank)
    base_rss = statistics.fmean(b.rss for b in blank)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Dashboard server benchmark: store {store}")
    print(f"  {os.cpu_count()} cores, load average {load}; Python {platform.python_version()}")
    print("  blank app (st.title only) measured before and after the dashboard; its mean is the baseline\n")

    def spread(values: list[float], unit: str, scale: float = 1.0) -> str:
        return " / ".join(f"{v / scale:.{0 if unit == 'MiB' else 2}f}" for v in values)

    print(f"{'':32}{'dashboard':>12}{'blank app':>12}{'ratio':>8}   blank before / after")
    rows = [
        ("server healthy (s)", start.healthy, base_healthy, [b.healthy for b in blank], "s", 1.0),
        ("start to first page shown (s)", start.first_page, base_first, [b.first_page for b in blank], "s", 1.0),
        ("RSS at first page (MiB)", start.rss / MIB, base_rss / MIB, [b.rss for b in blank], "MiB", MIB),
        ("RSS after the walk (MiB)", after / MIB, base_rss / MIB, [b.rss for b in blank], "MiB", MIB),
        ("RSS peak, start to end (MiB)", peak / MIB, base_rss / MIB, [b.rss for b in blank], "MiB", MIB),
    ]
    for name, value, base, values, unit, scale in rows:
        digits = 0 if unit == "MiB" else 2
        print(f"{name:32}{value:>12.{digits}f}{base:>12.{digits}f}{value / base:>8.2f}   {spread(values, unit, scale)}")
    floor = statistics.fmean(c.first_page for c in charted)
    print(
        f"{'  one-chart app (title + 1 Plotly chart), start to first page (s):':72}{floor:>6.2f}   "
        f"{spread([c.first_page for c in charted], 's')}; dashboard / it: {start.first_page / floor:.2f}"
    )

    later = any(v.later for v in visits)
    print(f"\nPage visits, seconds until settled ({visits[0].title}: from its first request, the rest: sidebar clicks)")
    header = f"{'page':24}{'first visit':>12}"
    if later:
        header += f"{'later (median)':>16}{'n':>4}"
    print(header + "   problems")
    for v in visits:
        line = f"{v.title:24}{seconds(v.first):>12}"
        if later:
            line += f"{seconds(statistics.median(v.later) if v.later else None):>16}{len(v.later):>4}"
        print(line + "   " + ("; ".join(v.problems) or "none"))
    clicked = [v.first for v in visits[1:] if v.first is not None]
    if clicked:
        print(f"{'slowest clicked page':24}{seconds(max(clicked)):>12}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table; 1 when a page did not render cleanly."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, default=default_store(), help="store to serve (default: the app's)")
    parser.add_argument("--port", type=int, default=0, help="port for the servers (default: a free one)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the pages; later ones reported apart")
    parser.add_argument("--screenshot", type=Path, metavar="DIR", help="save a PNG of each page (first visit)")
    args = parser.parse_args(argv)
    store = args.store.expanduser().resolve()
    if not (store / "manifest.json").exists():
        parser.error(f"no store at {store} (no manifest.json)")
    if not Path(CHROMIUM).exists():
        parser.error(f"no Chromium at {CHROMIUM}")
    if args.screenshot:
        args.screenshot.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port()

    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp, sync_playwright() as playwright:
        work = Path(tmp)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            blank = [blank_start(browser, port, work, "blank-before")]
            charted = [blank_start(browser, port, work, "chart-before", chart=True)]
            start, visits, after, peak = dashboard_run(browser, store, port, work, max(1, args.repeat), args.screenshot)
            charted.append(blank_start(browser, port, work, "chart-after", chart=True))
            blank.append(blank_start(browser, port, work, "blank-after"))
        except RuntimeError as err:
            print(f"benchmark failed: {err}", file=sys.stderr)
            return 1
        finally:
            browser.close()
    report(store, blank, charted, start, visits, after, peak)
    return 1 if any(v.problems for v in visits) else 0


if __name__ == "__main__":
    sys.exit(main())
