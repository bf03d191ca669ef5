"""What one drawn digit costs: bytes to the browser and server CPU, next to the stack's floor.

    .venv/bin/python bench/stroke_cost.py                # 30 drawings, then eight pages at once
    .venv/bin/python bench/stroke_cost.py --elements     # + which elements the bytes are
    .venv/bin/python bench/stroke_cost.py --pages 0      # the single-page part only

Two servers run side by side: the app (`app.py`) and the floor (`bench/minimal_app.py`: the same
canvas, preprocessing and model, an `st.metric` and an `st.bar_chart`), each driven by headless
Chromium at 1440×900. The same 30 held-out drawings (`softmax.drawn.drawings(30, split="test")`,
one to three strokes each, replayed as mouse moves with a 300 ms pen lift between strokes) are
drawn on both, alternating app and floor digit by digit so a busy machine slows both alike.

Per digit, from just before its first stroke until the server is idle again (the script not
running and no websocket frame for 0.5 s):
- bytes the browser received over the websocket (`page.on("websocket")`, frames received);
- server CPU time, utime + stime of the `streamlit` process from /proc/<pid>/stat;
- stroke latency of its first stroke: `mouseup` -> `Prediction` shown, both `performance.now()`
  in the page (a capturing listener and a MutationObserver). Clear comes before every digit
  and is counted apart;
- where that stroke's time went, from the page's own websocket (wrapped before the page loads):
  the canvas' debounce (`mouseup` -> its message sent), the server (sent -> first frame back),
  and the browser (first frame -> `Prediction` shown: handling the run's frames and rendering
  them), with the frames that came in that last span.
Eight pages at once: eight browser sessions on one server, each pressing Clear and drawing one
stroke at a time (every stroke of the drawings, split between the pages, `--rounds` times), for
the app and then for the floor; each stroke must bring its Prediction within 30 s.

Goals (issue 9): ≤ 15 KB and ≤ 1.3× the floor's CPU per digit (aim 1.1×); eight pages: every
stroke answered, p95 ≤ 1.5× the floor's; stroke p50 within 15 ms of the floor's.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from e2e.browser import (  # noqa: E402  (the helpers the browser tests use)
    CANVAS,
    CANVAS_PX,
    CHROMIUM,
    CHROMIUM_ARGS,
    EXPECT_TIMEOUT,
    FRESH_VISITOR,
    METRIC,
    MISSING,
    VIEWPORT,
    AppServer,
    draw_strokes,
    launch_chromium,
    wait_until_loaded,
)

from softmax.drawn import drawings  # noqa: E402

APPS = {"app": "app.py", "floor": "bench/minimal_app.py"}
PEN_LIFT_MS = 300  # between the strokes of one digit: longer than the canvas' 200 ms debounce
QUIET_S = 0.5  # no frame for this long (and the script not running): the server is done
ANSWER_TIMEOUT_MS = 30_000
# Times in the page: every mouseup (and touchend), and every moment the metric appears.
WATCH = """() => {
  window.__ups = [];
  window.__answers = [];
  const up = () => window.__ups.push(performance.now());
  window.addEventListener("mouseup", up, true);
  window.addEventListener("touchend", up, true);
  let shown = false;
  new MutationObserver(() => {
    const now = document.querySelector(METRIC) !== null;
    if (now && !shown) window.__answers.push(performance.now());
    shown = now;
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}""".replace("METRIC", repr(METRIC))
# Before the page loads: the time of every websocket message the page sends and receives.
SOCKET_TIMES = """
window.__sent = [];
window.__received = [];
const PageSocket = window.WebSocket;
window.WebSocket = class extends PageSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", () => window.__received.push(performance.now()));
  }
  send(data) {
    window.__sent.push(performance.now());
    return super.send(data);
  }
};
"""
# The first stroke's span, split: [debounce, server, browser, frames in the browser's part].
SPLIT = """([up, answer]) => {
  const sent = window.__sent.find((t) => t > up);
  const first = window.__received.find((t) => t > sent);
  const frames = window.__received.filter((t) => t >= first && t <= answer).length;
  return [sent - up, first - sent, answer - first, frames];
}"""
SPANS = (  # what SPLIT returns, each with its unit
    ("canvas debounce", " ms"),
    ("server", " ms"),
    ("browser", " ms"),
    ("frames in the browser's span", ""),
)
SCRIPT_STATE = "document.querySelector('[data-testid=stApp]').dataset.testScriptState"


def cpu_ms(pid: int) -> float:
    """utime + stime of process `pid` (all its threads), in ms."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": state is fields[0]
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Meter:
    """One browser page on one server: bytes the page received, the last frame's time, and (for
    --elements) the frames themselves."""

    keep_frames: bool = False
    received: int = 0
    last_frame: float = field(default_factory=time.monotonic)
    frames: list[bytes] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload: bytes | str) -> None:
        data = payload.encode() if isinstance(payload, str) else payload
        self.received += len(data)
        self.last_frame = time.monotonic()
        if self.keep_frames:
            self.frames.append(data)


