"""The teaching lab's tools on the pages, under AppTest with the stand-in canvas of
test_app_draw.py and the real shipped models: each tool's panel opens, shows what the numerics
(tested to their last digit in test_explain, test_counterfactual, test_preprocess, test_snapshot)
say, and costs a drawing nothing while it is closed.
"""

from __future__ import annotations

import io
import math
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
import test_app_draw as draw_page
from conftest import needs_mnist
from PIL import Image, ImageDraw
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest
from test_app_draw import SEVEN, chosen_model, figure, figure_labels
from test_i18n import HANGUL
from visible_text import english_left, visible_text

from softmax import charts, explain, preprocess, snapshot
from softmax.counterfactual import edit_weights, smallest_flip
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier, shipped_path
from softmax.preprocess import canvas_to_mnist, deskew

# the drawing page's fixtures: a stand-in canvas, and the app as a fresh visitor gets it
canvas_module, canvas, app = draw_page.canvas_module, draw_page.canvas, draw_page.app
CONTRAST = "Why "  # the contrast map's aria-label starts "Why A and not B"


def open_tool(at: AppTest, tab: str) -> None:
    """Open the drawing page's teaching lab on the tab `tab` (before the next run)."""
    at.session_state["lab-draw"] = True
    at.session_state["lab-tabs-draw"] = tab


def attribute(html: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', html).group(1)


def model_input(at: AppTest, drawing: np.ndarray) -> np.ndarray:
    return canvas_to_mnist(drawing, deskew=chosen_model(at).deskew)


# --- 1. why A and not B --------------------------------------------------------------------------


def test_the_lab_is_closed_and_builds_nothing_until_opened(app, canvas):
    canvas.draw(SEVEN)
    app.run()
    assert [e.label for e in app.expander if e.label.startswith("Teaching lab")]
    assert not any(label.startswith(CONTRAST) for label in figure_labels(app))
    assert "why-a-draw" not in app.session_state


def test_why_not_defaults_to_the_top_two_and_splits_their_gap_exactly(app, canvas):
    drawing = canvas.draw(SEVEN)
    open_tool(app, "Why A and not B")
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
    parts = [float(v) for v in re.findall(r"<i [^>]*data-votes=\"([^\"]+)\"", html)]
    assert len(parts) == 9 and sum(parts) == pytest.approx(votes, abs=1e-5)
    sentence = explain.contrast_in_words(
        explain.contrast(model, x, int(first), int(second)), t=Messages("en")
    )
    assert any(block.value == sentence for block in app.markdown)
    assert app.selectbox(key="why-a-draw").value == "auto"  # following the drawing


def test_why_not_explains_any_two_digits_picked(app, canvas):
    drawing = canvas.draw(SEVEN)
    open_tool(app, "Why A and not B")
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
    open_tool(app, "Why A and not B")
    app.run()
    assert not app.exception
    assert any("Draw a digit first" in caption.value for caption in app.caption)


def upload_page(data: bytes) -> None:
    from softmax.ui import upload

    upload.show_upload(data, "four.png")


def four_png() -> bytes:
    """A photo of a 4, white on black, as the upload page receives it."""
    image = Image.new("L", (280, 280), 0)
    ImageDraw.Draw(image).line([(80, 40), (80, 150), (200, 150)], fill=255, width=22)
    ImageDraw.Draw(image).line([(180, 60), (180, 250)], fill=255, width=22)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_an_upload_shows_why_not_open(monkeypatch, tmp_path):
    monkeypatch.delenv("SOFTMAX_MODEL", raising=False)
    monkeypatch.setenv("SOFTMAX_SAVED_MODEL", str(tmp_path / "none-saved.npz"))
    at = AppTest.from_function(upload_page, args=(four_png(),), default_timeout=30).run()
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


# --- 2. the lesson snapshot ----------------------------------------------------------------------


def linked(at: AppTest, drawing: np.ndarray) -> np.ndarray:
    """Open the page with a lesson link to `drawing`'s input; the input it holds (8 bits a pixel,
    before any deskew)."""
    token = snapshot.encode_input(canvas_to_mnist(drawing))
    at.query_params[snapshot.QUERY_KEY] = token
    at.run()
    assert not at.exception
    return snapshot.decode_input(token)


def test_a_lesson_link_restores_its_drawing_and_the_answer(app, canvas):
    source = linked(app, draw_page.CanvasStub().draw(SEVEN))
    model = chosen_model(app)
    x = deskew(source) if model.deskew else source
    assert app.metric[0].value == str(model.predict(x).digit)
    assert "From a lesson link" in app.info[0].value
    np.testing.assert_allclose(draw_page.model_input(app), x, atol=0.5 / 255)


def test_the_first_stroke_replaces_the_links_drawing(app, canvas):
    linked(app, draw_page.CanvasStub().draw(SEVEN))
    canvas.draw(draw_page.ZERO)
    app.run()
    assert app.metric[0].value == "0"
    assert snapshot.QUERY_KEY not in app.query_params
    assert not [info for info in app.info if "lesson link" in info.value]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda token: token[:-6], "cut short or changed"),
        (lambda token: token[:40] + ("A" if token[40] != "A" else "B") + token[41:], "changed"),
        (lambda token: token + "!", "characters a drawing link never has"),
        (lambda token: "", "empty"),
    ],
    ids=["cut", "edited", "junk", "empty"],
)
def test_a_damaged_link_says_why_and_the_page_still_works(app, canvas, damage, message):
    token = snapshot.encode_input(canvas_to_mnist(draw_page.CanvasStub().draw(SEVEN)))
    app.query_params[snapshot.QUERY_KEY] = damage(token)
    app.run()
    assert not app.exception
    assert message in app.error[0].value
    assert not app.metric  # nothing restored; the canvas still draws:
    canvas.draw(SEVEN)
    app.run()
    assert app.metric[0].value == "7"


