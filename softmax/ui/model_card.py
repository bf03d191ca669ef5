"""The model card: what the network is, how the chosen model was trained, how well it does.

The architecture table (`architecture.summary_rows`) matches Keras' `model.summary()` without
TensorFlow, which this page never imports.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from softmax import explain
from softmax.model import SoftmaxClassifier, best_for_drawings, n_params
from softmax.ui import state
from softmax.ui.architecture import summary_rows

KNOWN = {  # metadata worth showing, with a readable name, in display order
    "recipe": "Recipe",
    "dataset": "Data set",
    "train_size": "Training images",
    "drawn": "… of which drawn digits",
    "deskew": "Deskewed inputs",
    "epochs": "Epochs",
    "batch_size": "Batch size",
    "optimizer": "Optimizer",
    "learning_rate": "Learning rate",
    "loss": "Loss",
    "weight_penalty": "Weight penalty λ",
    "seed": "Seed",
    "train_accuracy": "Training accuracy",
    "seconds": "Training time (s)",
    "trained_at": "Trained at",
}


def render() -> None:
    """The page."""
    st.title("Model card")
    classifier = state.current_classifier()
    choice = state.current_choice()
    architecture, results = st.columns([1, 1], gap="large")
    with architecture:
        _architecture(classifier)
    with results:
        if classifier is not None and choice is not None:
            _this_model(classifier, choice.label)
    st.divider()
    _shipped_models()


def _architecture(classifier: SoftmaxClassifier | None) -> None:
    n_inputs = 784 if classifier is None else classifier.n_inputs
    n_classes = 10 if classifier is None else classifier.n_classes
    params = n_params(n_inputs, n_classes)
    st.subheader("Architecture")
    st.markdown(
        f"**{n_inputs} pixels → Dense({n_classes}) → softmax.** One layer: every pixel is "
        f"connected to every digit. Each digit has {n_inputs} weights and 1 bias, so "
        f"{n_classes} × ({n_inputs} + 1) = **{params:,} parameters**."
    )
    st.caption('`model.summary()` — Model: "softmax_regression"')
    st.table(summary_rows(n_inputs, n_classes), hide_index=True)
    st.markdown(
        f"Total params: **{params:,}** · Trainable params: **{params:,}** · Non-trainable params: **0**"
    )
    st.caption(
        "Prediction = softmax(x·W + b): x is the drawing as 784 numbers in [0, 1], "
        f"W is {n_inputs}×{n_classes}, b has {n_classes} entries."
    )


def _this_model(classifier: SoftmaxClassifier, label: str) -> None:
    st.subheader(f"This model: {label}")
    meta = classifier.metadata
    test, drawn = meta.get("test_accuracy"), meta.get("drawn_accuracy")
    first, second = st.columns(2)
    first.metric(
        "MNIST test accuracy",
        _percent(test),
        help="Share of the 10,000 MNIST test digits it reads right.",
    )
    second.metric(
        "Drawn-digit accuracy",
        _percent(drawn),
        help="Share of digits drawn on a canvas it reads right.",
    )
    rim, words = st.columns(2, vertical_alignment="center")
    rim.metric("Weight on the rim", _percent(meta.get("rim_share")))
    words.caption(explain.RIM_IN_WORDS)
    rows = [
        (name, _percent(meta[key]) if key.endswith("accuracy") else _show(meta[key]))
        for key, name in KNOWN.items()
        if key in meta
    ]
    if rows:
        st.table(pd.DataFrame(rows, columns=["Setting", "Value"]), hide_index=True)
    else:
        st.caption("No training metadata was saved with this model.")


def _shipped_models() -> None:
    metadata = state.shipped_metadata()
    st.subheader("Shipped models")
    if not metadata:
        st.info("No shipped models found in softmax/assets/.")
        return
    best = best_for_drawings(metadata)
    # A static table wraps its text on a phone, where a data grid would scroll sideways; five
    # short columns fit a phone's width.
    st.table(
        pd.DataFrame(
            [
                {
                    "Model": state.LABELS.get(name, name),
                    "MNIST test": _percent(meta.get("test_accuracy")),
                    "Drawn digits": _percent(meta.get("drawn_accuracy")),
                    "On the rim": _percent(meta.get("rim_share")),
                    "Default": "✓" if name == best else "",
                }
                for name, meta in metadata.items()
            ]
        ),
        hide_index=True,
    )
    drawn = metadata[best].get("drawn_accuracy") if best in metadata else None
    if drawn is not None:
        st.caption(
            f"The app starts with *{state.LABELS.get(best, best)}* because it reads drawn digits "
            f"best ({_percent(drawn)}), and drawings, not MNIST scans, are what this page gets."
        )


def _percent(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) and not isinstance(value, bool) else "—"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
