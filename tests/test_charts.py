"""softmax.charts: what each chart's Vega-Lite spec promises (bars, order, scales, highlight)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import altair as alt
import numpy as np
import pytest

from softmax import charts, explain
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier

HANGUL = re.compile(r"[\uac00-\ud7a3]")


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


def test_every_chart_built_from_a_cached_layout_is_a_valid_vega_lite_spec(classifier):
    """Charts from cached layouts skip the schema check when shown (charts._with_data): it is
    done here."""
    x = np.random.default_rng(2).random((28, 28)).astype(np.float32)
    maps = explain.weight_maps(classifier)
    for chart in (
        charts.class_accuracy_bars(np.linspace(0.8, 0.99, 10)),
        charts.pixel_grid(x),
        charts.diverging_maps(maps, charts.DIGITS, 1.0, highlight=2, legend_orient="bottom"),
        charts.diverging_maps(maps[:3], ["a", "b", "c"], 1.0, columns=3),
    ):
        chart.to_dict(validate=True)  # raises SchemaValidationError when invalid


def titles(spec: object) -> Iterator[str]:
    """Every title in a spec: the chart's, its axes', legends' and tooltips'."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "title" and isinstance(value, str):
                yield value
            elif key != "datasets":
                yield from titles(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from titles(item)


def test_every_title_axis_legend_and_tooltip_of_a_korean_chart_is_korean():
    korean = Messages("ko")
    image = np.random.default_rng(0).random((8, 8))
    built = {
        "pixel_grid": charts.pixel_grid(image, t=korean),
        "number_grid": charts.number_grid(image, fmt=".2f", vmax=1, t=korean),
        "vector_strip": charts.vector_strip(image.reshape(-1), 8, t=korean),
        "class_accuracy_bars": charts.class_accuracy_bars(np.linspace(0.8, 0.99, 10), t=korean),
        "confusion_heatmap": charts.confusion_heatmap(np.eye(10, dtype=int), (3, 5), t=korean),
        "diverging_maps": charts.diverging_maps(np.zeros((2, 8, 8)), ["0", "1"], 1.0, t=korean),
    }
    for name, chart in built.items():
        named = [title for title in titles(chart.to_dict(validate=True)) if not title.isdigit()]
        assert named, name
        assert [title for title in named if not HANGUL.search(title)] == [], name
    confusion = built["confusion_heatmap"].to_dict()
    assert confusion["layer"][0]["encoding"]["x"]["title"] == "예측한 숫자"
    assert confusion["layer"][0]["encoding"]["y"]["title"] == "정답 숫자"


def test_a_chart_given_no_messages_speaks_english():
    confusion = charts.confusion_heatmap(np.eye(10, dtype=int)).to_dict()
    assert confusion["layer"][0]["encoding"]["x"]["title"] == "predicted digit"
    tooltip = confusion["layer"][0]["encoding"]["tooltip"]
    assert [field["title"] for field in tooltip] == ["true", "predicted", "count"]
    maps = charts.diverging_maps(np.zeros((1, 8, 8)), ["0"], 1.0).to_dict()
    assert "weight" in titles(maps)