def test_the_snapshot_dialog_offers_the_png_and_a_link_that_restores_the_input(app, canvas):
    drawing = canvas.draw(SEVEN)
    app.run()
    assert not app.get("download_button")  # nothing is built before it is asked for
    app.button(key="snapshot-draw").click().run()
    assert not app.exception
    [download] = app.get("download_button")
    assert download.proto.label == "Download the PNG"
    [code] = app.code
    token = parse_qs(urlparse(code.value).query)[snapshot.QUERY_KEY][0]
    np.testing.assert_allclose(
        snapshot.decode_input(token), canvas_to_mnist(drawing), atol=1 / 510 + 1e-7
    )


def test_the_snapshot_before_a_drawing_asks_for_one(app):
    app.run()
    app.button(key="snapshot-draw").click().run()
    assert not app.exception
    assert "Draw a digit first" in app.info[-1].value


def test_the_snapshot_png_is_the_slide_of_the_moment():
    from softmax.ui import lesson_snapshot

    model = SoftmaxClassifier.load(shipped_path("default"))
    source = canvas_to_mnist(draw_page.CanvasStub().draw(SEVEN))
    latest = lesson_snapshot.Latest(source, source, None, model, (7, 1))
    picture = Image.open(io.BytesIO(lesson_snapshot.png(latest, "The tricky 7")))
    assert (picture.format, picture.size) == ("PNG", (snapshot.WIDTH, snapshot.HEIGHT))
    assert lesson_snapshot.file_name("The tricky 7!").startswith("the-tricky-7-")


# --- 3. presenter mode ---------------------------------------------------------------------------


def presenting(at: AppTest) -> AppTest:
    at.run()
    at.toggle(key="presenter").set_value(True).run()
    assert not at.exception
    return at


