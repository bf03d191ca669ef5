"""One model input, read and explained: the answer and the reasons, the same on every page.

The drawing page, the test-set explorer and the upload page all show a reading alike: the
`Prediction` metric (`headline`, alone on a page that needs only the verdict) and probability
bars (`answer`), the x ⊙ w evidence of the top digits and each score split into votes for, votes
against and bias (`why`). The figures are small HTML (softmax.figures), cheap enough to redraw on
every stroke. `shielded` keeps a failure in one section from taking the rest of a page with it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape

import numpy as np
import streamlit as st

from softmax import explain, figures
from softmax.model import Prediction, SoftmaxClassifier
from softmax.ui.language import restate

PROMPT = "Draw a digit on the black square: the model reads it as you draw."
AUTO = "auto"  # a digit picker's first option, the digit the reading suggests (None would be
# an empty selectbox, whose words a browser does not redraw)
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


def headline(reading: Reading | None, has_model: bool) -> None:
    """The `Prediction` metric ("NN% sure"), or a prompt when there is none: large on a
    projector, one line on a phone (it sits in a container keyed `prediction`, which app.py's
    stylesheet sizes)."""
    prediction = None if reading is None else reading.prediction
    with st.container(key="prediction"):
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


def answer(reading: Reading | None, has_model: bool) -> None:
    """The `headline` and the ten probability bars."""
    headline(reading, has_model)
    prediction = None if reading is None else reading.prediction
    bars = figures.probability_bars(
        None if prediction is None else prediction.probabilities,
        None if prediction is None else prediction.digit,
    )
    st.html(bars + _note("Softmax turns the ten scores into probabilities that add up to 100%."))


def why(reading: Reading | None, classifier: SoftmaxClassifier | None) -> None:
    """Evidence maps x ⊙ w of the top three digits, one plain sentence, and the logit split."""
    st.subheader("Why this prediction")
    if reading is None or reading.decomposition is None or classifier is None:
        st.caption("Draw something to see which pixels voted for which digit.")
        return
    decomposition = reading.decomposition
    top = decomposition.top(3)
    votes = explain.evidence(classifier, reading.x)[top]  # (3, 28, 28)
    st.markdown(explain.explain_in_words(decomposition))
    evidence = figures.maps(
        votes,
        [f"{k}: score {decomposition.logits[k]:.1f}" for k in top],
        explain.symmetric_limit(votes),
        label="Evidence maps x ⊙ w of the top three digits",
        legend="vote",
        digits=top,
        chosen=0,
        size=130,
        columns=3,
    )
    note = _note(
        "Each map is your drawing multiplied pixel by pixel by one digit's weights (x ⊙ w): "
        "blue pixels add to that digit's score, red ones subtract. Adding them all up, plus a "
        "bias, gives the score:"
    )
    st.html(evidence + note + figures.logit_bars(decomposition, top))


def _note(text: str) -> str:
    """A caption inside a figure's HTML, looking like st.caption: one element instead of two, and
    every element a stroke resends costs ≈ 150 bytes of its own."""
    return f'<p class="sm-note">{escape(text)}</p>'


def explain_input(x: np.ndarray, classifier: SoftmaxClassifier) -> Reading:
    """The answer and explanation for any model input (a test digit, an uploaded photo), side by
    side, as the drawing page shows a drawing's; returns the reading, for the lab's tools."""
    reading = Reading.of(x, classifier)
    left, right = st.columns([2, 3], gap="large")
    with left:
        answer(reading, has_model=True)
    with right:
        why(reading, classifier)
    return reading


def digit_picker(label: str, key: str, suggested: int, why_suggested: str) -> int:
    """A digit 0–9 to pick, or (the first option, and the default) the one the reading
    suggests, which follows the drawing as it changes: shown as e.g. "7 (the answer)". Its value
    is restated each run, so the browser shows the suggestion of this drawing, in this language."""
    restate(key)
    choice = st.selectbox(
        label,
        [AUTO, *range(10)],
        format_func=lambda k: f"{suggested} ({why_suggested})" if k == AUTO else str(k),
        key=key,
    )
    return suggested if choice == AUTO else int(choice)