@dataclass
class Side:
    """One app under test in the single-page part: its server, page, meter and results."""

    name: str
    server: AppServer
    page: object
    meter: Meter
    after_clear_ms: float = 0
    digit_bytes: list[int] = field(default_factory=list)
    digit_cpu: list[float] = field(default_factory=list)
    clear_bytes: list[int] = field(default_factory=list)
    clear_cpu: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    spans: list[list[float]] = field(default_factory=list)  # SPANS, per digit
    elements: collections.Counter = field(default_factory=collections.Counter)
    reruns: int = 0
    lost: list[int] = field(default_factory=list)  # drawings whose strokes brought no Prediction

    def reset(self) -> None:
        for values in (self.digit_bytes, self.digit_cpu, self.clear_bytes, self.clear_cpu):
            values.clear()
        self.latency.clear()
        self.spans.clear()
        self.elements.clear()
        self.reruns = 0
        self.lost.clear()

    def snapshot(self) -> tuple[int, float]:
        return self.meter.received, cpu_ms(self.server.process.pid)

    def settle(self, timeout: float = 30.0) -> None:
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            self.page.wait_for_timeout(100)
            quiet = time.monotonic() - self.meter.last_frame > QUIET_S
            if quiet and self.page.evaluate(SCRIPT_STATE) == "notRunning":
                return
        raise RuntimeError(f"{self.name}: the server did not settle in {timeout:.0f} s")

    def clear(self) -> None:
        before = self.snapshot()
        self.page.get_by_role("button", name="Clear").click()
        self.page.wait_for_function(f"document.querySelector({METRIC!r}) === null")
        if self.after_clear_ms:
            self.page.wait_for_timeout(self.after_clear_ms)
        self.settle()
        after = self.snapshot()
        self.clear_bytes.append(after[0] - before[0])
        self.clear_cpu.append(after[1] - before[1])

    def draw(self, strokes, number: int = -1) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.meter.frames.clear()
        answers = self.page.evaluate("window.__answers.length")
        before = self.snapshot()
        draw_strokes(self.page, strokes, pause_ms=PEN_LIFT_MS)
        try:
            self.page.wait_for_function(
                f"window.__answers.length > {answers}", timeout=ANSWER_TIMEOUT_MS
            )
        except PlaywrightTimeout:  # the strokes were lost: not a digit's cost
            self.lost.append(number)
            self.settle()
            return
        self.settle()
        after = self.snapshot()
        self.digit_bytes.append(after[0] - before[0])
        self.digit_cpu.append(after[1] - before[1])
        first_up, answer = self.page.evaluate(
            f"[window.__ups.at(-{len(strokes)}), window.__answers[{answers}]]"
        )
        self.latency.append(answer - first_up)
        self.spans.append(self.page.evaluate(SPLIT, [first_up, answer]))
        for frame in self.meter.frames:
            name, size = describe(frame)
            self.elements[name] += size
            self.reruns += name == "script_finished"


