"""The teaching lab in headless Chromium: what each tool draws, a real download, a real link.

One drawn 7 per test; each tool's panel is opened as a teacher would (a click on its title) and
photographed on its own for the README (`SOFTMAX_SCREENSHOTS=docs/screenshots`).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from softmax import snapshot

from .browser import (
    CANVAS,
    PHONE,
    SEVEN,
    draw_digit,
    scrolling_sideways,
    wait_until_idle,
    wait_until_loaded,
)
from .test_draw import prediction
from .test_teaching import TRAINING_TIMEOUT, open_view, start_training

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e

TOOLS = {  # the lab's tab: what it draws, and the README's picture of it
    "Why A and not B": ("Why 7 and not", "lab-why-not.png"),
    "Every preprocessing step": ("Every preprocessing step", "lab-steps.png"),
    "Smallest change": ("The smallest change", "lab-flip.png"),
    "Edit the weights": ("Digit 7", "lab-edit.png"),
}
EXCEPTION = "[data-testid=stException]"


def open_tool(page: Page, tab: str) -> Locator:
    """Open the teaching lab (if closed) on `tab`; the lab's expander."""
    box = page.locator("[data-testid=stExpander]").filter(has_text="Teaching lab")
    if box.get_by_role("tab").count() == 0:
        box.locator("summary").click()
        expect(box.get_by_role("tab").first).to_be_visible()
        wait_until_idle(page)
    box.get_by_role("tab", name=tab).click()
    wait_until_idle(page)
    return box


def drawn_seven(page: Page) -> None:
    draw_digit(page, SEVEN, 50, 40, 190)
    expect(prediction(page)).to_have_text("7")
    wait_until_idle(page)


def test_each_tool_draws_its_figure_for_a_drawn_seven(page, screenshots):
    drawn_seven(page)
    for tab, (figure, picture) in TOOLS.items():
        box = open_tool(page, tab)
        expect(box.locator(f"[role=img][aria-label^={figure!r}] img").first).to_be_visible()
        box.scroll_into_view_if_needed()
        box.screenshot(path=screenshots / picture)
        if tab == "Every preprocessing step":  # a tab is built only while open: check it now
            expect(box.locator(f"[aria-label^={figure!r}] figure")).to_have_count(6)
    expect(page.locator(EXCEPTION)).to_have_count(0)


def test_an_edit_changes_the_answer_on_the_page_and_reset_brings_it_back(page):
    drawn_seven(page)
    box = open_tool(page, "Edit the weights")
    for name in ("Rows", "Columns"):  # the whole map: from the first row/column to the last
        slider = box.get_by_role("slider", name=name).first
        slider.focus()
        slider.press("Home")
        wait_until_idle(page)
        box.get_by_role("slider", name=name).last.focus()
        box.get_by_role("slider", name=name).last.press("End")
        wait_until_idle(page)
    box.get_by_role("button", name="Apply").click()
    expect(prediction(page)).not_to_have_text("7")
    expect(page.get_by_text("Edited model (this session only)")).to_be_visible()
    box.get_by_role("button", name="Reset").click()
    expect(prediction(page)).to_have_text("7")


def test_the_snapshot_downloads_the_slide_and_its_link_brings_the_drawing_back(
    page, app_server, screenshots
):
    drawn_seven(page)
    page.get_by_role("button", name="Lesson snapshot").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("img").first).to_be_visible(timeout=30_000)
    dialog.screenshot(path=screenshots / "lab-snapshot.png")
    with page.expect_download() as download:
        dialog.get_by_role("button", name="Download the PNG").click()
    picture = Image.open(io.BytesIO(download.value.path().read_bytes()))
    assert (picture.format, picture.size) == ("PNG", (snapshot.WIDTH, snapshot.HEIGHT))
    assert download.value.suggested_filename.startswith("a-drawn-7-")
    link = dialog.locator("[data-testid=stCode] code").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(app_server.url)}/draw\?input=[\w-]+", link)
    fresh = page.context.browser.new_context(viewport=page.viewport_size).new_page()
    fresh.goto(link)
    wait_until_loaded(fresh)
    expect(prediction(fresh)).to_have_text("7")  # no stroke: the link's drawing
    expect(fresh.get_by_text("From a lesson link")).to_be_visible()
    fresh.goto(link[:-5] + "AAAAA")  # the end of the link changed
    expect(fresh.get_by_text("This link's drawing is damaged")).to_be_visible()
    expect(fresh.locator(EXCEPTION)).to_have_count(0)
    fresh.context.close()


