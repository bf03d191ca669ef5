"""softmax.charts: what each chart's Vega-Lite spec promises (bars, order, scales, highlight)."""

from __future__ import annotations

from collections.abc import Iterator

import altair as alt
import numpy as np
import pytest

from softmax import charts, explain
from softmax.model import SoftmaxClassifier


@pytest.fixture(autouse=True)
def all_rows() -> Iterator[None]:
    """Altair refuses to inline more than 5,000 rows; Streamlit sends data as Arrow instead."""
    with alt.data_transformers.disable_max_rows():
        yield


def rows(spec: dict) -> list[dict]:
    """The rows of the spec's first dataset (every chart here has its data in `datasets`)."""
    return next(iter(spec["datasets"].values()))


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


@pytest.fixture(scope="session")
def classifier() -> SoftmaxClassifier:
    return SoftmaxClassifier.load()


def test_probability_bars_are_ten_digits_in_order_on_a_fixed_0_to_1_axis():
    probabilities = np.full(10, 0.1)
    spec = charts.probability_bars(probabilities, predicted=3).to_dict()
    bars = layers(spec)[0]
    assert [row["digit"] for row in rows(spec)] == [str(k) for k in range(10)]
    assert bars["encoding"]["x"]["sort"] == [str(k) for k in range(10)]
    assert bars["encoding"]["y"]["scale"]["domain"] == [0, 1]


def test_only_the_predicted_digit_is_highlighted():
    spec = charts.probability_bars(np.eye(10)[4] * 0.9 + 0.01, predicted=4).to_dict()
    assert [row["digit"] for row in rows(spec) if row["predicted"]] == ["4"]
    assert layers(spec)[0]["encoding"]["color"]["condition"]["value"] == charts.ANSWER


def test_nothing_drawn_gives_empty_bars_and_no_highlight():
    spec = charts.probability_bars(None).to_dict()
    assert [row["probability"] for row in rows(spec)] == [0.0] * 10
    assert not any(row["predicted"] for row in rows(spec))


def test_probability_bars_refuse_the_wrong_number_of_classes():
    with pytest.raises(ValueError, match=r"shape \(10,\).*\(9,\)"):
        charts.probability_bars(np.full(9, 1 / 9))


def test_the_pixel_grid_has_one_cell_per_input_pixel_on_a_0_to_1_scale():
    image = np.random.default_rng(0).random((28, 28))
    spec = charts.pixel_grid(image).to_dict()
    assert len(rows(spec)) == 784
    assert spec["encoding"]["color"]["scale"]["domain"] == [0, 1]
    assert spec["mark"]["stroke"]  # the grid lines between pixels


def test_weight_maps_share_one_symmetric_colour_scale(classifier):
    maps = explain.weight_maps(classifier)
    limit = explain.symmetric_limit(maps)
    spec = charts.diverging_maps(maps, [str(k) for k in range(10)], limit).to_dict()
    assert len(spec["concat"]) == 10
    assert spec["resolve"]["scale"]["color"] == "shared"
    scales = {str(view["encoding"]["color"]["scale"]) for view in spec["concat"]}
    assert len(scales) == 1
    scale = spec["concat"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == [-limit, limit]
    assert scale["domainMid"] == 0


def test_weight_maps_hold_all_7840_weights_labelled_0_to_9(classifier):
    maps = explain.weight_maps(classifier)
    spec = charts.diverging_maps(maps, [str(k) for k in range(10)], 1.0).to_dict()
    assert len(rows(spec)) == 7840
    assert [view["title"]["text"] for view in spec["concat"]] == [str(k) for k in range(10)]


def test_the_highlighted_map_gets_the_answer_colour_and_a_frame(classifier):
    maps = explain.weight_maps(classifier)
    spec = charts.diverging_maps(maps, [str(k) for k in range(10)], 1.0, highlight=7).to_dict()
    framed = [i for i, view in enumerate(spec["concat"]) if view["view"]["stroke"] == charts.ANSWER]
    assert framed == [7]
    assert spec["concat"][7]["title"]["color"] == charts.ANSWER


def test_maps_and_titles_must_match_in_number():
    with pytest.raises(ValueError, match="n titles"):
        charts.diverging_maps(np.zeros((3, 28, 28)), ["a", "b"], 1.0)


def test_logit_bars_add_up_to_each_digits_logit(classifier):
    x = np.random.default_rng(1).random((28, 28)).astype(np.float32)
    decomposition = explain.decompose_logits(classifier, x)
    top = decomposition.top(3)
    spec = charts.logit_bars(decomposition, top).to_dict()
    for k in top:
        parts = [row for row in rows(spec) if row["digit"] == str(k)]
        assert [row["part"] for row in parts] == ["votes for", "votes against", "bias"]
        assert sum(row["value"] for row in parts) == pytest.approx(decomposition.logits[k])
        assert parts[0]["logit"] == pytest.approx(decomposition.logits[k])


def test_logit_bars_list_the_digits_in_the_order_given(classifier):
    decomposition = explain.decompose_logits(classifier, np.zeros((28, 28), np.float32))
    spec = charts.logit_bars(decomposition, [8, 2, 5]).to_dict()
    ranked = sorted({(row["rank"], row["digit"]) for row in rows(spec)})
    assert [digit for _, digit in ranked] == ["8", "2", "5"]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == {"field": "rank", "op": "min"}


def test_every_chart_of_a_stroke_is_a_valid_vega_lite_spec(classifier):
    """The page skips the schema check on every stroke (charts._with_data): it is done here."""
    x = np.random.default_rng(2).random((28, 28)).astype(np.float32)
    decomposition = explain.decompose_logits(classifier, x)
    maps = explain.weight_maps(classifier)
    for chart in (
        charts.probability_bars(classifier.predict_proba(x)[0], 3),
        charts.probability_bars(None),
        charts.pixel_grid(x),
        charts.diverging_maps(maps, charts.DIGITS, 1.0, highlight=2, legend_orient="bottom"),
        charts.diverging_maps(maps[:3], ["a", "b", "c"], 1.0, columns=3),
        charts.logit_bars(decomposition, decomposition.top(3)),
    ):
        chart.to_dict(validate=True)  # raises SchemaValidationError when invalid