def describe(frame: bytes) -> tuple[str, int]:
    """What a websocket frame carries (an element's type and name, or the message type)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = ForwardMsg.FromString(frame)
    kind = message.WhichOneof("type")
    if kind != "delta" or message.delta.WhichOneof("type") != "new_element":
        return kind or "?", len(frame)
    element = message.delta.new_element
    kind = element.WhichOneof("type")
    detail = {
        "vega_lite_chart": lambda e: e.vega_lite_chart.alt[:40] or e.vega_lite_chart.id[:40],
        "bidi_component": lambda e: e.bidi_component.component_name[-30:],
        "markdown": lambda e: e.markdown.body[:30],
        "heading": lambda e: e.heading.body[:30],
        "metric": lambda e: e.metric.label,
    }.get(kind, lambda e: "")(element)
    return f"{kind} {detail}".strip(), len(frame)


def single_page(args, playwright, servers: dict[str, AppServer]) -> dict[str, Side]:
    """Both apps, one page each, the same drawings alternately; see the module docstring."""
    browser = launch_chromium(playwright)
    sides = {}
    for name, server in servers.items():
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(SOCKET_TIMES)
        page = context.new_page()
        meter = Meter(keep_frames=args.elements and name == "app")
        meter.attach(page)
        page.goto(server.url)
        wait_until_loaded(page)
        page.evaluate(WATCH)
        sides[name] = Side(name, server, page, meter, args.after_clear_ms)
    warm_up = next(drawings(1, seed=1, split="test"))  # first-stroke imports are not a digit's
    for side in sides.values():
        side.settle()
        side.draw([stroke.tolist() for stroke in warm_up.strokes])
        side.clear()
        side.reset()
    for number, drawing in enumerate(drawings(args.digits, split="test")):
        for side in sides.values():
            if side.page.locator(METRIC).count():
                side.clear()
            side.draw([stroke.tolist() for stroke in drawing.strokes], number)
    browser.close()
    return sides


async def eight_pages(
    url: str, pid: int, strokes: list, pages: int, rounds: int, after_clear_ms: float
) -> dict:
    """`pages` sessions drawing at once on one server; each stroke's latency, None if unanswered."""
    from playwright.async_api import async_playwright

    async def one(page, mine: list[tuple[int, list]]) -> list[tuple[int, float | None]]:
        latencies = []
        for index, stroke in mine * rounds:
            if await page.locator(METRIC).count():
                await page.get_by_role("button", name="Clear").click()
                await page.wait_for_function(
                    f"document.querySelector({METRIC!r}) === null", timeout=ANSWER_TIMEOUT_MS
                )
                if after_clear_ms:
                    await page.wait_for_timeout(after_clear_ms)
            answers = await page.evaluate("window.__answers.length")
            box = None
            while box is None:  # after a Clear that remounts, the new canvas
                if await page.locator(CANVAS).count() == 1:
                    box = await page.locator(CANVAS).bounding_box()
                if box is None:
                    await page.wait_for_timeout(50)
            scale = box["width"] / CANVAS_PX
            points = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in stroke]
            await page.mouse.move(*points[0])
            await page.mouse.down()
            for point in points[1::2]:
                await page.mouse.move(*point)
            await page.mouse.up()
            try:
                await page.wait_for_function(
                    f"window.__answers.length > {answers}", timeout=ANSWER_TIMEOUT_MS
                )
            except Exception:  # playwright's TimeoutError: this stroke was never answered
                latencies.append((index, None))
                continue
            up, shown = await page.evaluate(f"[window.__ups.at(-1), window.__answers[{answers}]]")
            latencies.append((index, shown - up))
        return latencies

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        sessions = [
            await (await browser.new_context(viewport=VIEWPORT)).new_page() for _ in range(pages)
        ]
        for page in sessions:
            await page.goto(url)
            await page.locator(CANVAS).wait_for(timeout=60_000)
            await page.evaluate(WATCH)
        await asyncio.sleep(2)  # every first run done
        before = cpu_ms(pid)
        started = time.monotonic()
        numbered = list(enumerate(strokes))
        results = await asyncio.gather(
            *(one(page, numbered[i::pages]) for i, page in enumerate(sessions))
        )
        wall = time.monotonic() - started
        cpu = cpu_ms(pid) - before
        await browser.close()
    latencies = [pair for result in results for pair in result]
    return {"latencies": latencies, "cpu": cpu, "wall": wall}


