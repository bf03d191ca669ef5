"""The model card: what the network is, how the chosen model was trained, how well it does.

The architecture table (`architecture.summary_rows`) matches Keras' `model.summary()` without
TensorFlow, which this page never imports.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier, best_for_drawings, n_params
from softmax.recipes import OPTIMIZER_NAMES
from softmax.ui import state
from softmax.ui.architecture import summary_table
from softmax.ui.language import messages
from softmax.ui.markdown import literal

KNOWN = (  # metadata worth showing (`model_card.setting.<key>` names it), in display order
    "recipe",
    "dataset",
    "train_size",
    "drawn",
    "deskew",
    "epochs",
    "batch_size",
    "optimizer",
    "learning_rate",
    "loss",
    "weight_penalty",
    "seed",
    "train_accuracy",
    "seconds",
    "trained_at",
)
DATASETS = ("mnist", "digits")  # data sets with a name in `models.dataset`


def render() -> None:
    """The page."""
    t = messages()
    st.title(t("model_card.title"))
    classifier = state.current_classifier()
    choice = state.current_choice()
    architecture, results = st.columns([1, 1], gap="large")
    with architecture:
        _architecture(classifier, t)
    with results:
        if classifier is not None and choice is not None:
            _this_model(classifier, choice.label, t)
    st.divider()
    _shipped_models(t)


def _architecture(classifier: SoftmaxClassifier | None, t: Messages) -> None:
    n_inputs = 784 if classifier is None else classifier.n_inputs
    n_classes = 10 if classifier is None else classifier.n_classes
    shape = {
        "inputs": n_inputs,
        "classes": n_classes,
        "params": t.number(n_params(n_inputs, n_classes)),
    }
    st.subheader(t("model_card.architecture"))
    st.markdown(t("model_card.one_layer", **shape))
    st.caption(t("model_card.summary_caption"))
    st.table(summary_table(n_inputs, n_classes, t), hide_index=True)
    st.markdown(t("model_card.totals", params=shape["params"]))
    st.caption(t("model_card.prediction", **shape))


def _this_model(classifier: SoftmaxClassifier, label: str, t: Messages) -> None:
    st.subheader(t("model_card.this_model", model=label))
    meta = classifier.metadata
    test, drawn = meta.get("test_accuracy"), meta.get("drawn_accuracy")
    first, second = st.columns(2)
    first.metric(
        t("model_card.test_accuracy"),
        _percent(test, t),
        help=t("model_card.test_accuracy_help"),
    )
    second.metric(
        t("model_card.drawn_accuracy"),
        _percent(drawn, t),
        help=t("model_card.drawn_accuracy_help"),
    )
    rim, words = st.columns(2, vertical_alignment="center")
    rim.metric(t("model_card.rim"), _percent(meta.get("rim_share"), t))
    words.caption(t("model_card.rim_in_words"))
    rows = [
        (t(f"model_card.setting.{key}"), _value(key, meta[key], t)) for key in KNOWN if key in meta
    ]
    if rows:
        columns = [t("model_card.setting_column"), t("model_card.value_column")]
        st.table(pd.DataFrame(rows, columns=columns), hide_index=True)
    else:
        st.caption(t("model_card.no_metadata"))


def _shipped_models(t: Messages) -> None:
    metadata = state.shipped_metadata()
    st.subheader(t("model_card.shipped"))
    if not metadata:
        st.info(t("model_card.none_shipped"))
        return
    best = best_for_drawings(metadata)
    # A static table wraps its text on a phone, where a data grid would scroll sideways; five
    # short columns fit a phone's width.
    st.table(
        pd.DataFrame(
            [
                {
                    t("model_card.column.model"): state.model_title(name, t),
                    t("model_card.column.test"): _percent(meta.get("test_accuracy"), t),
                    t("model_card.column.drawn"): _percent(meta.get("drawn_accuracy"), t),
                    t("model_card.column.rim"): _percent(meta.get("rim_share"), t),
                    t("model_card.column.default"): "✓" if name == best else "",
                }
                for name, meta in metadata.items()
            ]
        ),
        hide_index=True,
    )
    drawn = metadata[best].get("drawn_accuracy") if best in metadata else None
    if drawn is not None:
        st.caption(
            t(
                "model_card.starts_with",
                model=state.model_title(best, t),
                accuracy=_percent(drawn, t),
            )
        )


def _percent(value: Any, t: Messages) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return t.percent(value, 1)
    return "—"


def _value(key: str, value: Any, t: Messages) -> str:
    """A metadata value as a person reads it: words in the session's language, code as code."""
    if key.endswith("accuracy"):
        return _percent(value, t)
    if value is None:  # a learning rate left to Keras, or a value not recorded
        return t("model_card.keras_default") if key == "learning_rate" else "—"
    if isinstance(value, bool):
        return t("model_card.yes") if value else t("model_card.no")
    if key == "recipe" and isinstance(value, str):
        return state.recipe_title(value, t)
    if key == "dataset" and value in DATASETS:
        return t(f"models.dataset.{value}")
    if key == "optimizer" and value in OPTIMIZER_NAMES:
        return OPTIMIZER_NAMES[value]
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return t.number(value)
    return literal(value) if key in {"loss", "dataset", "optimizer"} else str(value)
