"""Browser-test fixtures: a real store, a real Streamlit server on a free port, a real headless Chromium.

The store is built once per session by the real `python -m dashboard preprocess` from the seed, a
fixed sample of Reuters 1987 articles and one hostile article whose body holds a script tag.
Servers are stopped (and their logs kept in artifacts/e2e/) when the session ends.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import missing, require_dir

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = os.environ.get("NEWSDASH_CHROMIUM", "/usr/bin/chromium")
# Flags for a sandbox-less container with no network: no first-run UI, no background fetches.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REUTERS_SAMPLE = 150  # every k-th file of the corpus, so the sample spans its whole date range
SERVER_START_TIMEOUT = 90

SCRIPT_TITLE = "Cocoa board rejects pricing plan"
SCRIPT_BODY = (
    "The cocoa board on Tuesday rejected a new pricing plan <script>alert(1)</script> put forward by "
    "exporters, officials said.\n\n"
    '"We will not accept a plan that leaves farmers with less," board chairman John Mensah said.\n\n'
    "Exporters said <b>they</b> would study the decision."
)
SCRIPT_ARTICLE = f"date 1987-03-17 {SCRIPT_TITLE}\n\n{SCRIPT_BODY}\n"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: real headless Chromium against a running Streamlit server")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Keep each phase's report on the test, so fixtures can screenshot a failed page.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def playwright_api():
    """The playwright.sync_api module; skipped locally, an error in CI, when it is not installed."""
    try:
        from playwright import sync_api
    except ImportError:
        missing("Playwright is not installed: pip install -r requirements-test.txt", module_level=True)
    return sync_api


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """artifacts/e2e/ (git-ignored): screenshots, downloads, server logs; emptied at session start."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def e2e_store(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> Path:
    """A store built by the real preprocess command from the seed, a Reuters sample and a hostile article."""
    files = sorted(require_dir(corpora / "reuters-1987" / "articles").glob("*.txt"))
    sample = files[:: max(1, len(files) // REUTERS_SAMPLE)][:REUTERS_SAMPLE]
    extra = tmp_path_factory.mktemp("e2e-input")
    (extra / "hostile.txt").write_text(SCRIPT_ARTICLE, encoding="utf-8")
    out = tmp_path_factory.mktemp("e2e") / "store"
    command = [
        sys.executable,
        "-m",
        "dashboard",
        "preprocess",
        str(ROOT / "seeds"),
        str(extra),
        *map(str, sample),
        "--out",
        str(out),
        "--no-progress",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not (out / "manifest.json").exists():
        raise AssertionError(f"preprocess failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return out


@pytest.fixture(scope="session")
def hostile_title() -> str:
    """Title of the article whose body holds `<script>alert(1)</script>`."""
    return SCRIPT_TITLE


@dataclass
class Server:
    """A running `streamlit run streamlit_app.py`."""

    url: str
    process: subprocess.Popen
    log: Path


def start_server(store: Path, log: Path, home: Path) -> Server:
    """Start Streamlit on a free port against `store`; return once /_stcore/health answers ok."""
    port = free_port()
    env = {**os.environ, "NEWSDASH_STORE": str(store), "HOME": str(home), "PYTHONUNBUFFERED": "1"}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "streamlit_app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    handle = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed when the process is stopped
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200 and answer.read().strip() == b"ok":
                    return Server(url, process, log)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)  # polling a health endpoint, not waiting on the page
    stop_server(Server(url, process, log))
    raise AssertionError(f"streamlit not healthy after {SERVER_START_TIMEOUT}s:\n{log.read_text()[-3000:]}")


def stop_server(server: Server) -> None:
    """Terminate the server (kill it if it does not stop within 10 s)."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def server_factory(e2e_store: Path, artifacts: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Start fresh servers on the e2e store (each on its own port); all are stopped at the end."""
    started: list[Server] = []

    def start(name: str) -> Server:
        server = start_server(e2e_store, artifacts / f"server-{name}.log", tmp_path_factory.mktemp(f"home-{name}"))
        started.append(server)
        return server

    yield start
    for server in started:
        stop_server(server)


@pytest.fixture(scope="session")
def server(server_factory) -> Server:
    """The session's main server."""
    return server_factory("main")


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):
    """Debian's Chromium driven by Playwright (its own browser download cannot work offline)."""
    if not Path(CHROMIUM).exists():
        missing(
            f"no Chromium at {CHROMIUM}: install Debian's package (`sudo apt-get install chromium`; "
            "./run.sh test does it) or point NEWSDASH_CHROMIUM at a Chromium binary"
        )
    sync_api = playwright_api()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser context (own cookies and storage) that accepts downloads; 1400x1000 viewport."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    yield context
    context.close()
