"""Altair charts sized and lettered for a classroom projector.

Every chart is built from plain numpy arrays and returns a finished `alt.Chart` (or concat), so the
page only places it and tests can read its spec. Charts drawn often reuse cached layouts and
swap in the data (see `_with_data`); what a stroke redraws is lighter still (softmax.figures).
Colours carry one meaning throughout (softmax.palette): blue is a vote for a digit, red a vote
against, violet the model's answer. Titles, legends and tooltips speak the language of the `t`
(softmax.i18n.Messages) a chart is given; English when none is.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from softmax.i18n import Messages
from softmax.palette import AGAINST, ANSWER, DIVERGING, INK

DIGITS = [str(k) for k in range(10)]
ENGLISH = Messages("en")
FONT = 16  # px: smallest text a projector keeps readable from the back row
PROJECTOR = alt.Config(
    axis=alt.AxisConfig(
        labelFontSize=FONT, titleFontSize=FONT, labelColor=INK, titleColor=INK, grid=False
    ),
    legend=alt.LegendConfig(
        labelFontSize=FONT - 2, titleFontSize=FONT, labelColor=INK, titleColor=INK
    ),
    title=alt.TitleConfig(fontSize=18, anchor="middle", color=INK),
    view=alt.ViewConfig(strokeWidth=0),
)
# Thousands of rects draw several times faster on a canvas than as SVG elements.
_CANVAS_RENDERER = {"embedOptions": {"renderer": "canvas"}}
# Stretch to the column's width but keep `height` for the plot itself (axes and legend come on top).
_FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


@functools.lru_cache(maxsize=8)
def _digit_bars(
    value: str, highlight: str, title: str, colours: tuple[str, str], height: int, t: Messages
) -> alt.LayerChart:
    """Layout of ten labelled bars, digits 0–9 in order on a fixed 0–100 % axis.

    Bars whose `highlight` column is true take `colours[0]`, the others `colours[1]`.
    """
    x = alt.X("digit:O", sort=DIGITS, title=None, axis=alt.Axis(labelAngle=0, labelFontSize=22))
    bars = (
        alt.Chart()
        .mark_bar(cornerRadiusTopLeft=4, cornerRadiusTopRight=4)
        .encode(
            x=x,
            y=alt.Y(
                f"{value}:Q",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%", tickCount=5, title=title),
            ),
            color=alt.condition(f"datum.{highlight}", alt.value(colours[0]), alt.value(colours[1])),
            tooltip=[
                alt.Tooltip("digit:O", title=t("charts.digit")),
                alt.Tooltip(f"{value}:Q", format=".1%", title=t(f"charts.{value}")),
            ],
        )
    )
    labels = bars.mark_text(dy=-12, fontSize=FONT, fontWeight="bold").encode(
        text="label:N", color=alt.value(INK)
    )
    return _projector(alt.layer(bars, labels).properties(height=height, autosize=_FIT_WIDTH))


def pixel_grid(image: np.ndarray, size: int = 280, *, t: Messages = ENGLISH) -> alt.Chart:
    """The model's 28×28 input, each pixel a square with a thin grid line: what it really sees."""
    image = np.asarray(image, dtype=float)
    if image.ndim != 2:
        raise ValueError(f"image must be 2-D, got shape {image.shape}")
    return _with_data(_pixel_grid(size, t), _long(image[None], "value"))


@functools.lru_cache(maxsize=16)
def _pixel_grid(size: int, t: Messages) -> alt.Chart:
    return _projector(
        alt.Chart()
        .mark_rect(stroke="#475569", strokeWidth=0.4)
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=alt.Color(
                "value:Q",
                scale=alt.Scale(domain=[0, 1], range=["black", "white"]),
                legend=None,
            ),
            tooltip=_pixel_tooltip(t, ".2f"),
        )
        .properties(width=size, height=size)
    )


