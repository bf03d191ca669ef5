"""A lesson in headless Chromium: the teacher starts a class, three phones join from the page's
join URL, draw with a finger and label; the board shows their drawings; `classroom export`
returns exactly those labels; a student cannot reach the teacher's actions.

The server runs as a class deployment would when students and teacher arrive from anywhere
(SOFTMAX_BEHIND_PROXY=1 and a teacher password): here every browser comes from 127.0.0.1, so
without it every phone would be "the server's own machine", i.e. the teacher.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import numpy as np
import pytest

from softmax.classroom import Drawing
from softmax.drawn import TEMPLATES, drawings, render_strokes
from softmax.model import SoftmaxClassifier
from softmax.preprocess import canvas_to_mnist
from softmax.store import DATABASE_URL_ENV, Store
from softmax.ui.teacher import BEHIND_PROXY_ENV, PASSWORD_ENV

from .browser import (
    EXPECT_TIMEOUT,
    METRIC,
    ONE,
    PHONE,
    ROOT,
    SEVEN,
    VIEWPORT,
    ZERO,
    AppServer,
    draw_digit,
    save_full_page,
    scrolling_sideways,
    wait_until_idle,
    wait_until_loaded,
)
from .conftest import start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e

PASSWORD = "chalk-and-talk"
TEACHING_TIMEOUT = 300_000  # ms: the drawn recipe (MNIST + 20,000 drawn digits) on a busy machine
STUDENTS = {"Ada": (SEVEN, 7), "Bo": (ONE, 1), "Cy": (ZERO, 0)}


@dataclass(frozen=True)
class Lesson:
    server: AppServer
    database_url: str


@pytest.fixture(scope="module")
def lesson(tmp_path_factory) -> Iterator[Lesson]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lesson') / 'studio.db'}"
    server = start_server({DATABASE_URL_ENV: url, BEHIND_PROXY_ENV: "1", PASSWORD_ENV: PASSWORD})
    yield Lesson(server, url)
    server.stop()


def new_page(browser: Browser, **options) -> Page:
    expect.set_options(timeout=EXPECT_TIMEOUT)
    return browser.new_context(**options).new_page()


def field(page: Page, label: str):
    """The text input labelled `label` (its help icon carries the label too)."""
    return page.locator(f"input[aria-label='{label}']")


def metric(page: Page, label: str):
    return (
        page.locator("[data-testid=stMetric]")
        .filter(has_text=label)
        .locator("[data-testid=stMetricValue]")
    )


def start_class(page: Page, url: str, name: str) -> str:
    """As the teacher: unlock with the password, start a class; returns its join URL."""
    page.goto(f"{url}/classroom")
    field(page, "Teacher password").fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    field(page, "Class name").fill(name)
    page.get_by_role("button", name="Start the class").click()
    expect(page.get_by_text(f"Scan to join {name}")).to_be_visible()
    wait_until_idle(page)
    return page.locator("[data-testid=stCode] code").inner_text().strip()


def join_and_label(page: Page, join_url: str, nickname: str, strokes, digit: int) -> None:
    """As a student on a phone: open the join URL, join, draw, tap the digit, see "Saved"."""
    page.goto(join_url)
    field(page, "Nickname (optional)").fill(nickname)
    page.get_by_role("button", name="Join").click()
    wait_until_loaded(page)
    draw_digit(page, strokes, 50, 40, 190)
    expect(page.locator(METRIC)).to_have_count(1)
    page.locator(f".st-key-label-{digit} button").click()
    expect(page.get_by_text(f"Saved: your {digit}")).to_be_visible()
    expect(page.locator(METRIC)).to_have_count(0)  # the canvas is cleared for the next digit


def test_a_lesson_from_start_class_to_export(lesson, browser, screenshots, tmp_path):
    teacher = new_page(browser, viewport=VIEWPORT)
    join_url = start_class(teacher, lesson.server.url, "7B maths")
    code = join_url.rsplit("code=", 1)[1]
    teacher.screenshot(path=screenshots / "classroom-join-qr.png")
    # The page's URL is for phones on the network; this server listens on loopback only.
    parts = urlsplit(join_url)
    assert parts.path == "/join"
    phone_url = f"{lesson.server.url}{parts.path}?{parts.query}"

    phones = [new_page(browser, **PHONE) for _ in STUDENTS]
    for phone, (name, (strokes, digit)) in zip(phones, STUDENTS.items(), strict=True):
        join_and_label(phone, phone_url, name, strokes, digit)
    assert scrolling_sideways(phones[0]) == []

    board = new_page(browser, viewport=VIEWPORT)
    board.goto(f"{lesson.server.url}/board?code={code}")
    expect(metric(board, "Students")).to_have_text("3")
    expect(metric(board, "Drawings")).to_have_text("3")
    gallery = board.locator(".sm-class-gallery").first
    expect(gallery.locator("figure")).to_have_count(3)
    for name in STUDENTS:
        expect(gallery).to_contain_text(name)

    # A fourth digit: the board shows it by itself, without a reload.
    draw_digit(phones[0], SEVEN, 50, 40, 190)
    expect(phones[0].locator(METRIC)).to_have_count(1)
    wait_until_idle(phones[0])
    phones[0].screenshot(path=screenshots / "classroom-phone-labelling.png")
    phones[0].locator(".st-key-label-7 button").click()
    expect(metric(board, "Drawings")).to_have_text("4", timeout=20_000)
    save_full_page(board, screenshots / "classroom-board.png")

    out = tmp_path / "class.npz"
    exported = subprocess.run(
        [sys.executable, "-m", "softmax", "classroom", "export", code, "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, DATABASE_URL_ENV: lesson.database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    assert exported.returncode == 0
    with np.load(out) as data:
        assert sorted(data["y"].tolist()) == sorted([7, 1, 0, 7])
        assert data["x"].shape == (4, 28, 28) and data["x"].dtype == np.uint8
    with Store(lesson.database_url) as store:
        names = store.class_drawings(code).nicknames.values()
    assert sorted(names) == sorted(STUDENTS)
    for page in [teacher, board, *phones]:
        page.context.close()


def test_a_student_cannot_reach_the_teachers_actions(lesson, browser):
    phone = new_page(browser, **PHONE)
    phone.goto(f"{lesson.server.url}/classroom")
    expect(phone.get_by_text("is for the teacher")).to_be_visible()
    wait_until_idle(phone)
    for action in ("Start the class", "Close the class", "Delete the class…"):
        expect(phone.get_by_role("button", name=action)).to_have_count(0)
    field(phone, "Teacher password").fill("a guess")
    phone.get_by_role("button", name="Unlock").click()
    expect(phone.get_by_text("That is not the teacher password.")).to_be_visible()
    expect(phone.get_by_role("button", name="Start the class")).to_have_count(0)
    phone.context.close()


def test_a_wrong_code_on_a_phone_says_so(lesson, browser):
    phone = new_page(browser, **PHONE)
    phone.goto(f"{lesson.server.url}/join?code=XXXXX")
    expect(phone.get_by_text("There is no class with the code")).to_be_visible()
    assert not Path(phone.url).name.startswith("draw")  # it stays on the join page
    phone.context.close()


def class_handwriting(n: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """`n` digits in a handwriting the app's model never trained on: softmax.drawn's held-out
    styles (a 4 with a tall stem, a 7 with a serif, an 8 of two circles, ...), rendered and
    read like the canvas's. ((n, 28, 28) float 0–1, (n,) labels)."""
    unseen = {(t.digit, t.name) for t in TEMPLATES if t.held_out}
    found = (d for d in drawings(40 * n, seed, "test") if (d.digit, d.style) in unseen)
    chosen = list(itertools.islice(found, n))
    images = [canvas_to_mnist(render_strokes(d.strokes, d.width)) for d in chosen]
    return np.stack(images), np.array([d.digit for d in chosen], dtype=np.uint8)


