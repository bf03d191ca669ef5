"""The network as Keras' `model.summary()` prints it, for the model card and the walkthrough.

Static: the table needs the shapes, not TensorFlow, which no page imports.
"""

from __future__ import annotations

import pandas as pd

from softmax.i18n import Messages
from softmax.model import n_params


def summary_rows(n_inputs: int = 784, n_classes: int = 10) -> pd.DataFrame:
    """Keras' `model.summary()` for `build_model(n_inputs, n_classes)`, as a table."""
    return pd.DataFrame(
        {
            "Layer (type)": ["input (InputLayer)", "dense (Dense)"],
            "Output Shape": [f"(None, {n_inputs})", f"(None, {n_classes})"],
            "Param #": ["0", f"{n_params(n_inputs, n_classes):,}"],
        }
    )


def summary_table(n_inputs: int, n_classes: int, t: Messages) -> pd.DataFrame:
    """`summary_rows` to show: column names in `t`'s language, Keras' own cells as code."""
    rows = summary_rows(n_inputs, n_classes)
    rows.iloc[:, :2] = rows.iloc[:, :2].map(lambda cell: f"`{cell}`")
    rows.columns = [t(f"architecture.{name}") for name in ("layer", "output_shape", "params")]
    return rows
