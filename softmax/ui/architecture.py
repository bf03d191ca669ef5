"""The network as Keras' `model.summary()` prints it, for the model card and the walkthrough.

Static: the table needs the shapes, not TensorFlow, which no page imports. The column names are
in the session's language; the cells are Keras' own output, shown as code.
"""

from __future__ import annotations

import pandas as pd

from softmax.model import n_params
from softmax.ui.language import messages


def summary_rows(n_inputs: int = 784, n_classes: int = 10) -> pd.DataFrame:
    """Keras' `model.summary()` for `build_model(n_inputs, n_classes)`, as a table."""
    t = messages()
    return pd.DataFrame(
        {
            t("architecture.layer"): ["`input (InputLayer)`", "`dense (Dense)`"],
            t("architecture.output_shape"): [f"`(None, {n_inputs})`", f"`(None, {n_classes})`"],
            t("architecture.params"): ["0", t.number(n_params(n_inputs, n_classes))],
        }
    )
