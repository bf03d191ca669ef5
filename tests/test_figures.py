"""softmax.figures and softmax.palette: what each HTML figure shows, read back from its HTML."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from softmax import explain, figures, palette
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier


class Elements(HTMLParser):
    """Every start tag of an HTML fragment as (tag, attributes, text up to the next tag)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {name: value or "" for name, value in attrs}, ""))

    def handle_data(self, data):
        if self.found:
            tag, attrs, text = self.found[-1]
            self.found[-1] = (tag, attrs, text + data)

    def having(self, attribute: str) -> list[tuple[str, dict[str, str], str]]:
        return [element for element in self.found if attribute in element[1]]

    def classed(self, name: str) -> list[tuple[str, dict[str, str], str]]:
        return [e for e in self.found if name in e[1].get("class", "").split()]


def picture(uri: str) -> np.ndarray:
    """The pixels of a PNG data URI (RGB for a palette PNG)."""
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    return np.asarray(image.convert("RGB") if image.mode == "P" else image)


def percent(style: str, name: str) -> float:
    return float(re.search(rf"{name}:(-?[\d.]+)%", style).group(1))


@pytest.fixture(scope="module")
def classifier() -> SoftmaxClassifier:
    return SoftmaxClassifier.load()


@pytest.fixture(scope="module")
def seven(classifier) -> np.ndarray:
    x = np.zeros((28, 28), np.float32)
    x[6, 8:21], x[7:23, 18] = 1, 0.8  # a bar and a stem
    return x


def test_the_palette_matches_vegas_redblue_at_its_ends_its_middle_and_beyond():
    values = np.array([-2.0, -1.0, 0.0, 1.0, 3.0])
    hexes = ["#{:02x}{:02x}{:02x}".format(*rgb) for rgb in palette.diverging(values, 1.0)]
    ends, middle = (palette.REDBLUE[0], palette.REDBLUE[-1]), palette.REDBLUE[5]
    assert hexes == [ends[0], ends[0], middle, ends[1], ends[1]]


def test_the_palette_interpolates_linearly_between_stops():
    halfway = palette.diverging(np.array([0.1]), 1.0)[0]  # half of the way from stop 5 to 6
    np.testing.assert_allclose(halfway, [226, 234, 238.5], atol=0.5)  # (f2efee + d2e5ef) / 2


def test_probability_bars_are_ten_digits_in_order_with_their_probabilities(classifier, seven):
    probabilities = classifier.predict_proba(seven)[0]
    bars = Elements(figures.probability_bars(probabilities, 7)).having("data-value")
    assert [attrs["title"].split(":")[0] for _, attrs, _ in bars] == [str(k) for k in range(10)]
    shown = np.array([float(attrs["data-value"]) for _, attrs, _ in bars])
    np.testing.assert_allclose(shown, probabilities, atol=1e-6)


def test_bar_heights_use_a_fixed_0_to_100_percent_axis():
    probabilities = np.array([0.05, 0.9, 0.05, 0, 0, 0, 0, 0, 0, 0])
    html = figures.probability_bars(probabilities, 1)
    elements = Elements(html)
    heights = [percent(attrs["style"], "--p") for _, attrs, _ in elements.having("data-value")]
    assert heights == [5.0, 90.0, 5.0] + [0.0] * 7
    axis = [
        (percent(a["style"], "bottom"), text)
        for t, a, text in elements.found
        if t == "span" and "bottom:" in a.get("style", "")
    ]
    assert axis == [(t, f"{t:.0f}%") for t in (0, 20, 40, 60, 80, 100)]


def test_only_the_predicted_digit_is_violet_and_named_for_the_weight_maps():
    elements = Elements(figures.probability_bars(np.full(10, 0.1), 4))
    assert [attrs["title"] for _, attrs, _ in elements.classed("sm-chosen")] == ["4: 10.0%"]
    assert elements.classed("sm-bars")[0][1]["data-predicted"] == "4"


