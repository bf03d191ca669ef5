"""One model input, read and explained: the answer and the reasons, the same on every page.

The drawing page, the test-set explorer and the upload page all show a reading alike: the
`Prediction` metric and probability bars (`answer`), the x ⊙ w evidence of the top digits and
each score split into votes for, votes against and bias (`why`). `shielded` keeps a failure in
one section from taking the rest of a page with it. `softmax.charts` (altair and pandas, ≈0.5 s
to import) is imported inside the functions that draw, so the drawing page's canvas reaches the
browser first on a cold start.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import streamlit as st

from softmax import explain
from softmax.model import Prediction, SoftmaxClassifier

PROMPT = "Draw a digit on the black square: the model reads it as you draw."
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reading:
    """One input as the model takes it: its 28×28 input and, if a model is loaded, the answer."""

    x: np.ndarray  # (side, side) float32 in [0, 1]
    prediction: Prediction | None
    decomposition: explain.LogitDecomposition | None

    @classmethod
    def of(cls, x: np.ndarray, classifier: SoftmaxClassifier) -> Reading:
        """Classify `x` and split its logits; ValueError when the model cannot read `x`."""
        return cls(x, classifier.predict(x), explain.decompose_logits(classifier, x))


@contextmanager
def shielded(what: str) -> Iterator[None]:
    """Show a failure inside one section as an st.error (traceback in the server log), so the
    rest of the page keeps working. Streamlit's own rerun/stop signals are not Exceptions."""
    try:
        yield
    except Exception as error:
        LOG.exception("showing %s failed", what)
        st.error(
            f"Could not show {what} ({type(error).__name__}: {error}). The rest of the page works."
        )


def answer(reading: Reading | None, has_model: bool) -> None:
    """The `Prediction` metric ("NN% sure") and the ten probability bars; a prompt when empty."""
    from softmax import charts  # after the canvas is sent: see the module docstring

    prediction = None if reading is None else reading.prediction
    if not has_model:
        st.info("No model is loaded, so nothing is predicted: pick one in the sidebar.")
    elif prediction is None:
        st.info(PROMPT, icon=":material/draw:")
    else:
        st.metric(
            "Prediction",
            str(prediction.digit),
            delta=f"{prediction.confidence:.0%} sure",
            delta_color="primary",
            delta_arrow="off",
        )
    st.altair_chart(
        charts.probability_bars(
            None if prediction is None else prediction.probabilities,
            None if prediction is None else prediction.digit,
        ),
        width="stretch",
        key="probabilities",
        alt="Probability of each digit, 0 to 9",
    )
    st.caption("Softmax turns the ten scores into probabilities that add up to 100%.")


def why(reading: Reading | None, classifier: SoftmaxClassifier | None) -> None:
    """Evidence maps x ⊙ w of the top three digits, one plain sentence, and the logit split."""
    from softmax import charts  # after the canvas is sent: see the module docstring

    st.subheader("Why this prediction")
    if reading is None or reading.decomposition is None or classifier is None:
        st.caption("Draw something to see which pixels voted for which digit.")
        return
    decomposition = reading.decomposition
    top = decomposition.top(3)
    votes = explain.evidence(classifier, reading.x)[top]  # (3, 28, 28)
    titles = [f"{k}: score {decomposition.logits[k]:.1f}" for k in top]
    st.markdown(explain.explain_in_words(decomposition))
    st.altair_chart(
        charts.diverging_maps(
            votes,
            titles,
            explain.symmetric_limit(votes),
            highlight=0,
            columns=3,
            size=130,
            legend_title="vote",
            legend_orient="bottom",
        ),
        width="content",
        key="evidence",
        alt="Evidence maps x ⊙ w of the top three digits",
    )
    st.caption(
        "Each map is your drawing multiplied pixel by pixel by one digit's weights (x ⊙ w): "
        "blue pixels add to that digit's score, red ones subtract. Adding them all up, plus a "
        "bias, gives the score:"
    )
    st.altair_chart(
        charts.logit_bars(decomposition, top),
        width="stretch",
        key="logits",
        alt="Each top digit's score split into votes for, votes against and bias",
    )


def explain_input(x: np.ndarray, classifier: SoftmaxClassifier) -> None:
    """The answer and explanation for any model input (a test digit, an uploaded photo), side by
    side, as the drawing page shows a drawing's."""
    reading = Reading.of(x, classifier)
    left, right = st.columns([2, 3], gap="large")
    with left:
        answer(reading, has_model=True)
    with right:
        why(reading, classifier)