def test_presenter_mode_reveals_on_enter_and_moves_on_with_n(page, screenshots):
    page.get_by_text("Presenter mode").click()
    wait_until_idle(page)
    drawn = "[role=img][aria-label='The answer, hidden until Reveal']"
    draw_digit(page, SEVEN, 50, 40, 190)
    expect(page.locator(drawn)).to_be_visible()
    expect(page.get_by_role("button", name="Reveal")).to_be_enabled()
    expect(prediction(page)).to_have_count(0)
    page.screenshot(path=screenshots / "lab-presenter.png")
    page.locator("body").press("Enter")
    expect(prediction(page)).to_have_text("7")
    page.locator("body").press("n")
    expect(prediction(page)).to_have_count(0)
    expect(page.get_by_role("button", name="Reveal")).to_be_disabled()  # an empty canvas
    expect(page.locator(CANVAS)).to_have_count(1)


def test_every_tool_fits_a_phone(browser, app_server):
    page = browser.new_context(**PHONE).new_page()
    page.goto(app_server.url)
    wait_until_loaded(page)
    drawn_seven(page)
    for tab in TOOLS:
        open_tool(page, tab)
        assert scrolling_sideways(page) == [], tab
    page.context.close()


def test_a_finished_run_replays_its_weights_forming(page, app_server, screenshots):
    open_view(page, app_server.url, "train", "Start training")
    start_training(page, "scikit-learn digits 8×8", "default", batch_size=64, epochs=12)
    replay = page.get_by_role("heading", name="Watch the weights form")
    expect(replay).to_be_visible(timeout=TRAINING_TIMEOUT)
    maps = page.locator("[role=img][aria-label^='The ten weight maps after epoch']")
    expect(maps).to_have_attribute("aria-label", "The ten weight maps after epoch 12")
    slider = page.get_by_role("slider", name="Epoch")
    slider.focus()
    for _ in range(9):
        slider.press("ArrowLeft")
    expect(maps).to_have_attribute("aria-label", "The ten weight maps after epoch 3")
    expect(page.locator(EXCEPTION)).to_have_count(0)
    replay.scroll_into_view_if_needed()
    wait_until_idle(page)
    top = replay.bounding_box()
    main = page.locator("[data-testid=stMainBlockContainer]").bounding_box()
    bottom = page.locator("[data-testid=stVegaLiteChart]").last.bounding_box()
    height = max(bottom["y"] + bottom["height"], maps.bounding_box()["y"] + 420) - top["y"] + 30
    clip = {"x": main["x"], "y": top["y"] - 10, "width": main["width"], "height": height}
    page.screenshot(path=screenshots / "lab-weights.png", clip=clip)


def test_switching_to_korean_keeps_the_lab_open_on_its_tool(page, screenshots):
    """Streamlit gives an expander or tabs a new identity when their label changes: the lab
    must stay open on the same tool, with the same choice, in the browser's own widget state."""
    drawn_seven(page)
    box = open_tool(page, "Smallest change")
    box.get_by_role("switch", name="Clearly: 9 to 1").check(force=True)  # chosen in English
    wait_until_idle(page)
    page.locator("[data-testid=stSidebar]").get_by_role("radio", name="한국어").click()
    wait_until_idle(page)
    box = page.locator("[data-testid=stExpander]").filter(has_text="수업 실험실")
    expect(box.get_by_role("tab", name="가장 작은 변화")).to_have_attribute("aria-selected", "true")
    expect(box.locator("[role=img][aria-label*='가장 작은 변화'] img").first).to_be_visible()
    expect(box.get_by_role("switch", name="확실하게: 9 대 1")).to_be_checked()
    picker = box.locator("[data-testid=stSelectbox] input").first  # the suggestion, reworded
    expect(picker).to_have_value(re.compile(r"^\d \(다음으로 높은 숫자\)$"))
    expect(page.locator(EXCEPTION)).to_have_count(0)
    box.scroll_into_view_if_needed()
    box.screenshot(path=screenshots / "lab-flip-ko.png")
    box.get_by_role("tab", name="왜 A이고 B가 아닐까").click()
    wait_until_idle(page)
    box.screenshot(path=screenshots / "lab-why-not-ko.png")
