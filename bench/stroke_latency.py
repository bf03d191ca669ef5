"""How fast the drawing page answers, measured inside the browser, and what the server costs.

    .venv/bin/python bench/stroke_latency.py            # 20 strokes, shipped default model
    .venv/bin/python bench/stroke_latency.py --strokes 40

Three numbers, each with its goal:
- stroke latency: mouse release -> new `Prediction` value on screen, p50 ≤ 300 ms. Both ends are
  `performance.now()` in the page: a capturing `mouseup` listener, and a MutationObserver that
  notes when the metric's text changes. Each stroke follows a Clear, so every stroke brings a
  new metric. Includes the canvas' own 200 ms send debounce.
- start-up: `streamlit run` launched -> canvas drawn in the browser, ≤ 4 s.
- footprint: server RSS after drawing, ≤ 300 MB, with no TensorFlow in its memory map.
Needs Chromium at /usr/bin/chromium and playwright (see tests/e2e/browser.py, reused here).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/e2e/browser.py imports softmax

from e2e.browser import (  # the helpers the browser tests use
    CANVAS,
    FRESH_VISITOR,
    METRIC,
    MISSING,
    ONE,
    SEVEN,
    VIEWPORT,
    ZERO,
    AppServer,
    clear_canvas,
    draw_digit,
    launch_chromium,
    wait_until_loaded,
)

WATCH = """() => {
  window.__strokeUp = [];
  window.__metricSeen = [];
  let last = null;
  window.addEventListener("mouseup", () => window.__strokeUp.push(performance.now()), true);
  new MutationObserver(() => {
    const el = document.querySelector(METRIC);
    const text = el ? el.textContent : null;
    if (text !== last) { last = text; if (text !== null) window.__metricSeen.push(performance.now()); }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}""".replace("METRIC", repr(METRIC))
# (strokes, left, top, size) in canvas pixels: three digits at six places and sizes
SHAPES = [
    (ONE, 100, 40, 190),
    (ZERO, 50, 50, 180),
    (SEVEN, 30, 30, 220),
    (ONE, 150, 90, 150),
    (ZERO, 90, 70, 120),
    (SEVEN, 80, 60, 160),
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def tensorflow_loaded(pid: int) -> bool:
    return "tensorflow" in Path(f"/proc/{pid}/maps").read_text()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--strokes", type=int, default=20)
    args = parser.parse_args()
    if MISSING:
        print(f"cannot run: {MISSING}", file=sys.stderr)
        return 2

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)  # started first: its start-up is not the app's
        page = browser.new_page(viewport=VIEWPORT)
        started = time.perf_counter()
        server = AppServer(FRESH_VISITOR)
        try:
            healthy = server.wait_healthy()
            page.goto(server.url)
            expect(page.locator(CANVAS)).to_be_visible(timeout=30_000)
            startup = time.perf_counter() - started
            wait_until_loaded(page)  # its first run finished: strokes from now on all count
            page.evaluate(WATCH)
            latencies = []
            for i in range(args.strokes):
                if page.locator(METRIC).count():
                    clear_canvas(page)
                seen = page.evaluate("window.__metricSeen.length")
                strokes, left, top, size = SHAPES[i % len(SHAPES)]
                draw_digit(page, strokes, left, top, size)
                page.wait_for_function(f"window.__metricSeen.length > {seen}", timeout=10_000)
                up, shown = page.evaluate("[window.__strokeUp.at(-1), window.__metricSeen.at(-1)]")
                latencies.append(shown - up)
            rss = rss_mb(server.process.pid)
            tensorflow = tensorflow_loaded(server.process.pid)
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        finally:
            server.stop()
            browser.close()

    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    print(f"strokes={len(latencies)} mean={statistics.mean(latencies):.0f}ms")
    print(f"stroke_latency_p50={p50:.0f}ms (goal <= 300) p95={p95:.0f}ms")
    print(f"startup={startup:.2f}s (goal <= 4; server healthy after {healthy:.2f}s)")
    print(f"server_rss={rss:.0f}MB (goal <= 300) tensorflow_loaded={tensorflow}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
