"""What a visitor cannot do, in Chromium against the real server: change the default model from
another machine, make a page load something through a file's name, upload more than the page
takes, or read a traceback.

The teacher rule is the server's own machine: these browsers run on it (loopback), so they are
the teacher, unless the server runs with SOFTMAX_BEHIND_PROXY=1 as it does behind nginx, where
every browser arrives from the proxy and only the password counts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest
from conftest import needs_mnist
from pictures import encoded

from softmax.drawn import render_strokes
from softmax.model import SoftmaxClassifier
from softmax.preprocess import MAX_BYTES
from softmax.ui.teacher import BEHIND_PROXY_ENV, PASSWORD_ENV

from .browser import EXPECT_TIMEOUT, VIEWPORT, wait_until_idle
from .conftest import start_server
from .test_draw import prediction
from .test_teaching import RESULT, TRAINING_TIMEOUT, open_view, start_training

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e

UPLOADER = "[data-testid=stFileUploader] input[type=file]"
SEVEN = render_strokes([[(80, 50), (200, 50), (120, 240)]], 20)  # (280, 280, 4) canvas-like


@pytest.fixture
def open_tab(browser) -> Iterator:
    """`open_tab(url)`: a fresh browser session (a new visitor) at `url`."""
    expect.set_options(timeout=EXPECT_TIMEOUT)
    contexts = []

    def open_at(url: str):
        contexts.append(browser.new_context(viewport=VIEWPORT))
        tab = contexts[-1].new_page()
        tab.goto(url)
        return tab

    yield open_at
    for context in contexts:
        context.close()


# --- only the teacher changes the default --------------------------------------------------------


@needs_mnist
def test_the_teacher_on_the_server_machine_saves_the_default_new_sessions_start_with(
    open_tab, tmp_path
):
    saved = tmp_path / "saved.npz"
    server = start_server({"SOFTMAX_SAVED_MODEL": str(saved), BEHIND_PROXY_ENV: None})
    try:
        teacher = open_tab(f"{server.url}/train")
        open_view(teacher, server.url, "train", "Start training")
        start_training(teacher, "MNIST 28×28", "default", epochs=1)
        expect(teacher.get_by_text(RESULT)).to_be_visible(timeout=TRAINING_TIMEOUT)
        save = teacher.get_by_role("button", name="Save as default")
        expect(save).to_be_enabled()
        save.click()
        expect(teacher.get_by_text("New sessions start with it")).to_be_visible()
        assert SoftmaxClassifier.load(saved).n_inputs == 784
        pupil = open_tab(f"{server.url}/model-card")
        expect(pupil.get_by_role("heading", name="This model: Saved default")).to_be_visible()
    finally:
        server.stop()


def test_behind_a_proxy_save_as_default_is_refused_saying_why(open_tab, tmp_path):
    saved = tmp_path / "saved.npz"
    server = start_server(
        {"SOFTMAX_SAVED_MODEL": str(saved), BEHIND_PROXY_ENV: "1", PASSWORD_ENV: None}
    )
    try:
        tab = open_tab(f"{server.url}/train")
        open_view(tab, server.url, "train", "Start training")
        start_training(tab, "scikit-learn digits 8×8", "default", batch_size=64, epochs=5)
        expect(tab.get_by_text(RESULT)).to_be_visible(timeout=TRAINING_TIMEOUT)
        expect(tab.get_by_text("Saving the default model is for the teacher")).to_be_visible()
        expect(tab.get_by_text(PASSWORD_ENV, exact=False)).to_be_visible()
        expect(tab.get_by_role("button", name="Save as default")).to_have_count(0)
        expect(tab.get_by_role("button", name="Use in this session")).to_be_enabled()
        assert not saved.exists()
    finally:
        server.stop()


# --- uploads -------------------------------------------------------------------------------------


class Spy(BaseHTTPRequestHandler):
    """Counts every request: a page that renders a file name as Markdown would fetch from it."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Spy.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def spy() -> Iterator[str]:
    """A web server on 127.0.0.1 counting requests; yields its URL."""
    Spy.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Spy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("picture", "shows"),
    [
        (encoded(SEVEN), "What the model sees"),  # the name is the picture's caption
        (encoded(np.zeros((280, 280), np.uint8)), "No digit found in"),
        (b"a shopping list, not a picture", "Could not use"),
    ],
    ids=["drawing", "blank", "junk"],
)
def test_a_file_name_never_loads_anything_and_shows_as_written(
    page, app_server, spy, picture, shows
):
    name = f"![spy]({spy}/spy.png) :red[**loud**].png"
    open_view(page, app_server.url, "upload", "No picture yet")
    page.locator(UPLOADER).set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": picture}]
    )
    expect(page.get_by_text(shows, exact=False).first).to_be_visible()
    wait_until_idle(page)
    page.wait_for_timeout(500)  # a fetch would have started as the name was drawn
    assert Spy.hits == []
    expect(page.locator("[data-testid=stMain]").get_by_text(name, exact=False)).not_to_have_count(0)


def test_an_upload_over_10_mb_is_refused_before_it_reaches_the_server(page, app_server):
    open_view(page, app_server.url, "upload", "No picture yet")
    too_big = encoded(SEVEN) + bytes(MAX_BYTES + 1)  # a PNG with 10 MB of trailing junk
    page.locator(UPLOADER).set_input_files(
        files=[{"name": "big.png", "mimeType": "image/png", "buffer": too_big}]
    )
    expect(page.get_by_text("File must be 10.0MB or smaller.")).to_be_visible()
    expect(prediction(page)).to_have_count(0)
    expect(page.get_by_text("No picture yet")).to_be_visible()


# --- no tracebacks for visitors ------------------------------------------------------------------

BOOM = """
import streamlit as st

st.title("A page with a bug")
raise ValueError("the secret is in /srv/studio/secret.txt")
"""


def test_an_unforeseen_error_shows_visitors_no_traceback_and_the_log_keeps_it(open_tab, tmp_path):
    """The project's settings (its .streamlit/config.toml) on a script that fails."""
    script = tmp_path / "boom.py"
    script.write_text(BOOM)
    server = start_server({}, script=str(script))
    try:
        tab = open_tab(server.url)
        expect(tab.get_by_role("heading", name="A page with a bug")).to_be_visible()
        expect(tab.locator("[data-testid=stException]")).to_be_visible()
        shown = tab.locator("[data-testid=stMain]").inner_text()
        for secret in ("/srv/studio", "secret", "Traceback", "boom.py", "ValueError"):
            assert secret not in shown, shown
        log = re.sub(r"\x1b\[[0-9;]*m", "", server.output())  # without the terminal's colours
        assert "Traceback" in log and "ValueError: the secret is in /srv/studio/secret.txt" in log
    finally:
        server.stop()
