"""The drawing page under Streamlit's AppTest, with the real shipped models and a stand-in canvas.

AppTest cannot draw on a browser canvas, so `st_canvas` is replaced by `CanvasStub`, which returns
a drawing rendered like the canvas renders strokes. Everything else is real: the preprocessing,
the shipped model the page picks, its prediction and the figures (read back from their HTML).
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from softmax import figures
from softmax.drawn import render_strokes
from softmax.model import SHIPPED, SoftmaxClassifier, default_shipped, shipped_path
from softmax.preprocess import canvas_to_mnist
from tests.visible_text import english_left

APP = Path(__file__).resolve().parents[1] / "app.py"
SEVEN = [[(70, 60), (210, 60), (120, 240)]]
ZERO = [[(140 + 55 * np.sin(t), 140 - 85 * np.cos(t)) for t in np.linspace(0, 2 * np.pi, 40)]]


@dataclass
class CanvasStub:
    """Stands in for `st_canvas`: returns `image` as its image_data, records each call's args."""

    image: np.ndarray | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def draw(self, strokes, width: float = 20) -> np.ndarray:
        self.image = render_strokes(strokes, width)
        return self.image

    def __call__(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(kwargs)
        return SimpleNamespace(image_data=self.image)


@pytest.fixture(scope="session")
def canvas_module():
    """The real streamlit_drawable_canvas. It registers its component when imported, which only
    works inside a Streamlit runtime, so it is imported by a one-line app first."""
    AppTest.from_string("import streamlit_drawable_canvas").run()
    return sys.modules["streamlit_drawable_canvas"]


@pytest.fixture
def canvas(canvas_module, monkeypatch) -> CanvasStub:
    stub = CanvasStub()
    monkeypatch.setattr(canvas_module, "st_canvas", stub)
    return stub


@pytest.fixture
def app(canvas, monkeypatch, tmp_path) -> Iterator[AppTest]:
    """The app as a fresh visitor gets it: no model file named, no default saved by Train."""
    monkeypatch.delenv("SOFTMAX_MODEL", raising=False)
    monkeypatch.setenv("SOFTMAX_SAVED_MODEL", str(tmp_path / "none-saved.npz"))
    yield AppTest.from_file(str(APP), default_timeout=60)


def figure(at: AppTest, label: str) -> str:
    """The HTML of the figure whose aria-label starts with `label`."""
    for element in at.get("html"):
        if f'aria-label="{label}' in element.proto.body:
            return element.proto.body
    raise AssertionError(f"no figure labelled {label!r}")


def figure_labels(at: AppTest) -> list[str]:
    bodies = " ".join(element.proto.body for element in at.get("html"))
    return re.findall(r'role="img" aria-label="([^"]*)"', bodies)


def bar_values(at: AppTest) -> np.ndarray:
    """The page's probability bars' values, in any language."""
    [bars] = [
        e.proto.body for e in at.get("html") if 'class="sm-bars" data-predicted' in e.proto.body
    ]
    return np.array([float(v) for v in re.findall(r'data-value="([\d.]+)"', bars)])


def model_input(at: AppTest) -> np.ndarray:
    """What the page shows as the model's input, back in [0, 1]."""
    encoded = re.search(r'src="data:image/png;base64,([^"]+)"', figure(at, "What the model"))
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(encoded.group(1))))) / 255


def chosen_model(at: AppTest) -> SoftmaxClassifier:
    return SoftmaxClassifier.load(shipped_path(at.sidebar.selectbox(key="model_choice").value))