def test_presenter_mode_hides_the_answer_until_reveal(app, canvas):
    canvas.draw(SEVEN)
    presenting(app)
    assert not app.metric
    labels = figure_labels(app)
    assert "The answer, hidden until Reveal" in labels
    assert not any(label.startswith(("Probability", "Evidence", "Each top")) for label in labels)
    assert not [e for e in app.expander if e.label.startswith("Teaching lab")]  # folded away
    assert [e.label for e in app.expander] == ["Inside the model: ten weight maps"]
    assert "The ten weight maps" not in " ".join(labels)  # built only when opened
    app.button(key="presenter-reveal").click().run()
    assert app.metric[0].value == "7"
    labels = figure_labels(app)
    assert any(label.startswith("Probability") for label in labels)
    assert any(label.startswith("Evidence") for label in labels)
    assert "The answer, hidden until Reveal" not in labels


def test_next_drawing_empties_the_canvas_and_hides_the_answer_again(app, canvas):
    canvas.draw(SEVEN)
    presenting(app)
    app.button(key="presenter-reveal").click().run()
    app.button(key="presenter-next").click().run()
    assert canvas.calls[-1]["initial_drawing"]["objects"] == []  # emptied in place
    assert not app.metric
    assert app.button(key="presenter-reveal").disabled  # nothing to reveal yet
    canvas.draw(draw_page.ZERO)
    app.session_state["canvas-draw-clear-pending"] = False  # the canvas' on_change: a new drawing
    app.run()
    assert not app.metric  # a new drawing: hidden until Reveal again
    app.button(key="presenter-reveal").click().run()
    assert app.metric[0].value == "0"


def test_presenter_mode_off_adds_nothing_to_the_stroke(app, canvas):
    canvas.draw(SEVEN)
    app.run()
    assert "The answer, hidden until Reveal" not in figure_labels(app)
    assert "presenter-on" not in str(app.main)  # no marker: the page's type is as usual
    assert not [b for b in app.button if b.key and b.key.startswith("presenter-")]


# --- 4. every preprocessing step -----------------------------------------------------------------

SMALL_CORNER_TWO = [[(20, 40), (40, 25), (60, 40), (25, 90), (65, 90)]]  # small, top left


def stages_shown(at: AppTest) -> dict[str, bool]:
    html = figure(at, "Every preprocessing step")
    return {
        name: on == "true" for name, on in re.findall(r'data-stage="(\w+)" data-on="(\w+)"', html)
    }


def test_the_strip_shows_every_step_from_the_ink_to_the_model_input(app, canvas):
    canvas.draw(SMALL_CORNER_TWO)
    open_tool(app, "Every preprocessing step")
    app.run()
    assert not app.exception
    deskews = chosen_model(app).deskew
    assert stages_shown(app) == {
        "ink": True, "crop": True, "fit": True, "pad": True, "centre": True, "deskew": deskews,
    }  # fmt: skip
    assert app.toggle(key="step-deskew-draw").value == deskews


@pytest.mark.parametrize("step", ["crop", "fit", "centre", "deskew"])
def test_switching_a_step_changes_the_input_and_the_answer_follows(app, canvas, step):
    drawing = canvas.draw(SMALL_CORNER_TWO)
    open_tool(app, "Every preprocessing step")
    app.run()
    model = chosen_model(app)
    choice = {"crop": True, "fit": True, "centre": True, "deskew": model.deskew}
    app.toggle(key=f"step-{step}-draw").set_value(not choice[step]).run()
    choice[step] = not choice[step]
    expected = preprocess.steps(drawing, **choice)[-1].image
    assert not np.allclose(expected, preprocess.steps(drawing, deskew=model.deskew)[-1].image)
    np.testing.assert_allclose(draw_page.model_input(app), expected, atol=0.5 / 255)
    np.testing.assert_allclose(
        draw_page.bar_values(app), model.predict_proba(expected)[0], atol=1e-6
    )
    assert stages_shown(app)[step] is choice[step]


def test_the_naive_toggle_and_the_three_switches_stay_in_step(app, canvas):
    canvas.draw(SMALL_CORNER_TWO)
    open_tool(app, "Every preprocessing step")
    app.run()
    app.toggle(key="naive_preprocessing").set_value(True).run()
    assert [app.toggle(key=f"step-{s}-draw").value for s in ("crop", "fit", "centre")] == [
        False,
        False,
        False,
    ]
    app.toggle(key="step-fit-draw").set_value(True).run()
    assert app.toggle(key="naive_preprocessing").value is False
    assert any(
        "Switched off below: crop to the ink, centre of mass." in c.value for c in app.caption
    )


