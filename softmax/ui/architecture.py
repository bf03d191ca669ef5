"""The network as Keras' `model.summary()` prints it, for the model card and the walkthrough.

Static: the table needs the shapes, not TensorFlow, which no page imports.
"""

from __future__ import annotations

import pandas as pd

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