def test_the_page_renders_without_an_exception(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Draw a digit"


def test_an_empty_canvas_is_reported_not_predicted(app):
    app.run()
    assert not app.metric
    assert "Draw a digit" in app.info[0].value


def test_a_drawing_gets_the_shipped_models_own_prediction(app, canvas):
    drawing = canvas.draw(SEVEN)
    app.run()
    model = chosen_model(app)
    expected = model.predict(canvas_to_mnist(drawing, deskew=model.deskew))
    [metric] = app.metric
    assert metric.label == "Prediction"
    assert metric.value == str(expected.digit)
    assert metric.delta == f"{expected.confidence:.0%} sure"


def test_a_drawing_shows_the_bars_what_the_model_sees_the_evidence_and_the_weights(app, canvas):
    canvas.draw(SEVEN)
    app.run()
    labels = figure_labels(app)
    for start in (
        "Probability",
        "What the model sees",
        "Evidence",
        "Each top digit",
        "The ten weight maps",
    ):
        assert any(label.startswith(start) for label in labels), start
    assert figure(app, "The ten weight maps").count("<figure") == 10
    assert not app.get("vega_lite_chart")  # every stroke's figure is small HTML


def test_the_weight_maps_frame_follows_the_predicted_digit(app, canvas):
    canvas.draw(SEVEN)
    app.run()
    digit = app.metric[0].value
    assert f'data-predicted="{digit}"' in figure(app, "Probability")
    assert "data-follows" in figure(app, "The ten weight maps")  # softmax.figures.CSS frames it


def test_the_bars_show_the_predicted_probabilities(app, canvas):
    drawing = canvas.draw(ZERO)
    app.run()
    model = chosen_model(app)
    probabilities = model.predict_proba(canvas_to_mnist(drawing, deskew=model.deskew))[0]
    np.testing.assert_allclose(bar_values(app), probabilities, atol=1e-6)


def test_the_default_model_is_the_one_that_reads_drawings_best(app):
    app.run()
    accuracies = {
        name: json.loads(shipped_path(name).with_suffix(".json").read_text())["drawn_accuracy"]
        for name in SHIPPED
        if shipped_path(name).is_file()
    }
    assert app.sidebar.selectbox(key="model_choice").value == max(accuracies, key=accuracies.get)


def test_naive_downsampling_changes_what_the_model_sees(app, canvas):
    canvas.draw([[(30, 30), (30, 120)]])  # a short stroke in a corner: centring moves it a lot
    app.run()
    mnist_style = model_input(app)
    app.toggle(key="naive_preprocessing").set_value(True).run()
    naive = model_input(app)
    assert not np.allclose(mnist_style, naive)
    model = chosen_model(app)
    expected = canvas_to_mnist(canvas.image, mode="naive", deskew=model.deskew)
    np.testing.assert_allclose(naive, expected, atol=0.5 / 255)  # one grey level


def test_clear_on_the_server_empties_the_canvas_in_place(app, canvas):
    """Without the page's script (or the canvas' own reset) Clear reaches the server: the same
    canvas gets a new, empty initial drawing, and its old drawing is not read again."""
    canvas.draw(SEVEN)
    app.run()
    assert app.metric
    app.button(key="clear-draw").click().run()
    before, after = canvas.calls[0], canvas.calls[-1]
    assert before["key"] == after["key"]  # no remount: it never stops listening
    assert after["initial_drawing"]["objects"] == []
    assert after["initial_drawing"] != before["initial_drawing"]  # so the canvas reloads it
    assert not app.metric  # the drawing from before Clear is not predicted
    assert "Draw a digit" in app.info[0].value


def test_the_canvas_is_white_ink_on_black_returning_image_data(app, canvas):
    app.run()
    options = canvas.calls[-1]
    assert (options["stroke_color"], options["background_color"]) == ("#ffffff", "#000000")
    assert options["return_image_data"] and options["update_streamlit"]
    assert (options["width"], options["height"], options["drawing_mode"]) == (280, 280, "freedraw")


def test_the_pen_width_slider_sets_the_stroke_width(app, canvas):
    app.run()
    app.slider(key="pen-draw").set_value(30).run()
    assert canvas.calls[-1]["stroke_width"] == 30


def test_odd_canvas_data_shows_an_error_not_a_traceback(app, canvas):
    canvas.image = np.full((280, 280, 4), np.nan, dtype=np.float32)
    app.run()
    assert not app.exception
    assert "Could not read the drawing" in app.error[0].value
    assert not app.metric


class UnreadableCanvas:
    """A canvas result whose image is not a PNG, as a damaged message would give."""

    @property
    def image_data(self) -> np.ndarray:
        raise ValueError("broken PNG data")


def test_an_unreadable_canvas_message_shows_an_error_not_a_traceback(
    app, canvas_module, monkeypatch
):
    monkeypatch.setattr(canvas_module, "st_canvas", lambda **_: UnreadableCanvas())
    app.run()
    assert not app.exception
    assert "Could not read the canvas" in app.error[0].value
    assert "Draw a digit" in app.info[0].value


def test_a_failing_section_shows_an_error_and_the_others_still_render(app, canvas, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("chart exploded")

    monkeypatch.setattr(figures, "logit_bars", broken)
    canvas.draw(SEVEN)
    app.run()
    assert not app.exception
    assert "the explanation" in app.error[0].value
    assert app.metric[0].label == "Prediction"
    assert "The ten weight maps" in figure_labels(app)[-1]


def test_a_corrupt_model_file_falls_back_to_a_shipped_model_with_a_warning(
    app, canvas, tmp_path, monkeypatch
):
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 this is not a model")
    monkeypatch.setenv("SOFTMAX_MODEL", str(corrupt))
    canvas.draw(SEVEN)
    app.run()
    assert not app.exception and not app.error
    assert "SOFTMAX_MODEL names cannot be used" in app.sidebar.warning[0].value
    assert str(tmp_path) not in app.sidebar.warning[0].value  # no server paths for visitors
    assert app.sidebar.selectbox(key="model_choice").value == default_shipped()
    assert app.metric[0].label == "Prediction"


def test_a_model_trained_in_this_session_is_offered(app):
    app.session_state["trained_classifier"] = SoftmaxClassifier.load()
    app.run()
    assert "Trained in this session" in app.sidebar.selectbox(key="model_choice").options


def test_the_session_model_predicts_when_chosen(app, canvas):
    trained = SoftmaxClassifier(np.zeros((784, 10)), np.eye(10)[3], {"recipe": "test"})
    app.session_state["trained_classifier"] = trained
    canvas.draw(SEVEN)
    app.run()
    app.sidebar.selectbox(key="model_choice").set_value("session").run()
    assert app.metric[0].value == "3"  # all-zero weights: the bias alone decides


def test_the_model_card_shows_the_architecture_and_accuracy():
    def model_card_page():
        from softmax.ui import model_card

        model_card.render()

    at = AppTest.from_function(model_card_page, default_timeout=60).run()
    assert not at.exception
    assert any("7,850 parameters" in block.value for block in at.markdown)
    assert [metric.label for metric in at.metric] == [
        "MNIST test accuracy",
        "Drawn-digit accuracy",
        "Weight on the rim",
    ]


# --- in Korean ------------------------------------------------------------------------------------


def korean(at: AppTest) -> AppTest:
    """`at` opened at ?lang=ko, as a shared Korean link opens it."""
    at.query_params["lang"] = "ko"
    return at


def test_in_korean_a_drawing_is_read_with_no_english_left(app, canvas):
    canvas.draw(SEVEN)
    korean(app).run()
    assert not app.exception
    assert app.title[0].value == "숫자 그리기"
    [metric] = app.metric
    assert metric.label == "예측"
    assert metric.delta.startswith("확률 ")
    assert figure_labels(app)[0].startswith("숫자 0부터 9까지")  # the bars, labelled in Korean
    assert english_left(app) == []


def test_in_korean_the_empty_canvas_has_no_english_left(app):
    korean(app).run()
    assert not app.exception and not app.metric
    assert "숫자를 그리세요" in app.info[0].value
    assert english_left(app) == []


def test_in_korean_presenter_mode_has_no_english_left_before_or_after_reveal(app, canvas):
    canvas.draw(SEVEN)
    korean(app).run()
    app.toggle(key="presenter").set_value(True).run()
    assert not app.metric  # hidden until Reveal
    assert app.button(key="presenter-reveal").label == "공개"
    assert english_left(app) == []
    app.button(key="presenter-reveal").click().run()
    assert app.metric[0].label == "예측"
    assert english_left(app) == []


def test_in_korean_the_snapshot_dialog_has_no_english_left(app, canvas):
    canvas.draw(SEVEN)
    korean(app).run()
    app.button(key="snapshot-draw").click().run()
    assert not app.exception
    [download] = app.get("download_button")
    assert download.proto.label == "PNG 내려받기"
    assert app.text_input(key="snapshot-title").value == f"손으로 그린 {app.metric[0].value}"
    assert english_left(app) == []


def test_in_korean_unreadable_canvas_data_is_explained_in_korean(app, canvas):
    canvas.image = np.full((280, 280, 4), np.nan, dtype=np.float32)
    korean(app).run()
    assert not app.exception and not app.metric
    assert "그림을 읽을 수 없습니다" in app.error[0].value
    assert english_left(app) == []


def test_in_korean_a_damaged_lesson_link_says_why_in_korean(app):
    app.query_params["input"] = "AAAA"  # a token whose checksum fails
    korean(app).run()
    assert not app.exception
    assert "손상" in app.error[0].value
    assert english_left(app) == []


def test_switching_language_keeps_the_drawing_its_prediction_and_the_chosen_model(app, canvas):
    canvas.draw(ZERO)
    app.run()
    app.sidebar.selectbox(key="model_choice").set_value("default").run()
    digit, sure = app.metric[0].value, app.metric[0].delta
    app.slider(key="pen-draw").set_value(24).run()
    app.toggle(key="presenter").set_value(True).run()
    app.button(key="presenter-reveal").click().run()
    app.button_group(key="language").set_value("ko").run()
    assert not app.exception
    assert app.query_params["lang"] == "ko"  # a shared link keeps the language
    assert app.sidebar.selectbox(key="model_choice").value == "default"
    assert app.slider(key="pen-draw").value == 24
    assert app.toggle(key="presenter").value  # still presenting, the answer still revealed:
    assert (app.metric[0].label, app.metric[0].value) == ("예측", digit)
    assert app.metric[0].delta == f"확률 {sure.removesuffix(' sure')}"
    assert {call["key"] for call in canvas.calls} == {"drawing-draw"}  # never remounted
    app.button_group(key="language").set_value("en").run()
    assert (app.metric[0].label, app.metric[0].value) == ("Prediction", digit)