def test_a_thin_pen_shows_its_strokes_fading(app, canvas):
    app.run()
    app.slider(key="pen-draw").set_value(8).run()
    canvas.draw(SEVEN, width=8)
    open_tool(app, "Every preprocessing step")
    app.run()
    [meter] = app.get("progress")
    level = int(re.search(r"\*\*(\d+)%\*\*", meter.proto.text).group(1))
    assert level < 50 and abs(meter.proto.value - level) <= 1
    assert "Thin strokes fade: at pen width 8" in app.warning[0].value
    canvas.draw(SEVEN, width=30)
    app.run()
    assert not app.warning


# --- 5. the smallest change that flips, and edited weights --------------------------------------


def test_the_smallest_flip_to_the_runner_up_shows_the_change_and_the_new_answer(app, canvas):
    drawing = canvas.draw(SEVEN)
    open_tool(app, "Smallest change")
    app.run()
    assert not app.exception
    model = chosen_model(app)
    x = model_input(app, drawing)
    runner_up = int(np.argsort(-model.logits(x)[0])[1])
    expected = smallest_flip(model, x, runner_up)
    html = figure(app, f"The smallest change that makes it a {runner_up}")
    assert attribute(html, "data-status") == "flipped"
    assert float(attribute(html, "data-added")) == pytest.approx(expected.ink_added, abs=1e-3)
    after = np.array([float(v) for v in re.findall(r'data-value="([\d.]+)"', figure(app, "After"))])
    np.testing.assert_allclose(after, expected.probabilities, atol=1e-6)
    assert after.argmax() == runner_up  # the change really makes it the target
    assert 'data-predicted="' not in figure(app, "After")  # the weight maps' frame stays put
    assert any(f"makes the model answer **{runner_up}**" in m.value for m in app.markdown)


def test_the_flip_to_the_answer_itself_needs_no_change(app, canvas):
    canvas.draw(SEVEN)
    open_tool(app, "Smallest change")
    app.run()
    app.selectbox(key="flip-target-draw").set_value(7).run()
    assert "already reads it as 7" in app.info[0].value


def test_a_flip_no_drawing_can_make_says_so(app, canvas):
    bias = np.zeros(10, dtype=np.float32)
    bias[5] = -100  # with no weights, nothing can lift 5 over the others
    app.session_state["trained_classifier"] = SoftmaxClassifier(np.zeros((784, 10)), bias, {})
    canvas.draw(SEVEN)
    open_tool(app, "Smallest change")
    app.run()
    app.sidebar.selectbox(key="model_choice").set_value("session").run()
    app.selectbox(key="flip-target-draw").set_value(5).run()
    assert not app.exception
    assert "No drawing at all makes this model answer 5" in app.warning[0].value


def test_erasing_the_answers_weights_changes_the_answer_until_reset(app, canvas):
    drawing = canvas.draw(SEVEN)
    open_tool(app, "Edit the weights")
    app.run()
    model = chosen_model(app)
    assert app.metric[0].value == "7"
    app.slider(key="edit-rows-draw").set_value((0, 27)).run()
    app.slider(key="edit-cols-draw").set_value((0, 27)).run()
    app.button(key="edit-apply-draw").click().run()
    assert not app.exception
    x = model_input(app, drawing)
    erased = edit_weights(model, 7, (0, 0, 28, 28), 0.0)
    assert app.metric[0].value == str(erased.predict(x).digit) != "7"
    np.testing.assert_allclose(draw_page.bar_values(app), erased.predict_proba(x)[0], atol=1e-6)
    assert any("Edited model (this session only)" in c.value for c in app.caption)
    assert model.weights[:, 7].any()  # the shared model is untouched
    app.button(key="edit-reset-draw").click().run()
    assert app.metric[0].value == "7"
    assert not any("Edited model" in c.value for c in app.caption)


