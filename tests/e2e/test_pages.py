"""Every page's URL, opened directly in Chromium as a bookmark, a QR code or a shared link opens it.

Streamlit serves its default page at `/` only; the app's default is a hidden page that moves on
to `/draw`, so `/draw` is a page of its own, and a stroke drawn as soon as it shows is read.
"""

from __future__ import annotations

import pytest

from .browser import CANVAS, EXPECT_TIMEOUT, ONE, draw_digit
from .test_draw import prediction

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e

TITLES = {
    "draw": "Draw a digit",
    "upload": "Upload a photo of a digit",
    "train": "Train the model",
    "explorer": "Test-set explorer",
    "model-card": "Model card",
    "walkthrough": "The notebook, step by step",
}
NOT_FOUND = "Page not found"


def finished(tab) -> None:
    """The page's script ran to its end (its charts may still be drawing: on a busy machine the
    lesson's twenty take longer than a wait for the URL needs)."""
    expect(tab.locator("[data-testid=stApp]")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=60_000
    )


@pytest.fixture
def tab(browser, app_server):
    """A fresh browser session that has not opened any page yet."""
    expect.set_options(timeout=EXPECT_TIMEOUT)
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", TITLES)
def test_every_page_opens_at_its_own_url(tab, app_server, path):
    tab.goto(f"{app_server.url}/{path}")
    expect(tab.get_by_role("heading", name=TITLES[path], exact=True)).to_be_visible(timeout=30_000)
    finished(tab)  # the page's script has run to its end: an exception would show by now
    expect(tab.get_by_text(NOT_FOUND)).to_have_count(0)
    expect(tab.locator("[data-testid=stException]")).to_have_count(0)
    assert tab.url == f"{app_server.url}/{path}"


def test_the_root_url_opens_the_drawing_page_at_draw(tab, app_server):
    tab.goto(app_server.url)
    expect(tab.get_by_role("heading", name=TITLES["draw"], exact=True)).to_be_visible()
    expect(tab).to_have_url(f"{app_server.url}/draw")
    expect(tab.get_by_text(NOT_FOUND)).to_have_count(0)


def test_a_stroke_drawn_as_soon_as_draw_opens_is_read(tab, app_server):
    tab.goto(f"{app_server.url}/draw")
    expect(tab.locator(CANVAS)).to_be_visible(timeout=30_000)
    draw_digit(tab, ONE, 110, 40, 200)  # at once: no wait for the page to settle
    expect(prediction(tab)).to_have_text("1")
    expect(tab.get_by_text(NOT_FOUND)).to_have_count(0)
