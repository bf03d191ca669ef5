"""The teaching pages in headless Chromium: train live, upload a photo, explore, the lesson.

Trainings run in the app server's child process, exactly as in class; every wait is a Playwright
`expect(...)` poll on what the page shows.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from conftest import needs_mnist
from pictures import photo_of_a_seven

from softmax.recipes import OPTIMIZER_NAMES, RECIPES
from softmax.training_jobs import ORPHAN_SECONDS

from .browser import SEVEN, VIEWPORT, draw_digit, save_full_page, wait_until_idle
from .test_draw import prediction

if TYPE_CHECKING:
    from playwright.sync_api import Page

expect = pytest.importorskip("playwright.sync_api", reason="e2e tests need playwright").expect

pytestmark = pytest.mark.e2e

TRAINING_TIMEOUT = 180_000  # ms: TensorFlow's first import and a short run on a busy machine
RESULT = "Your model: test accuracy"
EXCEPTION = "[data-testid=stException]"
PARAMETERS = "[data-testid=stMetric]:has-text('Parameters') [data-testid=stMetricValue]"


def open_view(page: Page, url: str, path: str, ready: str) -> None:
    """Go to one of the app's pages and wait until `ready` (a text on it) shows."""
    page.goto(f"{url}/{path}")
    expect(page.get_by_text(ready).first).to_be_visible(timeout=60_000)
    wait_until_idle(page)


def set_number(page: Page, label: str, value: int, shown: str) -> None:
    """Type `value` into a number field and wait until the page shows `shown` (its rerun ended:
    the next change must not race it)."""
    field = page.get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Enter")
    expect(page.get_by_text(shown, exact=False)).to_be_visible()


def start_training(
    page: Page, dataset: str, recipe: str, batch_size: int | None = None, epochs: int | None = None
) -> None:
    """Set the Train page up, one change at a time, and press Start."""
    weights = "650 weights" if "8×8" in dataset else "7,850 weights"
    page.get_by_text(dataset, exact=True).click()
    expect(page.get_by_text(weights, exact=False)).to_be_visible()
    page.get_by_role("combobox", name="Recipe").click()
    page.get_by_role("option", name=recipe, exact=True).click()
    optimizer = OPTIMIZER_NAMES[RECIPES[recipe].optimizer]
    expect(page.get_by_role("combobox", name="Optimizer")).to_have_value(optimizer)
    if batch_size is not None:
        set_number(page, "Batch size", batch_size, f"every batch of {batch_size:,}")
    if epochs is not None:
        set_number(page, "Epochs", epochs, f"{epochs} pass")  # "1 pass over", "3 passes over"
    page.get_by_role("button", name="Start training").click()
    expect(page.locator("[data-testid=stProgress]")).to_be_visible()