def test_the_edit_preview_shows_the_map_before_and_after(app, canvas):
    canvas.draw(SEVEN)
    open_tool(app, "Edit the weights")
    app.run()
    html = figure(app, "Digit 7")
    assert attribute(html, "data-region") == "8 8 20 20"
    assert html.count("<figure>") == 2


def test_a_clear_flip_makes_the_target_nine_times_as_likely_as_any_other(app, canvas):
    drawing = canvas.draw(SEVEN)
    open_tool(app, "Smallest change")
    app.run()
    app.toggle(key="flip-clearly-draw").set_value(True).run()
    after = np.array([float(v) for v in re.findall(r'data-value="([\d.]+)"', figure(app, "After"))])
    target = int(after.argmax())
    others = np.delete(after, target)
    assert after[target] >= 9 * others.max() * (1 - 1e-4)
    model = chosen_model(app)
    expected = smallest_flip(model, model_input(app, drawing), target, math.log(9))
    np.testing.assert_allclose(after, expected.probabilities, atol=1e-6)


# --- 6. watch the weights form -------------------------------------------------------------------


def forming_page() -> None:
    import numpy as np

    from softmax.history import WeightHistory
    from softmax.model import SoftmaxClassifier, shipped_path
    from softmax.ui import weights_forming

    final = SoftmaxClassifier.load(shipped_path("default"))
    history = WeightHistory.of((t * final.weights, t * final.bias) for t in np.linspace(0, 1, 6))
    weights_forming.remember("sgd", "notebook: SGD rate 0.01", [2.0, 1.5, 1.2, 1.0, 0.9])
    runs = weights_forming.remember("adam", "default: Adam rate 0.01", [0.6, 0.4, 0.35, 0.3, 0.3])
    weights_forming.replay(history, runs, "forming")


def test_the_slider_replays_the_maps_epoch_by_epoch_beside_every_runs_loss():
    at = AppTest.from_function(forming_page, default_timeout=30).run()
    assert not at.exception
    assert at.slider(key="forming").value == 5
    last = figure(at, "The ten weight maps after epoch 5")
    assert last.count("<figure") == 10
    at.slider(key="forming").set_value(2).run()
    middle = figure(at, "The ten weight maps after epoch 2")
    assert middle != last  # fainter on the same scale
    assert any(
        "test loss 1.200" not in c.value and "test loss 0.400" in c.value for c in at.caption
    )
    spec = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    body = spec[0].proto.spec
    assert "1. notebook: SGD rate 0.01" in body and "2. default: Adam rate 0.01" in body
    frames = [
        dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in spec[0].proto.datasets
    ]
    [rule] = [frame for frame in frames if list(frame.columns) == ["epoch"]]
    assert rule["epoch"].tolist() == [2]  # the rule at the replayed epoch


def test_the_runs_chart_is_valid_vega_lite_and_refuses_two_runs_of_one_name():
    runs = [("1. a", [1.0, 0.5]), ("2. b", [0.8, 0.4, 0.3])]
    charts.runs_test_loss(runs, epoch=1).to_dict(validate=True)
    with pytest.raises(ValueError, match="its own name"):
        charts.runs_test_loss([("a", [1.0]), ("a", [0.5])])


# --- 7. in Korean --------------------------------------------------------------------------------

KO = Messages("ko")
TAB_NAMES = ("why_not", "steps", "flip", "weight_edit")  # softmax.ui.lab.TABS, in order
TOOLS = {  # each tab, as the English tests open it, and a widget only that tool draws
    "Why A and not B": "why-a-draw",
    "Every preprocessing step": "step-crop-draw",
    "Smallest change": "flip-target-draw",
    "Edit the weights": "edit-digit-draw",
}


def in_korean(at: AppTest) -> AppTest:
    at.query_params["lang"] = "ko"
    return at


