"""The drawing page in headless Chromium: real mouse strokes on the real canvas, real model.

Every wait is a Playwright `expect(...)` poll: no fixed pauses, not even after Clear.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from .browser import (
    CANVAS,
    EXPECT_TIMEOUT,
    ONE,
    SEVEN,
    VIEWPORT,
    ZERO,
    clear_canvas,
    draw_digit,
    draw_strokes,
    save_full_page,
    wait_until_loaded,
)

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e

PREDICTION = "[data-testid=stMetric]:has-text('Prediction') [data-testid=stMetricValue]"
SEES = "[aria-label^='What the model sees']"
# A "1" begun in the canvas' top right corner, where its toolbar waits, invisible, until hovered
# (canvas pixels: the toolbar spans x ≈ 143..276, y < 30).
CORNER_ONE = [[(236, 14), (250, 6), (250, 262)]]
FIGURES = (
    "Probability of each digit",
    "What the model sees",
    "Evidence maps",
    "Each top digit's score",
    "The ten weight maps",
)


def prediction(page: Page, label: str = "Prediction") -> Locator:
    return page.locator(PREDICTION.replace("Prediction", label))


def prompt(page: Page) -> Locator:
    return page.get_by_text("Draw a digit on the black square")


def test_nothing_is_predicted_while_the_canvas_is_empty(page):
    expect(prompt(page)).to_be_visible()
    expect(prediction(page)).to_have_count(0)


@pytest.mark.parametrize(
    ("digit", "strokes", "left", "top", "size"),
    [
        ("1", ONE, 110, 40, 200),  # tall, centred
        ("0", ZERO, 20, 30, 150),  # smaller, top left
        ("7", SEVEN, 90, 100, 160),  # lower right
    ],
)
def test_a_drawn_digit_is_read_right(page, digit, strokes, left, top, size):
    draw_digit(page, strokes, left, top, size)
    expect(prediction(page)).to_have_text(digit)
    expect(page.get_by_text(re.compile(r"^\d+% sure$"))).to_be_visible()


def test_clear_empties_the_canvas_and_the_prediction(page):
    draw_digit(page, ONE, 110, 40, 200)
    expect(prediction(page)).to_have_text("1")
    clear_canvas(page)
    expect(prompt(page)).to_be_visible()
    draw_digit(page, ZERO, 60, 40, 180)  # the canvas takes strokes and starts from blank
    expect(prediction(page)).to_have_text("0")


@pytest.mark.parametrize("repeat", range(3))
def test_a_stroke_begun_at_once_after_clear_is_never_lost(page, repeat):
    draw_digit(page, ONE, 110, 40, 200)
    expect(prediction(page)).to_have_text("1")
    page.get_by_role("button", name="Clear").click()
    draw_digit(page, ZERO, 60, 40, 180)  # no wait of any kind between Clear and the stroke
    expect(prediction(page)).to_have_text("0")
    expect(page.locator(CANVAS)).to_have_count(1)  # one canvas all along: it never remounted


def test_a_stroke_begun_in_the_top_right_corner_at_once_is_drawn(page):
    draw_strokes(page, CORNER_ONE)  # the mouse jumps there and presses: no time to hover
    expect(prediction(page)).to_have_text("1")


def test_the_predicted_digits_weight_map_is_framed(page):
    draw_digit(page, SEVEN, 50, 40, 190)
    expect(prediction(page)).to_have_text("7")
    outline = "el => getComputedStyle(el).outlineColor"
    framed = page.locator("[aria-label^='The ten weight maps'] figure[data-digit='7'] img")
    other = page.locator("[aria-label^='The ten weight maps'] figure[data-digit='1'] img")
    expect(framed).to_be_visible()
    assert framed.evaluate(outline) == "rgb(124, 58, 237)"  # the answer's violet
    assert other.evaluate(outline) != "rgb(124, 58, 237)"


def test_the_toggle_switches_what_the_model_sees_to_naive_downsampling(page):
    draw_digit(page, ONE, 20, 20, 100)  # small, in a corner: centring moves it, naive does not
    expect(prediction(page)).to_be_visible()
    before = page.locator(SEES).inner_html()
    page.get_by_text("Naive downsampling").click()
    changed = f"before => document.querySelector({SEES!r}).innerHTML !== before"
    page.wait_for_function(changed, arg=before)
    expect(page.get_by_text("Naive: the whole canvas shrunk")).to_be_visible()


def test_the_whole_page_renders_for_a_drawing_and_is_saved_for_the_readme(page, screenshots):
    draw_digit(page, SEVEN, 50, 40, 190)
    expect(prediction(page)).to_have_text("7")
    for label in FIGURES:
        expect(page.locator(f"[role=img][aria-label^={label!r}]")).to_be_visible()
    expect(page.locator("[aria-label^='Evidence maps'] figure")).to_have_count(3)
    expect(page.locator("[aria-label^='The ten weight maps'] figure")).to_have_count(10)
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    expect(page.locator(CANVAS)).to_be_visible()
    save_full_page(page, screenshots / "draw.png")


def test_the_model_card_shows_the_architecture_and_the_shipped_models(page, screenshots):
    page.get_by_role("link", name="Model card").click()
    expect(page.get_by_text("7,850 parameters")).to_be_visible()
    expect(page.get_by_role("heading", name="Shipped models")).to_be_visible()
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    save_full_page(page, screenshots / "model_card.png")


# --- in Korean ------------------------------------------------------------------------------------

KOREAN_FIGURES = (  # the aria-labels of FIGURES, in Korean
    "숫자 0부터 9까지 각 숫자의 확률",
    "모델이 보는 입력",
    "상위 세 숫자의 근거 지도",
    "상위 숫자마다 점수를",
    "가중치 지도 10장",
)


@pytest.fixture
def korean_page(browser, app_server) -> Page:
    """A fresh session opened at /draw?lang=ko, as a Korean teacher's shared link opens it."""
    expect.set_options(timeout=EXPECT_TIMEOUT)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(f"{app_server.url}/draw?lang=ko")
    wait_until_loaded(page)
    yield page
    context.close()


def test_in_korean_a_drawing_is_read_and_the_page_is_saved_for_the_readme(korean_page, screenshots):
    page = korean_page
    expect(page.get_by_role("heading", name="숫자 그리기", exact=True)).to_be_visible()
    expect(page.get_by_text("검은 네모 안에 숫자를 그리세요")).to_be_visible()
    draw_digit(page, SEVEN, 50, 40, 190)
    expect(prediction(page, "예측")).to_have_text("7")
    expect(page.get_by_text(re.compile(r"^확률 \d+%$"))).to_be_visible()
    for label in KOREAN_FIGURES:
        expect(page.locator(f"[role=img][aria-label^={label!r}]")).to_be_visible()
    expect(page.get_by_role("button", name="지우기")).to_be_visible()
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    save_full_page(page, screenshots / "draw-ko.png")


def test_switching_language_in_the_sidebar_keeps_the_drawing_and_its_answer(korean_page):
    page = korean_page
    draw_digit(page, SEVEN, 50, 40, 190)
    expect(prediction(page, "예측")).to_have_text("7")
    page.get_by_test_id("stSidebar").get_by_role("radio", name="English").click()
    expect(prediction(page)).to_have_text("7")  # the same drawing, read again, now in English
    expect(page.get_by_role("heading", name="Draw a digit", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]lang=en"))  # a link shared now opens in English
    expect(page.locator(CANVAS)).to_have_count(1)  # the canvas was never remounted
    page.get_by_test_id("stSidebar").get_by_role("radio", name="한국어").click()
    expect(prediction(page, "예측")).to_have_text("7")