def report_single(sides: dict[str, Side]) -> None:
    app, floor = sides["app"], sides["floor"]
    n = len(app.digit_bytes)

    def row(label: str, a: float, f: float, unit: str, ratio: bool = True) -> None:
        extra = f"  ratio={a / f:.2f}" if ratio and f else ""
        print(f"{label:<34} app={a:8.1f}{unit}  floor={f:8.1f}{unit}{extra}")

    lost = f"unanswered drawings: app {app.lost}, floor {floor.lost}"
    print(f"== one page each, {n} drawings answered ({lost})")
    row("websocket received", statistics.median(app.digit_bytes) / 1000,
        statistics.median(floor.digit_bytes) / 1000, " KB")  # fmt: skip
    row("  (mean)", statistics.mean(app.digit_bytes) / 1000,
        statistics.mean(floor.digit_bytes) / 1000, " KB")  # fmt: skip
    row("server CPU", statistics.median(app.digit_cpu), statistics.median(floor.digit_cpu), " ms")
    row("  (mean)", statistics.mean(app.digit_cpu), statistics.mean(floor.digit_cpu), " ms")
    if app.clear_bytes and floor.clear_bytes:
        row("Clear: websocket received (mean)", statistics.mean(app.clear_bytes) / 1000,
            statistics.mean(floor.clear_bytes) / 1000, " KB")  # fmt: skip
        row("Clear: server CPU (mean)", statistics.mean(app.clear_cpu),
            statistics.mean(floor.clear_cpu), " ms")  # fmt: skip
    for q in (0.5, 0.95):
        row(f"first stroke -> Prediction p{q * 100:.0f}", percentile(app.latency, q),
            percentile(floor.latency, q), " ms", ratio=False)  # fmt: skip
    print(
        f"  stroke p50 above the floor's: {percentile(app.latency, 0.5) - percentile(floor.latency, 0.5):+.0f} ms"
    )
    print("  where the first stroke's time went (medians):")
    for i, (span, unit) in enumerate(SPANS):
        row(f"    {span}", statistics.median(s[i] for s in app.spans),
            statistics.median(s[i] for s in floor.spans), unit, ratio=False)  # fmt: skip
    if app.elements:
        print(f"== what the app's page received while drawing, per rerun ({app.reruns} reruns)")
        for name, size in app.elements.most_common(20):
            print(f"{size / max(app.reruns, 1) / 1000:8.2f} KB  {name}")


def report_eight(results: dict[str, dict], pages: int) -> None:
    print(f"== {pages} pages drawing at once on one server, stroke -> Prediction")
    summary = {}
    for name, result in results.items():
        answered = [v for _, v in result["latencies"] if v is not None]
        lost = sorted(i for i, v in result["latencies"] if v is None)
        total = len(result["latencies"])
        p50, p95 = percentile(answered, 0.5), percentile(answered, 0.95)
        summary[name] = p95
        print(f"{name:<6} answered={len(answered)}/{total}  p50={p50:.0f} ms  p95={p95:.0f} ms  "
              f"max={max(answered):.0f} ms  cpu/stroke={result['cpu'] / total:.0f} ms  "
              f"wall={result['wall']:.0f} s" + (f"  unanswered strokes: {lost}" if lost else ""))  # fmt: skip
    if len(summary) == 2:
        print(f"p95 ratio app/floor = {summary['app'] / summary['floor']:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--digits", type=int, default=30, help="drawings on one page (30)")
    parser.add_argument("--pages", type=int, default=8, help="pages at once; 0 skips (8)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the strokes (2)")
    parser.add_argument("--elements", action="store_true", help="bytes per element and rerun")
    parser.add_argument(
        "--after-clear-ms",
        type=float,
        default=0,
        help="wait this long after Clear before drawing (0; 400 for a page that remounts its "
        "canvas on Clear, as the app did before issue 9)",
    )
    args = parser.parse_args()
    if MISSING:
        print(f"cannot run: {MISSING}", file=sys.stderr)
        return 2
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT)
    print(f"load before: {load()}")
    servers = {name: AppServer(FRESH_VISITOR, script=script) for name, script in APPS.items()}
    try:
        for server in servers.values():
            server.wait_healthy()
        if args.digits:
            with sync_playwright() as playwright:
                sides = single_page(args, playwright, servers)
            report_single(sides)
            print(f"load: {load()}")
        if args.pages:
            strokes = [s.tolist() for d in drawings(30, split="test") for s in d.strokes]
            results = {
                name: asyncio.run(
                    eight_pages(
                        server.url,
                        server.process.pid,
                        strokes,
                        args.pages,
                        args.rounds,
                        args.after_clear_ms,
                    )
                )
                for name, server in servers.items()
            }
            report_eight(results, args.pages)
            print(f"load: {load()}")
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        for server in servers.values():
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