def the_lab(at: AppTest) -> SimpleNamespace:
    """The teaching lab's expander as something visible_text reads: its label and all inside."""
    [box] = [e for e in at.expander if e.label == KO("lab.title")]
    return SimpleNamespace(_tree=box)


def widget_keys(at: AppTest) -> set[str]:
    return {node.key for node in at._tree if getattr(node, "key", None)}


@pytest.mark.parametrize("tab", list(TOOLS))
def test_each_lab_tool_speaks_korean_before_a_drawing(app, tab):
    open_tool(in_korean(app), tab)
    app.run()
    assert not app.exception
    assert english_left(the_lab(app)) == []
    assert [t.label for t in app.tabs] == [KO(f"lab.tab.{name}") for name in TAB_NAMES]


@pytest.mark.parametrize("tab", list(TOOLS))
def test_each_lab_tool_speaks_korean_after_a_drawing(app, canvas, tab):
    canvas.draw(SMALL_CORNER_TWO if tab == "Every preprocessing step" else SEVEN)
    open_tool(in_korean(app), tab)
    app.run()
    assert not app.exception
    assert TOOLS[tab] in widget_keys(app)  # the English label opened the same tool in Korean
    assert english_left(the_lab(app)) == []
    texts = visible_text(the_lab(app))
    assert texts and any(HANGUL.search(text) for text in texts)


def test_why_not_in_korean_says_one_whole_sentence_with_its_numbers_in_korean_form(app, canvas):
    drawing = canvas.draw(SEVEN)
    open_tool(in_korean(app), "Why A and not B")
    app.run()
    app.selectbox(key="why-a-draw").set_value(3).run()
    app.selectbox(key="why-b-draw").set_value(8).run()
    contrast = explain.contrast(chosen_model(app), model_input(app, drawing), 3, 8)
    sentence = explain.contrast_in_words(contrast, t=KO)
    assert any(block.value == sentence for block in app.markdown)
    assert KO.number(abs(contrast.gap), 2) in sentence and "{" not in sentence
    parts = [KO(f"why_not.part.{part}") for part in explain.PARTS]
    named = [reason for reason, values in contrast.reasons() if "part" in values]
    assert sum(part in sentence for part in parts) >= len(named)  # each part named whole
    html = figure(app, "3 대 8")
    tips = re.findall(r'title="([^"]+)"', html)
    assert [tip.split(":")[0] for tip in tips] == parts  # the dashed boxes named in Korean
    app.selectbox(key="why-b-draw").set_value(3).run()
    assert KO("why_not.pick_two") in [info.value for info in app.info]
    assert english_left(the_lab(app)) == []


def test_the_flip_in_korean_already_impossible_and_clearly(app, canvas):
    bias = np.zeros(10, dtype=np.float32)
    bias[5] = -100
    app.session_state["trained_classifier"] = SoftmaxClassifier(np.zeros((784, 10)), bias, {})
    canvas.draw(SEVEN)
    open_tool(in_korean(app), "Smallest change")
    app.run()
    app.selectbox(key="flip-target-draw").set_value(7).run()
    assert app.info[0].value == KO("flip.already", target=7)
    assert english_left(the_lab(app)) == []
    app.toggle(key="flip-clearly-draw").set_value(True).run()
    app.selectbox(key="flip-target-draw").set_value(2).run()
    result = next(m.value for m in app.markdown if m.value.startswith("잉크를 픽셀"))
    assert re.search(r"확신 \d+%", result)
    assert english_left(the_lab(app)) == []
    app.sidebar.selectbox(key="model_choice").set_value("session").run()
    app.selectbox(key="flip-target-draw").set_value(5).run()
    assert app.warning[0].value.startswith(
        KO("flip.impossible", target=5, blockers="").split("잉크가")[0]
    )
    assert english_left(the_lab(app)) == []