def test_nothing_drawn_gives_empty_bars_and_no_answer():
    elements = Elements(figures.probability_bars(None))
    assert all(float(attrs["data-value"]) == 0 for _, attrs, _ in elements.having("data-value"))
    assert not elements.classed("sm-chosen")
    assert "data-predicted" not in elements.classed("sm-bars")[0][1]


def test_probability_bars_refuse_the_wrong_number_of_classes():
    with pytest.raises(ValueError, match=r"shape \(10,\).*\(9,\)"):
        figures.probability_bars(np.full(9, 1 / 9))


def test_logit_bars_stack_to_each_digits_logit(classifier, seven):
    decomposition = explain.decompose_logits(classifier, seven)
    top = decomposition.top(3)
    elements = Elements(figures.logit_bars(decomposition, top))
    ticks = [
        (float(text.replace("−", "-")), percent(attrs["style"], "left"))
        for tag, attrs, text in elements.found
        if tag == "span" and "left:" in attrs.get("style", "")
    ]  # the axis
    rows = elements.having("data-logit")
    assert [int(attrs["data-digit"]) for _, attrs, _ in rows] == top
    (first, left), (last, right) = ticks[0], ticks[-1]
    assert (left, right) == (0, 100) and first <= 0 <= last
    per_unit = (right - left) / (last - first)  # % of the axis per unit of score
    zero = -first * per_unit
    for k in top:
        boxes = [
            (attrs["class"], attrs["style"])
            for tag, attrs, _ in elements.found
            if tag == "i" and attrs.get("title", "").startswith(f"{k},")
        ]
        assert [name for name, _ in boxes] == ["sm-for", "sm-against", "sm-bias"]
        parts = [decomposition.positive[k], decomposition.negative[k], decomposition.bias[k]]
        widths = [percent(style, "width") / per_unit for _, style in boxes]
        np.testing.assert_allclose(widths, np.abs(parts), atol=0.02)
        logit = decomposition.logits[k]
        tick = next(
            percent(a["style"], "left")
            for t, a, _ in elements.found
            if t == "s" and a["title"].startswith(f"{k}:")
        )
        assert (tick - zero) / per_unit == pytest.approx(logit, abs=0.02)


def test_logit_bars_list_the_digits_in_the_order_given(classifier):
    decomposition = explain.decompose_logits(classifier, np.zeros((28, 28), np.float32))
    rows = Elements(figures.logit_bars(decomposition, [8, 2, 5])).having("data-logit")
    assert [attrs["data-digit"] for _, attrs, _ in rows] == ["8", "2", "5"]


def test_maps_are_drawn_on_one_red_blue_scale_with_their_titles(classifier):
    maps = explain.weight_maps(classifier)
    limit = explain.weight_scale(maps)
    html = figures.maps(maps, [str(k) for k in range(10)], limit, label="w", legend="weight")
    elements = Elements(html)
    images = [attrs["src"] for tag, attrs, _ in elements.found if tag == "img"]
    assert len(images) == 10
    levels = palette.diverging(np.linspace(-1, 1, figures.LEVELS), 1.0).astype(int)
    step = np.abs(np.diff(levels, axis=0)).max()  # the largest change from one level to the next
    for k in (0, 7):  # each pixel in the level nearest its value: within a step of exact
        shown = picture(images[k]).astype(int)
        assert np.abs(shown - palette.diverging(maps[k], limit)).max() <= step
    assert [text for tag, _, text in elements.found if tag == "figcaption"] == list("0123456789")
    assert f"{limit:.2f}" in html  # the legend's ends, ±limit