def diverging_maps(
    maps: np.ndarray,
    titles: Sequence[str],
    limit: float,
    highlight: int | None = None,
    columns: int = 5,
    size: int = 150,
    legend_title: str | None = None,
    legend_orient: str = "right",
    *,
    t: Messages = ENGLISH,
) -> alt.ConcatChart:
    """Small multiples of signed 28×28 maps on ONE colour scale [-limit, limit], blue > 0 > red.

    Values beyond ±limit take the end colours (clamped); tooltips show the exact value.
    Used for the ten weight maps and for the x ⊙ w evidence maps; map `highlight` (the answer)
    gets a violet frame and a bold violet title. `legend_orient` "right" or "bottom" (narrower);
    `legend_title` None names the legend "weight" in `t`'s language.
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3 or len(titles) != len(maps):
        raise ValueError(f"need (n, h, w) maps and n titles, got {maps.shape} and {len(titles)}")
    legend_title = t("charts.weight") if legend_title is None else legend_title
    layout = _diverging_maps(
        tuple(titles), float(limit), highlight, columns, size, legend_title, legend_orient, t
    )
    return _with_data(layout, _long(maps, "value"))


@functools.lru_cache(maxsize=64)
def _diverging_maps(
    titles: tuple[str, ...],
    limit: float,
    highlight: int | None,
    columns: int,
    size: int,
    legend_title: str,
    legend_orient: str,
    t: Messages,
) -> alt.ConcatChart:
    across = legend_orient in ("top", "bottom")
    color = alt.Color(
        "value:Q",
        scale=alt.Scale(scheme=DIVERGING, domain=[-limit, limit], domainMid=0, clamp=True),
        legend=alt.Legend(
            title=legend_title,
            orient=legend_orient,
            direction="horizontal" if across else "vertical",
            gradientLength=max(2 * size, 240) if across else max(size, 160),
            format=".2f",
        ),
    )
    base = (
        alt.Chart()
        .mark_rect()
        .encode(
            x=alt.X("col:O", axis=None),
            y=alt.Y("row:O", axis=None),
            color=color,
            tooltip=_pixel_tooltip(t, "+.3f", value_first=True),
        )
    )
    views = []
    for k, title in enumerate(titles):
        chosen = k == highlight
        views.append(
            base.transform_filter(alt.datum.map == k).properties(
                width=size,
                height=size,
                title=alt.Title(
                    title,
                    fontSize=22 if chosen else 18,
                    color=ANSWER if chosen else INK,
                    fontWeight="bold" if chosen else "normal",
                ),
                view=alt.ViewBackground(
                    stroke=ANSWER if chosen else "#e2e8f0", strokeWidth=5 if chosen else 1
                ),
            )
        )
    chart = alt.concat(*views, columns=columns, spacing=14, usermeta=_CANVAS_RENDERER)
    return _projector(chart.resolve_scale(color="shared"))


def number_grid(
    values: np.ndarray, fmt: str, vmax: float, cell: int = 26, *, t: Messages = ENGLISH
) -> alt.Chart:
    """A matrix as a table of its numbers on grey squares, 0 white to `vmax` dark: the numbers
    the model is given. Zeros are left blank so the digit's own numbers stand out, and a
    leading zero is dropped (.25) so two decimals fit a small cell."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be 2-D, got shape {values.shape}")
    frame = _long(values[None], "value")
    frame["label"] = [format(v, fmt).removeprefix("0") if v else "" for v in values.reshape(-1)]
    frame["dark"] = frame["value"] > vmax / 2
    height, width = values.shape
    base = alt.Chart(frame).encode(
        x=alt.X("col:O", title=t("charts.column"), axis=alt.Axis(labelAngle=0, labelFontSize=11)),
        y=alt.Y(  # the title upright: a Korean 행 on its side reads badly
            "row:O",
            title=t("charts.row"),
            axis=alt.Axis(
                labelFontSize=11, titleAngle=0, titleAlign="right", titleBaseline="middle"
            ),
        ),
    )
    squares = base.mark_rect(stroke="#e2e8f0", strokeWidth=0.5).encode(
        color=alt.Color(
            "value:Q", scale=alt.Scale(domain=[0, vmax], range=["white", INK]), legend=None
        ),
        tooltip=_pixel_tooltip(t, fmt),
    )
    numbers = base.mark_text(fontSize=max(9, min(20, cell // 2 - 2))).encode(
        text="label:N",
        color=alt.condition("datum.dark", alt.value("white"), alt.value(INK)),
    )
    return _projector((squares + numbers).properties(width=cell * width, height=cell * height))


def vector_strip(x: np.ndarray, side: int, height: int = 60, *, t: Messages = ENGLISH) -> alt.Chart:
    """A flattened image as one long row of cells, 0 black to 1 white: image row r fills entries
    side·r to side·r + side - 1, so a digit becomes a rhythm of short bursts, one per row."""
    x = np.asarray(x, dtype=float).reshape(-1)
    index = np.arange(len(x))
    frame = pd.DataFrame(
        {"index": index, "row": index // side, "col": index % side, "value": x, "strip": "x"}
    )
    return _projector(
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X(
                "index:O",
                title=t("charts.position_in_vector", n=t.number(len(x))),
                axis=alt.Axis(values=list(range(0, len(x), side * 4)), labelAngle=0),
            ),
            color=alt.Color(
                "value:Q", scale=alt.Scale(domain=[0, 1], range=["black", "white"]), legend=None
            ),
            y=alt.Y("strip:N", axis=None),
            tooltip=[alt.Tooltip("index:O", title=t("charts.position")), *_pixel_tooltip(t, ".2f")],
        )
        .properties(height=height, autosize=_FIT_WIDTH)
    )


def class_accuracy_bars(accuracy: np.ndarray, *, t: Messages = ENGLISH) -> alt.Chart:
    """Ten bars, the share of each digit's test images read right, labelled in %; the worst in
    red, so the digit the model finds hardest stands out."""
    accuracy = np.asarray(accuracy, dtype=float)
    if accuracy.shape != (10,):
        raise ValueError(f"accuracy must have shape (10,), got {accuracy.shape}")
    frame = pd.DataFrame(
        {
            "digit": DIGITS,
            "accuracy": accuracy,
            "worst": np.arange(10) == accuracy.argmin(),
            "label": [t.percent(a) for a in accuracy],
        }
    )
    title = t("charts.right_answers")
    layout = _digit_bars("accuracy", "worst", title, (AGAINST, ANSWER), 220, t)
    return _with_data(layout, frame)


def confusion_heatmap(
    confusion: np.ndarray, selected: tuple[int, int] | None = None, *, t: Messages = ENGLISH
) -> alt.Chart:
    """Rows the true digit, columns the predicted one, each cell its count. Mistakes (off the
    diagonal) are shaded red by count, so the few hundred errors are not drowned by the
    thousands of correct answers; the diagonal is violet. Click a cell: selection "cell"."""
    confusion = np.asarray(confusion)
    if confusion.shape != (10, 10):
        raise ValueError(f"confusion must have shape (10, 10), got {confusion.shape}")
    true, predicted = np.indices(confusion.shape).reshape(2, -1)
    counts = confusion.reshape(-1)
    frame = pd.DataFrame(
        {
            "true": true,
            "predicted": predicted,
            "count": counts,
            "error": np.where(true == predicted, 0, counts),
            "correct": true == predicted,
            "chosen": [(t, p) == selected for t, p in zip(true, predicted, strict=True)],
        }
    )
    limit = max(1, int(frame["error"].max()))
    cell = alt.selection_point(name="cell", fields=["true", "predicted"], on="click")
    base = alt.Chart(frame).encode(
        x=alt.X(
            "predicted:O",
            title=t("charts.predicted_digit"),
            axis=alt.Axis(labelAngle=0, orient="top"),
        ),
        y=alt.Y("true:O", title=t("charts.true_digit")),
    )
    squares = (
        base.mark_rect(cursor="pointer")
        .encode(
            color=alt.condition(
                "datum.correct",
                alt.value("#ede9fe"),
                alt.Color(
                    "error:Q",
                    scale=alt.Scale(
                        domain=[0, limit], range=["white", "#b91c1c"], interpolate="rgb"
                    ),
                    legend=alt.Legend(title=t("charts.mistakes"), gradientLength=300),
                ),
            ),
            stroke=alt.condition("datum.chosen", alt.value(ANSWER), alt.value("white")),
            strokeWidth=alt.condition("datum.chosen", alt.value(4), alt.value(1)),
            tooltip=[
                alt.Tooltip("true:O", title=t("charts.true")),
                alt.Tooltip("predicted:O", title=t("charts.predicted")),
                alt.Tooltip("count:Q", title=t("charts.count")),
            ],
        )
        .add_params(cell)
    )
    numbers = base.mark_text(fontSize=FONT - 2).encode(
        text="count:Q",
        color=alt.condition(alt.datum.error > limit / 2, alt.value("white"), alt.value(INK)),
    )
    return _projector((squares + numbers).properties(width=520, height=520))


def training_curves(
    history: dict[str, Sequence[float]], epochs: int, *, t: Messages = ENGLISH
) -> alt.Chart:
    """Loss and accuracy per epoch, training (violet) and test (slate). The axes are fixed (epochs
    1..`epochs`, loss from 0, accuracy 0–100 %) so the lines grow into a chart that does not
    rescale while training runs. Titles, legend and tooltips in `t`'s language."""
    n = len(history.get("loss", ()))
    parts = (t("train.curves.train"), ""), (t("train.curves.test"), "val_")
    rows = [
        {"epoch": epoch + 1, "metric": metric, "set": part, "value": float(values[epoch])}
        for metric in ("loss", "accuracy")
        for part, prefix in parts
        if (values := history.get(prefix + metric)) is not None
        for epoch in range(min(n, len(values)))
    ]
    frame = pd.DataFrame(rows, columns=["epoch", "metric", "set", "value"])
    colour = alt.Color(
        "set:N",
        scale=alt.Scale(domain=[part for part, _ in parts], range=[ANSWER, "#64748b"]),
        legend=alt.Legend(title=None, orient="top"),
    )
    epoch_title, set_title = t("train.curves.epoch"), t("train.curves.set")
    panels = []
    for metric in ("loss", "accuracy"):
        title = t(f"train.curves.{metric}_axis")
        panels.append(
            alt.Chart(frame)
            .transform_filter(alt.datum.metric == metric)
            .mark_line(point=n <= 30, strokeWidth=3)
            .encode(
                x=alt.X(
                    "epoch:Q",
                    title=epoch_title,
                    scale=alt.Scale(domain=[1, max(2, epochs)]),
                    axis=alt.Axis(tickMinStep=1, format="d"),
                ),
                y=alt.Y(
                    "value:Q",
                    title=title,
                    scale=alt.Scale(domain=[0, 1])
                    if metric == "accuracy"
                    else alt.Scale(zero=True),
                    axis=alt.Axis(format=".0%" if metric == "accuracy" else ".1f"),
                ),
                color=colour,
                tooltip=[
                    alt.Tooltip("epoch:Q", title=epoch_title),
                    alt.Tooltip("set:N", title=set_title),
                    alt.Tooltip("value:Q", title=title, format=".4f"),
                ],
            )
            .properties(width=340, height=260)
        )
    return _projector(alt.hconcat(*panels, spacing=40))


def _pixel_tooltip(t: Messages, fmt: str, value_first: bool = False) -> list[alt.Tooltip]:
    """A pixel's row, column and value (formatted `fmt`), titled in `t`'s language."""
    place = [
        alt.Tooltip("row:O", title=t("charts.row")),
        alt.Tooltip("col:O", title=t("charts.column")),
    ]
    value = alt.Tooltip("value:Q", format=fmt, title=t("charts.value"))
    return [value, *place] if value_first else [*place, value]


def _long(maps: np.ndarray, name: str) -> pd.DataFrame:
    """(n, h, w) maps as one row per pixel: map, row, col, value (Altair wants long data)."""
    index_map, rows, cols = np.indices(maps.shape).reshape(3, -1)
    frame = pd.DataFrame({"map": index_map, "row": rows, "col": cols, name: maps.reshape(-1)})
    return frame.astype({"map": "int8", "row": "int8", "col": "int8", name: "float32"})


def _projector(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Large type and no chart borders, for text read from across a room.

    Set in place as one `config`: each `configure_*` call would deep-copy the chart and its
    schema objects (≈ 15 ms a chart, paid on every stroke).
    """
    chart.config = PROJECTOR
    return chart


def _with_data(layout: alt.TopLevelMixin, data: pd.DataFrame) -> alt.TopLevelMixin:
    """A shallow copy of a cached chart layout, given this call's data, that skips the schema check.

    Building an Altair chart costs 10–40 ms and checking its spec against the Vega-Lite JSON
    schema (which `st.altair_chart` does through `to_dict()`) another ≈50 ms: together most of a
    stroke's server time. A layout depends only on sizes, titles and the highlight, so it is built
    once; its data never changes its validity, and tests/test_charts.py checks every layout with
    `to_dict(validate=True)`.
    """
    chart = layout.copy(deep=False)
    # `chart.__class__ = ...` would land in the schema object's properties, hence object.__setattr__
    object.__setattr__(chart, "__class__", _UNCHECKED[type(layout)])
    chart.data = data
    return chart


class _Unchecked:
    """Mixin: `to_dict()` does not validate unless asked to (see `_with_data`)."""

    def to_dict(self, validate: bool = False, **kwargs) -> dict:
        return super().to_dict(validate=validate, **kwargs)


_UNCHECKED = {
    kind: type(f"Unchecked{kind.__name__}", (_Unchecked, kind), {})
    for kind in (alt.Chart, alt.LayerChart, alt.ConcatChart)
}


def runs_test_loss(
    runs: Sequence[tuple[str, Sequence[float]]],
    epoch: int | None = None,
    *,
    t: Messages = ENGLISH,
) -> alt.LayerChart:
    """The test loss per epoch of several training runs, one line each, labelled by `runs`'
    names (a run's settings), the last run (this one) in the answer's violet and thicker; a
    violet rule at `epoch` marks the epoch being replayed. Titles in `t`'s language."""
    if not runs:
        raise ValueError("runs_test_loss needs at least one run")
    names = [name for name, _ in runs]
    if len(set(names)) != len(names):
        raise ValueError(f"each run needs its own name, got {names}")
    frame = pd.DataFrame(
        [
            {"run": name, "epoch": e, "test loss": float(loss), "this": i == len(runs) - 1}
            for i, (name, losses) in enumerate(runs)
            for e, loss in enumerate(losses, start=1)
        ]
    )
    others = [OTHER_RUNS[i % len(OTHER_RUNS)] for i in range(len(runs) - 1)]
    epoch_title, loss_title = t("train.curves.epoch"), t("train.curves.test_loss")
    lines = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=30))
        .encode(
            x=alt.X("epoch:Q", title=epoch_title, axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("test loss:Q", title=loss_title, scale=alt.Scale(zero=False)),
            color=alt.Color(
                "run:N",
                sort=names,
                scale=alt.Scale(domain=names, range=[*others, ANSWER]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical", labelLimit=0),
            ),
            strokeWidth=alt.condition("datum.this", alt.value(4), alt.value(2)),
            tooltip=[
                alt.Tooltip("run:N", title=t("train.curves.run")),
                alt.Tooltip("epoch:Q", title=epoch_title),
                alt.Tooltip("test loss:Q", title=loss_title, format=".4f"),
            ],
        )
    )
    layers = [lines]
    if epoch is not None:
        rule = pd.DataFrame({"epoch": [epoch]})
        layers.append(
            alt.Chart(rule).mark_rule(color=ANSWER, strokeDash=[6, 4], size=2).encode(x="epoch:Q")
        )
    return _projector(alt.layer(*layers).properties(height=300, autosize=_FIT_WIDTH))


OTHER_RUNS = ("#0ea5e9", "#f59e0b", "#10b981", "#64748b", "#ec4899", "#84cc16")  # earlier runs