def test_the_steps_and_ink_meter_in_korean_with_a_thin_pen_and_deskew_switched(app, canvas):
    app.run()
    app.slider(key="pen-draw").set_value(8).run()
    canvas.draw(SEVEN, width=8)
    open_tool(in_korean(app), "Every preprocessing step")
    app.run()
    [meter] = app.get("progress")
    assert meter.proto.text.startswith("모델이 받는 잉크") and "%**" in meter.proto.text
    assert app.warning[0].value.startswith("가는 획은 흐려집니다. 펜 굵기 8")
    deskews = chosen_model(app).deskew
    app.toggle(key="step-deskew-draw").set_value(not deskews).run()
    trained = "trained_deskewed" if deskews else "trained_as_drawn"
    assert KO(f"preprocessing.{trained}") in [c.value for c in app.caption]
    strip = figure(app, KO("lab_figures.strip.label"))
    assert KO("lab_figures.strip.off", name=KO("lab_figures.stage.deskew")) in strip or deskews
    assert english_left(the_lab(app)) == []


def test_an_applied_weight_edit_in_korean_and_its_notice(app, canvas):
    canvas.draw(SEVEN)
    open_tool(in_korean(app), "Edit the weights")
    app.run()
    app.select_slider(key="edit-scale-draw").set_value(2.0).run()
    app.button(key="edit-apply-draw").click().run()
    assert not app.exception
    in_use = KO("weight_edit.edit", digit=7, scale="2", top=8, bottom=19, left=8, right=19)
    captions = [c.value for c in app.caption]
    assert KO("weight_edit.in_use", edit=in_use) in captions
    assert KO("weight_edit.notice", edit=in_use) in captions  # the page's line, above the lab
    assert app.button(key="edit-reset-notice-draw").label == KO("weight_edit.reset")
    assert english_left(the_lab(app)) == []


CHOICES = {  # each tool's tab and choices a class could have made in it
    "Why A and not B": {"why-a-draw": 3, "why-b-draw": 8},
    "Every preprocessing step": {"step-crop-draw": False, "step-deskew-draw": True},
    "Smallest change": {"flip-target-draw": 2, "flip-clearly-draw": True},
    "Edit the weights": {"edit-digit-draw": 4, "edit-scale-draw": 3.0, "edit-rows-draw": (2, 12)},
}


@pytest.mark.parametrize("tab", list(CHOICES))
def test_switching_language_keeps_the_open_tool_and_its_choices(app, canvas, tab):
    canvas.draw(SEVEN)
    open_tool(app, tab)
    app.run()
    for key, value in CHOICES[tab].items():
        widget = next(node for node in app._tree if getattr(node, "key", None) == key)
        widget.set_value(value).run()
    shown = {key: app.session_state[key] for key in CHOICES[tab]}
    answer, bars = app.metric[0].value, draw_page.bar_values(app)

    app.session_state["language"] = "ko"
    app.run()
    assert not app.exception
    assert app.session_state["lab-draw"] is True  # the lab still open ...
    assert app.session_state["lab-tabs-draw"] == KO(
        f"lab.tab.{TAB_NAMES[list(CHOICES).index(tab)]}"
    )
    assert {key: app.session_state[key] for key in CHOICES[tab]} == shown  # ... as it was left
    assert app.metric[0].value == answer
    np.testing.assert_array_equal(draw_page.bar_values(app), bars)
    assert english_left(the_lab(app)) == []
    app.session_state["language"] = "en"
    app.run()
    assert app.session_state["lab-tabs-draw"] == tab
    assert {key: app.session_state[key] for key in CHOICES[tab]} == shown


def test_the_upload_pages_why_not_in_korean(monkeypatch, tmp_path):
    monkeypatch.delenv("SOFTMAX_MODEL", raising=False)
    monkeypatch.setenv("SOFTMAX_SAVED_MODEL", str(tmp_path / "none-saved.npz"))
    at = AppTest.from_function(upload_page, args=(four_png(),), default_timeout=30)
    at.session_state["language"] = "ko"
    at.run()
    assert not at.exception
    [box] = [e for e in at.expander if e.label == KO("why_not.title")]
    assert english_left(SimpleNamespace(_tree=box)) == []
