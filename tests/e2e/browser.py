"""Driving the real app in headless Chromium: the server, the browser, strokes on the canvas.

Shared by the e2e fixtures (conftest.py) and bench/stroke_latency.py. Chromium comes from Debian
(/usr/bin/chromium), never from `playwright install`; `MISSING` says why the browser cannot run.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

# tests/ is on sys.path: pytest's rootdir, or inserted by the bench that imports this
from services import free_port, stop_process

from softmax.store import DATABASE_URL_ENV

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}  # a common projector resolution
PHONE = {"viewport": {"width": 390, "height": 664}, "device_scale_factor": 3, "is_mobile": True,
         "has_touch": True}  # fmt: skip
CANVAS_PX = 280  # the canvas' own pixels a side: what the page reads, whatever its size on screen
CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"
METRIC = "[data-testid=stMetric] [data-testid=stMetricValue]"
CONTENT_HEIGHT = "document.querySelector('[data-testid=stMain]').scrollHeight"
SCREENSHOTS_ENV = "SOFTMAX_SCREENSHOTS"  # a folder: keep the tests' screenshots there
STARTUP_TIMEOUT = 60.0  # s: a cold start on a busy 2-core machine
EXPECT_TIMEOUT = 15_000  # ms: a stroke's answer on that machine while other jobs run

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

MISSING = (
    "playwright is not installed (pip install -r requirements-dev.txt)"
    if sync_playwright is None
    else f"{CHROMIUM} is missing (apt-get install chromium)"
    if not CHROMIUM.exists()
    else None
)


class AppServer:
    """`streamlit run app.py` on a free port, headless, no file watcher, no usage stats, with the
    project's .streamlit/config.toml (it runs in the project's folder)."""

    def __init__(self, env: dict[str, str | None] | None = None, script: str = "app.py") -> None:
        """`env` adds to (a value) or removes from (None) this process' environment; `script`
        is the app to run (another script tests the project's settings on it). Unless `env`
        names a database, the server gets its own SQLite file (the class pages' store and the
        training lease), never the user's ~/.softmax/studio.db."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        handle, log = tempfile.mkstemp(prefix="streamlit-", suffix=".log")
        os.close(handle)
        self.log = Path(log)
        self.folder = Path(tempfile.mkdtemp(prefix="softmax-e2e-"))
        own_database = {DATABASE_URL_ENV: f"sqlite:///{self.folder / 'studio.db'}"}
        environment = {**os.environ, **own_database, **(env or {})}
        command = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]  # fmt: skip
        with self.log.open("wb") as output:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={key: value for key, value in environment.items() if value is not None},
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, timeout: float = STARTUP_TIMEOUT) -> float:
        """Poll /_stcore/health; returns seconds waited, raises RuntimeError with the log if not."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with {self.process.returncode}:\n{self.output()}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.process)
        self.log.unlink(missing_ok=True)
        shutil.rmtree(self.folder, ignore_errors=True)


# What a fresh visitor gets: the shipped models, not a file named in this shell
# (SOFTMAX_MODEL) or a model the Train page saved on this machine (SOFTMAX_SAVED_MODEL).
FRESH_VISITOR = {
    "SOFTMAX_MODEL": None,
    "SOFTMAX_SAVED_MODEL": str(Path(tempfile.gettempdir()) / "softmax-e2e-no-saved-model.npz"),
}


def launch_chromium(playwright) -> Browser:
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


def draw_stroke(
    page: Page, points: Sequence[tuple[float, float]], steps_per_px: float = 0.25
) -> None:
    """Press at the first point, move through the rest in small steps, release: one real stroke.

    Points are page coordinates; each segment gets about one mouse move per 4 px.
    """
    page.mouse.move(*points[0])
    page.mouse.down()
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        steps = max(2, math.ceil(math.dist((x0, y0), (x1, y1)) * steps_per_px))
        page.mouse.move(x1, y1, steps=steps)
    page.mouse.up()


# Digits as strokes in a unit box (0,0 top-left .. 1,1), drawn like a person would.
ONE = [[(0.45, 0.12), (0.55, 0.05), (0.55, 0.95)]]
SEVEN = [[(0.15, 0.12), (0.85, 0.12), (0.6, 0.5), (0.42, 0.95)]]
ZERO = [[(0.5 + 0.33 * math.sin(t / 24 * 2 * math.pi), 0.5 - 0.45 * math.cos(t / 24 * 2 * math.pi))
         for t in range(26)]]  # fmt: skip


def draw_digit(page: Page, strokes, left: float, top: float, size: float) -> None:
    """Draw a unit-box digit scaled to `size` px at (`left`, `top`) inside the canvas (in the
    canvas' own pixels, CANVAS_PX a side, whatever its size on screen)."""
    draw_strokes(
        page, [[(left + x * size, top + y * size) for x, y in stroke] for stroke in strokes]
    )


def touch_stroke(page: Page, points: Sequence[tuple[float, float]], step_px: float = 4) -> None:
    """One finger stroke through page points: CDP touch events, since Playwright's touchscreen
    only taps. Moves are about `step_px` apart, like a finger sampled at 60 Hz."""
    cdp = page.context.new_cdp_session(page)
    touch = {"type": "touchStart", "touchPoints": [{"x": points[0][0], "y": points[0][1]}]}
    cdp.send("Input.dispatchTouchEvent", touch)
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        steps = max(1, math.ceil(math.dist((x0, y0), (x1, y1)) / step_px))
        for i in range(1, steps + 1):
            x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
            cdp.send(
                "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
            )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def draw_strokes(page: Page, strokes, pause_ms: float = 0) -> None:
    """Draw strokes given in the canvas' own pixels (e.g. softmax.drawn's drawings), one mouse
    stroke each (a finger's on a touch screen), `pause_ms` between them (a hand lifting the
    pen)."""
    box = page.locator(CANVAS).bounding_box()
    scale = box["width"] / CANVAS_PX
    stroke_with = touch_stroke if page.evaluate("navigator.maxTouchPoints > 0") else draw_stroke
    for i, stroke in enumerate(strokes):
        if i and pause_ms:
            page.wait_for_timeout(pause_ms)
        stroke_with(page, [(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke])


def wait_until_loaded(page: Page) -> None:
    """The canvas is visible and the page's first run has finished."""
    expect(page.locator(CANVAS)).to_be_visible(timeout=30_000)
    wait_until_idle(page)


def wait_until_idle(page: Page) -> None:
    """Streamlit has finished running the script and every chart has been drawn."""
    expect(page.locator("[data-testid=stApp]")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=30_000
    )
    expect(page.locator("[data-testid=stSkeleton]")).to_have_count(0)  # elements still loading
    charts = page.locator("[data-testid=stVegaLiteChart]")
    expect(charts.locator("svg.marks, canvas.marks")).to_have_count(charts.count())


# Every box that scrolls sideways, or would: the document and each element that scrolls its own
# overflow (Streamlit's page scrolls inside stMain), if it is on screen (not a closed sidebar).
SIDEWAYS = """() => [...document.querySelectorAll("*")].filter((e) => {
  const scrolls = e === document.scrollingElement || /auto|scroll/.test(getComputedStyle(e).overflowX);
  return scrolls && e.clientWidth > 0 && e.getBoundingClientRect().right > 0
    && e.scrollWidth > e.clientWidth + 1;
}).map((e) => `${e.tagName} ${e.dataset.testid || e.className} ${e.scrollWidth} > ${e.clientWidth}`)"""


def scrolling_sideways(page: Page) -> list[str]:
    """What on the page can scroll sideways: [] when everything fits the screen's width."""
    return page.evaluate(SIDEWAYS)


def save_full_page(page: Page, path: Path) -> None:
    """Screenshot the whole page to `path`: Streamlit scrolls inside its main block, so grow the
    viewport to the content's height first (keeping the page's width)."""
    wait_until_idle(page)
    width, height = page.viewport_size["width"], 0
    while (content := page.evaluate(CONTENT_HEIGHT)) != height:  # settles after a re-layout
        height = content
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)  # let the page re-lay out at its new size
    page.screenshot(path=path, full_page=True)


def clear_canvas(page: Page) -> None:
    """Press Clear and wait until the prediction is gone. The canvas empties in the browser and
    keeps listening (softmax/ui/canvas.py): the next stroke needs no pause."""
    page.get_by_role("button", name="Clear").click()
    expect(page.locator(METRIC)).to_have_count(0)
