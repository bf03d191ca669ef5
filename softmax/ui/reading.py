"""One model input, read and explained: the answer and the reasons, the same on every page.

The drawing page, the test-set explorer and the upload page all show a reading alike: the
`Prediction` metric (`headline`, alone on a page that needs only the verdict) and probability
bars (`answer`), the x ⊙ w evidence of the top digits and each score split into votes for, votes
against and bias (`why`). The figures are small HTML (softmax.figures), cheap enough to redraw on
every stroke. `shielded` keeps a failure in one section from taking the rest of a page with it.
Every word comes from the `reading` catalogue in the session's language (softmax/ui/language.py).
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
from softmax.ui.language import messages, restate
from softmax.ui.markdown import literal

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
    rest of the page keeps working. `what` names the section in the session's language; the
    error itself shows as code. Streamlit's own rerun/stop signals are not Exceptions."""
    try:
        yield
    except Exception as error:
        LOG.exception("showing %s failed", what)
        failure = literal(f"{type(error).__name__}: {error}")
        st.error(messages()("reading.failed", what=what, error=failure))


def headline(reading: Reading | None, has_model: bool) -> None:
    """The `Prediction` metric ("NN% sure"), or a prompt when there is none: large on a
    projector, one line on a phone (it sits in a container keyed `prediction`, which app.py's
    stylesheet sizes)."""
    t = messages()
    prediction = None if reading is None else reading.prediction
    with st.container(key="prediction"):
        if not has_model:
            st.info(t("reading.no_model"))
        elif prediction is None:
            st.info(t("reading.prompt"), icon=":material/draw:")
        else:
            st.metric(
                t("reading.metric.label"),
                str(prediction.digit),
                delta=t("reading.metric.sure", share=t.percent(prediction.confidence)),
                delta_color="primary",
                delta_arrow="off",
            )


def answer(reading: Reading | None, has_model: bool) -> None:
    """The `headline` and the ten probability bars."""
    t = messages()
    headline(reading, has_model)
    prediction = None if reading is None else reading.prediction
    bars = figures.probability_bars(
        None if prediction is None else prediction.probabilities,
        None if prediction is None else prediction.digit,
        t=t,
    )
    st.html(bars + _note(t("reading.bars.note", whole=t.percent(1))))


def why(reading: Reading | None, classifier: SoftmaxClassifier | None) -> None:
    """Evidence maps x ⊙ w of the top three digits, one plain sentence, and the logit split."""
    t = messages()
    st.subheader(t("reading.why.title"))
    if reading is None or reading.decomposition is None or classifier is None:
        st.caption(t("reading.why.empty"))
        return
    decomposition = reading.decomposition
    top = decomposition.top(3)
    votes = explain.evidence(classifier, reading.x)[top]  # (3, 28, 28)
    st.markdown(explain.explain_in_words(decomposition, t=t))
    evidence = figures.maps(
        votes,
        [
            t("reading.why.map_title", digit=k, score=t.number(decomposition.logits[k], 1))
            for k in top
        ],
        explain.symmetric_limit(votes),
        label=t("reading.why.evidence"),
        legend=t("reading.why.legend"),
        digits=top,
        chosen=0,
        size=130,
        columns=3,
        t=t,
    )
    note = _note(t("reading.why.note"))
    st.html(evidence + note + figures.logit_bars(decomposition, top, t=t))


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
