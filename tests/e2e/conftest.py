"""Browser fixtures: the real app in a `streamlit run` subprocess, driven by headless Chromium.

Without /usr/bin/chromium or the playwright package every e2e test is skipped with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .browser import (
    EXPECT_TIMEOUT,
    FRESH_VISITOR,
    MISSING,
    SCREENSHOTS_ENV,
    VIEWPORT,
    AppServer,
    launch_chromium,
    wait_until_loaded,
)

if not MISSING:
    from playwright.sync_api import Browser, Page, expect, sync_playwright


def start_server(env: dict[str, str | None] | None = None, script: str = "app.py") -> AppServer:
    """A healthy app server for a fresh visitor (plus `env`), or the test fails with its log.
    The caller stops it."""
    if MISSING:
        pytest.skip(f"e2e tests need a browser: {MISSING}")
    server = AppServer({**FRESH_VISITOR, **(env or {})}, script=script)
    try:
        server.wait_healthy()
    except RuntimeError as error:
        server.stop()
        pytest.fail(str(error), pytrace=False)
    return server


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    server = start_server()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where tests save their full-page screenshots: a temporary folder, or the one named by
    SOFTMAX_SCREENSHOTS (`SOFTMAX_SCREENSHOTS=docs/screenshots pytest tests/e2e` refreshes the
    README's pictures), so a plain test run never rewrites tracked files."""
    chosen = os.environ.get(SCREENSHOTS_ENV)
    if not chosen:
        return tmp_path_factory.mktemp("screenshots")
    folder = Path(chosen)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser(app_server: AppServer) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, app_server: AppServer) -> Iterator[Page]:
    """A fresh session on the drawing page, its first run finished and the canvas ready."""
    expect.set_options(timeout=EXPECT_TIMEOUT)
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.goto(app_server.url)
    wait_until_loaded(page)
    yield page
    context.close()
