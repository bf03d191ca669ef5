"""The studio on a phone in headless Chromium: 390 px wide, touch, device scale 3.

Strokes are finger strokes (CDP touch events, `touch_stroke`). On a phone the canvas fills the
width and its answer shows with it, nothing scrolls sideways on any page, and the model gets the
same 28×28 from the same strokes as on a desktop.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image

from .browser import (
    CANVAS,
    CANVAS_PX,
    EXPECT_TIMEOUT,
    PHONE,
    SEVEN,
    VIEWPORT,
    draw_digit,
    draw_strokes,
    scrolling_sideways,
    wait_until_idle,
    wait_until_loaded,
)
from .test_draw import CORNER_ONE, SEES, prediction
from .test_pages import TITLES

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e

CONFIDENCE = re.compile(r"^\d+% sure$")


def open_page(browser, url: str, height: int = 664) -> Page:
    expect.set_options(timeout=EXPECT_TIMEOUT)
    context = browser.new_context(**{**PHONE, "viewport": {"width": 390, "height": height}})
    page = context.new_page()
    page.goto(url)
    return page


@pytest.fixture(params=[664, 844], ids=lambda height: f"390x{height}")
def phone(request, browser, app_server) -> Iterator[Page]:
    """The drawing page on a phone, its first run finished."""
    page = open_page(browser, app_server.url, request.param)
    wait_until_loaded(page)
    yield page
    page.context.close()


def inside_viewport(page: Page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    return (
        box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and (box["x"] + box["width"] <= size["width"])
    )


def model_input(page: Page) -> np.ndarray:
    """What the page says the model sees, as (28, 28) in [0, 1]."""
    source = page.locator(f"{SEES} img").get_attribute("src")
    data = base64.b64decode(source.split(",", 1)[1])
    return np.asarray(Image.open(io.BytesIO(data)), dtype=np.float64) / 255


def test_the_canvas_fills_the_width_and_the_answer_shows_with_it(phone, screenshots):
    width = phone.viewport_size["width"]
    assert phone.locator(CANVAS).bounding_box()["width"] >= width - 40  # all but the margins
    scrolled = "() => [scrollY, document.querySelector('[data-testid=stMain]').scrollTop]"
    before = phone.evaluate(scrolled)
    draw_digit(phone, SEVEN, 50, 40, 190)
    expect(prediction(phone)).to_have_text("7")
    confidence = phone.get_by_text(CONFIDENCE)
    expect(confidence).to_be_visible()
    assert phone.evaluate(scrolled) == before  # the finger drew; the page did not scroll
    assert inside_viewport(phone, CANVAS)
    assert inside_viewport(phone, "[data-testid=stMetricValue]")
    assert inside_viewport(phone, "[data-testid=stMetricDelta]")
    assert inside_viewport(phone, "[data-testid=stButton]:has-text('Clear')")  # under the thumb
    if phone.viewport_size["height"] == 664:
        phone.screenshot(path=screenshots / "draw-phone.png")


def test_a_finger_stroke_begun_in_the_top_right_corner_is_drawn(phone):
    draw_strokes(phone, CORNER_ONE)  # a touch screen never hovers: the toolbar never moves
    expect(prediction(phone)).to_have_text("1")


def test_the_model_gets_the_same_28x28_from_the_same_strokes_as_on_a_desktop(browser, app_server):
    seen = {}
    for name, options in {"phone": PHONE, "desktop": {"viewport": VIEWPORT}}.items():
        page = browser.new_context(**options).new_page()
        page.goto(app_server.url)
        wait_until_loaded(page)
        assert page.locator(CANVAS).evaluate("canvas => canvas.width") == CANVAS_PX  # its pixels
        draw_digit(page, SEVEN, 50, 40, 190)  # in canvas pixels: scaled to the canvas on screen
        expect(prediction(page)).to_have_text("7")
        wait_until_idle(page)
        seen[name] = model_input(page)
        page.context.close()
    ink = {name: x.sum() for name, x in seen.items()}  # the pen is as wide in model pixels
    assert ink["phone"] == pytest.approx(ink["desktop"], rel=0.1)
    assert np.abs(seen["phone"] - seen["desktop"]).mean() < 0.03


@pytest.mark.parametrize("path", TITLES)
def test_no_page_scrolls_sideways(browser, app_server, path):
    page = open_page(browser, f"{app_server.url}/{path}")
    expect(page.get_by_role("heading", name=TITLES[path])).to_be_visible(timeout=60_000)
    wait_until_idle(page)
    if path == "draw":  # the evidence and the maps come with a drawing
        draw_digit(page, SEVEN, 50, 40, 190)
        expect(prediction(page)).to_have_text("7")
        wait_until_idle(page)
    assert scrolling_sideways(page) == []
    page.context.close()