def seed_a_class(database_url: str, name: str, students: int = 30, each: int = 10) -> str:
    """A class whose students each labelled `each` digits (the ~300 the issue measures with),
    as their phones would have saved them (read by the app's model first), in
    `class_handwriting`. Returns the join code."""
    images, labels = class_handwriting(students * each)
    model = SoftmaxClassifier.load()
    with Store(database_url) as store:
        room = store.create_class(name)
        for k in range(students):
            student = store.join(room.code, f"Student {k + 1}")
            for i in range(k, students * each, students):
                reading = model.predict(model.prepare(images[i][None])[0])
                store.save_drawing(
                    Drawing(
                        student.id, labels[i], images[i], reading.digit, reading.probabilities,
                        model.fingerprint,
                    )
                )  # fmt: skip
    return room.code


def test_teaching_the_model_shows_before_and_after_side_by_side(lesson, browser, screenshots):
    code = seed_a_class(lesson.database_url, "8C science")
    teacher = new_page(browser, viewport=VIEWPORT)
    teacher.goto(f"{lesson.server.url}/classroom")
    field(teacher, "Teacher password").fill(PASSWORD)
    teacher.get_by_role("button", name="Unlock").click()
    expect(metric(teacher, "Join code")).to_have_text(code)  # the newest class is shown
    teacher.get_by_role("button", name="Teach the model").click()
    expect(teacher.get_by_text("Starting TensorFlow")).to_be_visible()
    adopt = teacher.get_by_role("button", name="Adopt as the class model")
    expect(adopt).to_be_visible(timeout=TEACHING_TIMEOUT)
    expect(teacher.get_by_text("digits of the students held out")).to_be_visible()
    for label in ("Held-out students' digits", "MNIST test"):
        expect(metric(teacher, label)).to_have_text(re.compile(r"\d+\.\d%"))
    for when in ("before", "after"):
        expect(
            teacher.locator(f"[aria-label='The ten weight maps {when} teaching']")
        ).to_be_visible()
    expect(teacher.locator("[data-testid=stException]")).to_have_count(0)
    save_section(
        teacher,
        teacher.get_by_role("heading", name="Teach the model our handwriting"),
        teacher.locator("[aria-label='The ten weight maps after teaching'] + .sm-legend"),
        screenshots / "classroom-teach-before-after.png",
    )
    adopt.click()
    expect(teacher.get_by_text("Adopted: every student page")).to_be_visible()
    with Store(lesson.database_url) as store:
        assert store.get_class(code).model_id is not None
    teacher.context.close()


def save_section(page: Page, top, bottom, path: Path, margin: int = 16) -> None:
    """Screenshot the main column from `top`'s element down to `bottom`'s: the whole page grown
    to its content first (save_full_page), then clipped (no sidebar)."""
    save_full_page(page, path)
    main = page.locator("[data-testid=stMainBlockContainer]").bounding_box()
    first, last = top.bounding_box(), bottom.bounding_box()
    y = max(first["y"] - margin, 0)
    height = last["y"] + last["height"] + margin - y
    clip = {"x": main["x"], "y": y, "width": main["width"], "height": height}
    page.screenshot(path=path, full_page=True, clip=clip)