def test_training_on_the_8x8_digits_ends_with_a_result_and_can_start_again(page, app_server):
    open_view(page, app_server.url, "train", "Start training")
    start_training(page, "scikit-learn digits 8×8", "default", batch_size=64, epochs=20)
    expect(page.get_by_text(RESULT)).to_be_visible(timeout=TRAINING_TIMEOUT)
    expect(
        page.get_by_text("Trained default (edited) on scikit-learn's 8×8 digits")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Use in this session")).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
    start = page.get_by_role("button", name="Start training")
    expect(start).to_be_enabled()  # the finished run left the page ready
    start.click()
    expect(page.locator("[data-testid=stProgress]")).to_be_visible()
    expect(page.get_by_text(RESULT)).to_have_count(0)  # the first result, shown stale, is gone
    expect(page.get_by_text(RESULT)).to_be_visible(timeout=TRAINING_TIMEOUT)
    expect(start).to_be_enabled()


def test_a_run_whose_page_was_closed_is_stopped_and_frees_the_slot(page, browser, app_server):
    owner = browser.new_context(viewport=VIEWPORT).new_page()
    open_view(owner, app_server.url, "train", "Start training")
    start_training(owner, "scikit-learn digits 8×8", "default", batch_size=1, epochs=500)
    expect(owner.get_by_role("button", name="Stop")).to_be_visible()
    owner.context.close()  # the tab is gone; the run would take hours
    open_view(page, app_server.url, "train", "Start training")
    busy = page.get_by_text("Training is busy elsewhere")
    expect(busy).to_be_visible()
    deadline = time.monotonic() + ORPHAN_SECONDS + 90  # + the epoch under way, on a busy machine
    while busy.count() and time.monotonic() < deadline:  # the note is drawn when the page runs
        page.wait_for_timeout(5_000)
        open_view(page, app_server.url, "train", "Start training")
    expect(busy).to_have_count(0)


@needs_mnist
def test_drawing_still_predicts_in_another_tab_while_training_runs(page, browser, app_server):
    trainer = browser.new_context(viewport=VIEWPORT).new_page()
    open_view(trainer, app_server.url, "train", "Start training")
    start_training(trainer, "MNIST 28×28", "notebook")  # 100 epochs: far longer than a stroke
    stop = trainer.get_by_role("button", name="Stop")
    expect(stop).to_be_visible()
    draw_digit(page, SEVEN, 50, 40, 190)
    expect(prediction(page)).to_have_text("7")
    expect(stop).to_be_enabled()  # the answer came while the other tab was still training
    stop.click()
    expect(trainer.get_by_text("stopped after epoch")).to_be_visible(timeout=TRAINING_TIMEOUT)
    trainer.context.close()


@needs_mnist
def test_a_second_training_is_refused_while_one_runs(page, browser, app_server):
    first = browser.new_context(viewport=VIEWPORT).new_page()
    open_view(first, app_server.url, "train", "Start training")
    start_training(first, "MNIST 28×28", "notebook")
    open_view(page, app_server.url, "train", "Start training")
    page.get_by_role("button", name="Start training").click()
    expect(
        page.get_by_text("Another training is running (started by another session")
    ).to_be_visible()
    first.get_by_role("button", name="Stop").click()
    expect(first.get_by_text("stopped after epoch")).to_be_visible(timeout=TRAINING_TIMEOUT)
    first.context.close()


@needs_mnist
def test_the_default_recipe_trained_on_mnist_is_compared_with_the_shipped_model(
    page, app_server, screenshots
):
    open_view(page, app_server.url, "train", "Start training")
    start_training(page, "MNIST 28×28", "default")
    expect(page.get_by_text(RESULT)).to_be_visible(timeout=TRAINING_TIMEOUT)
    expect(page.get_by_text("Weights side by side")).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
    save_full_page(page, screenshots / "train.png")


def test_an_uploaded_photo_is_read_like_a_drawing(page, app_server, tmp_path, screenshots):
    open_view(page, app_server.url, "upload", "No picture yet")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        photo_of_a_seven(tmp_path / "seven.png")
    )
    expect(prediction(page)).to_have_text("7")
    expect(page.get_by_text("Why this prediction")).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
    save_full_page(page, screenshots / "upload.png")


def test_an_upload_that_is_not_an_image_is_refused_with_an_error(page, app_server, tmp_path):
    fake = tmp_path / "digit.png"
    fake.write_text("this is a shopping list, not a photo")
    open_view(page, app_server.url, "upload", "No picture yet")
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(fake)
    expect(page.locator("[data-testid=stAlertContentError]")).to_contain_text("not an image")
    expect(prediction(page)).to_have_count(0)


@needs_mnist
def test_clicking_a_confusion_cell_shows_those_digits_and_explains_one(
    page, app_server, screenshots
):
    open_view(page, app_server.url, "explorer", "Confusion matrix")
    cell = "[aria-label^='Confusion matrix'] path[aria-label^='predicted digit: 9; true digit: 4;']"
    page.locator(cell).click()  # Vega labels each mark with its fields
    expect(page.get_by_text("True 4, predicted 9", exact=False)).to_be_visible()
    page.locator("[data-testid=stButton] button:has-text('4 → 9')").first.click()
    expect(page.get_by_text("a 4, read as 9")).to_be_visible()
    expect(prediction(page)).to_have_text("9")
    expect(page.locator(EXCEPTION)).to_have_count(0)
    save_full_page(page, screenshots / "explorer.png")


@needs_mnist
def test_the_walkthrough_follows_a_training_image_through_the_notebook(
    page, app_server, screenshots
):
    open_view(page, app_server.url, "walkthrough", "1 · Load the data")
    expect(page.locator(PARAMETERS)).to_have_text("7,850")
    expect(page.get_by_text("8 · What it learned")).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
    save_full_page(page, screenshots / "walkthrough.png")


def test_the_lesson_runs_on_the_8x8_digits_too(page, app_server):
    open_view(page, app_server.url, "walkthrough", "1 · Load the data")
    page.get_by_text("scikit-learn digits, 8×8").click()
    expect(page.locator(PARAMETERS)).to_have_text("650")
    expect(page.get_by_text("fitted to the 8×8 digits", exact=False)).to_be_visible()
    expect(page.locator(EXCEPTION)).to_have_count(0)
