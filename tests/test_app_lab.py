"""The teaching lab's tools on the pages, under AppTest with the stand-in canvas of
test_app_draw.py and the real shipped models: each tool's panel opens, shows what the numerics
(tested to their last digit in test_explain, test_counterfactual, test_preprocess, test_snapshot)
say, and costs a drawing nothing while it is closed.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
import test_app_draw as draw_page
from conftest import needs_mnist
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest
from test_app_draw import SEVEN, chosen_model, figure, figure_labels

from softmax import explain
from softmax.preprocess import canvas_to_mnist

# the drawing page's fixtures: a stand-in canvas, and the app as a fresh visitor gets it
canvas_module, canvas, app = draw_page.canvas_module, draw_page.canvas, draw_page.app
CONTRAST = "Why "  # the contrast map's aria-label starts "Why A and not B"


def attribute(html: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', html).group(1)


def model_input(at: AppTest, drawing: np.ndarray) -> np.ndarray:
    return canvas_to_mnist(drawing, deskew=chosen_model(at).deskew)


# --- 1. why A and not B --------------------------------------------------------------------------


def test_why_not_is_closed_and_costs_a_stroke_nothing_until_opened(app, canvas):
    canvas.draw(SEVEN)
    app.run()
    assert [e.label for e in app.expander if e.label.startswith("Why this digit")]
    assert not any(label.startswith(CONTRAST) for label in figure_labels(app))
    assert "why-a-draw" not in app.session_state


def test_why_not_defaults_to_the_top_two_and_splits_their_gap_exactly(app, canvas):
    drawing = canvas.draw(SEVEN)
    app.session_state["why-not-draw"] = True
    app.run()
    assert not app.exception
    model = chosen_model(app)
    x = model_input(app, drawing)
    first, second = np.argsort(-model.logits(x)[0])[:2]
    html = figure(app, f"Why {first} and not {second}")
    logits = x.reshape(-1).astype(np.float64) @ model.weights.astype(np.float64) + model.bias
    gap = float(attribute(html, "data-gap"))
    assert gap == pytest.approx(logits[first] - logits[second], abs=1e-5)
    votes, bias = float(attribute(html, "data-votes")), float(attribute(html, "data-bias"))
    assert votes + bias == pytest.approx(gap, abs=1e-5)
    parts = [float(v) for v in re.findall(r'<rect[^>]*data-votes="([^"]+)"', html)]
    assert len(parts) == 9 and sum(parts) == pytest.approx(votes, abs=1e-5)
    sentence = explain.contrast_in_words(explain.contrast(model, x, int(first), int(second)))
    assert any(block.value == sentence for block in app.markdown)
    assert app.selectbox(key="why-a-draw").value is None  # following the drawing


def test_why_not_explains_any_two_digits_picked(app, canvas):
    drawing = canvas.draw(SEVEN)
    app.session_state["why-not-draw"] = True
    app.run()
    app.selectbox(key="why-a-draw").set_value(3).run()
    app.selectbox(key="why-b-draw").set_value(8).run()
    model = chosen_model(app)
    html = figure(app, "Why 3 and not 8")
    expected = explain.contrast(model, model_input(app, drawing), 3, 8)
    assert float(attribute(html, "data-gap")) == pytest.approx(expected.gap, abs=1e-6)
    app.selectbox(key="why-b-draw").set_value(3).run()
    assert "Pick two different digits." in [info.value for info in app.info]


def test_why_not_before_anything_is_drawn_says_to_draw(app):
    app.session_state["why-not-draw"] = True
    app.run()
    assert not app.exception
    assert any("Draw a digit first" in caption.value for caption in app.caption)


def upload_page(data: bytes) -> None:
    from softmax.ui import upload

    upload.show_upload(data, "four.png")


def test_an_upload_shows_why_not_open(monkeypatch, tmp_path):
    monkeypatch.delenv("SOFTMAX_MODEL", raising=False)
    monkeypatch.setenv("SOFTMAX_SAVED_MODEL", str(tmp_path / "none-saved.npz"))
    image = Image.new("L", (280, 280), 0)
    ImageDraw.Draw(image).line([(80, 40), (80, 150), (200, 150)], fill=255, width=22)
    ImageDraw.Draw(image).line([(180, 60), (180, 250)], fill=255, width=22)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    at = AppTest.from_function(upload_page, args=(buffer.getvalue(),), default_timeout=30).run()
    assert not at.exception
    answer = next(m for m in at.metric if m.label == "Prediction").value
    assert any(label.startswith(f"Why {answer} and not") for label in figure_labels(at))


def explorer_page() -> None:
    from softmax.ui import explorer

    explorer.render()


@needs_mnist
def test_the_explorer_shows_why_not_for_the_test_digit_it_explains():
    at = AppTest.from_function(explorer_page, default_timeout=60)
    at.session_state["model_choice"] = "default"
    at.run()
    assert not at.exception
    assert any(label.startswith(CONTRAST) for label in figure_labels(at))
