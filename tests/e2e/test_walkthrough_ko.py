"""The notebook walkthrough in Korean, opened in Chromium from a shared link (`?lang=ko`): every
step in Korean, Hangul in the charts' own text, and the picture the README shows."""

from __future__ import annotations

import pytest
from conftest import needs_mnist

from .browser import VIEWPORT, save_full_page, wait_until_idle

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e

EXCEPTION = "[data-testid=stException]"
PARAMETERS = "[data-testid=stMetric]:has-text('파라미터 수') [data-testid=stMetricValue]"
# The number grids are SVG (softmax.charts.number_grid): their axis titles are text elements.
AXIS_TITLES = "[data-testid=stVegaLiteChart] svg .role-axis-title text"


@needs_mnist
def test_the_walkthrough_opens_in_korean_from_its_link(browser, app_server, screenshots):
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")  # the link decides, not this
    page = context.new_page()
    try:
        page.goto(f"{app_server.url}/walkthrough?lang=ko")
        heading = page.get_by_role("heading", name="1 · 데이터 불러오기", exact=True)
        expect(heading).to_be_visible(timeout=60_000)
        wait_until_idle(page)
        expect(page.get_by_role("heading", name="노트북 한 단계씩", exact=True)).to_be_visible()
        expect(page.get_by_role("heading", name="8 · 모델이 배운 것", exact=True)).to_be_visible()
        expect(page.locator(PARAMETERS)).to_have_text("7,850")
        expect(page.get_by_text("원-핫 인코딩", exact=False).first).to_be_visible()
        assert {"행", "열"} <= set(page.locator(AXIS_TITLES).all_text_contents())
        expect(page.locator(EXCEPTION)).to_have_count(0)
        assert "lang=ko" in page.url
        save_full_page(page, screenshots / "walkthrough-ko.png")
    finally:
        context.close()