def test_only_the_chosen_map_is_framed_and_maps_name_their_digits():
    maps = np.zeros((3, 28, 28))
    elements = Elements(
        figures.maps(
            maps, ["a", "b", "c"], 1.0, label="e", legend="vote", digits=[4, 9, 1], chosen=0
        )
    )
    figures_ = [attrs for tag, attrs, _ in elements.found if tag == "figure"]
    assert [f.get("class") for f in figures_] == ["sm-chosen", None, None]
    assert [f["data-digit"] for f in figures_] == ["4", "9", "1"]


def test_weight_maps_can_follow_the_prediction_by_css_for_every_digit():
    html = figures.maps(
        np.zeros((10, 28, 28)),
        list("0123456789"),
        1.0,
        label="w",
        legend="w",
        digits=range(10),
        follow_prediction=True,
    )
    assert Elements(html).having("data-follows")
    for k in range(10):
        assert f'.sm-bars[data-predicted="{k}"]' in figures.CSS
        assert f'figure[data-digit="{k}"]' in figures.CSS


def test_maps_and_titles_must_match_in_number():
    with pytest.raises(ValueError, match="n titles"):
        figures.maps(np.zeros((3, 28, 28)), ["a", "b"], 1.0, label="x", legend="y")


def test_the_model_input_is_one_grey_pixel_per_input_pixel(seven):
    html = figures.pixels(seven, "What the model sees")
    [(_, attrs, _)] = [e for e in Elements(html).found if e[0] == "img"]
    np.testing.assert_array_equal(picture(attrs["src"]), np.rint(seven * 255).astype(np.uint8))
    assert 'aria-label="What the model sees"' in html


def test_a_strokes_figures_are_a_few_kilobytes(classifier, seven):
    """What a stroke sends for its figures (the page's budget is 15 KB a digit, all included)."""
    decomposition = explain.decompose_logits(classifier, seven)
    top = decomposition.top(3)
    votes = explain.evidence(classifier, seven)[top]
    limit = explain.symmetric_limit(votes)
    html = (
        figures.probability_bars(classifier.predict_proba(seven)[0], 7)
        + figures.pixels(seven, "sees")
        + figures.maps(votes, list("abc"), limit, label="e", legend="v", chosen=0, columns=3)
        + figures.logit_bars(decomposition, top)
    )
    assert len(html.encode()) < 8_000


# --- in Korean ------------------------------------------------------------------------------------


def words(html: str) -> str:
    """The text a figure shows and says (tooltips and aria-labels included), tags taken out."""
    found = Elements(html).found
    return " ".join([text for _, _, text in found] + [
        attributes[name] for _, attributes, _ in found for name in ("title", "aria-label")
        if name in attributes
    ])  # fmt: skip


def latin_words(text: str) -> list[str]:
    """English words left: the x ⊙ w notation's single letters aside."""
    return re.findall(r"[A-Za-z]{2,}", text)


def test_in_korean_every_figure_speaks_korean(classifier, seven):
    t = Messages("ko")
    decomposition = explain.decompose_logits(classifier, seven)
    html = (
        figures.probability_bars(classifier.predict_proba(seven)[0], 7, t=t)
        + figures.logit_bars(decomposition, decomposition.top(3), t=t)
        + figures.maps(np.ones((2, 4, 4)), ["가", "나"], 1.0, label="지도", legend="가중치", t=t)
    )
    said = words(html)
    assert {"확률", "찬성표", "반대표", "편향"} <= set(re.findall(r"[가-힣]+", said))
    assert latin_words(said) == []
    assert ' lang="ko" ' in html  # so the stylesheet sets the axis title upright, as Hangul reads


def test_by_default_the_figures_speak_english_as_before(classifier, seven):
    decomposition = explain.decompose_logits(classifier, seven)
    bars = figures.probability_bars(classifier.predict_proba(seven)[0], 7)
    assert 'aria-label="Probability of each digit, 0 to 9"' in bars
    assert "<em>probability</em>" in bars
    logits = figures.logit_bars(decomposition, decomposition.top(3))
    assert ">votes for<" in logits and "score (logit) = votes for + votes against + bias" in logits
