"""The test-set explorer: how the chosen model does on digits it never saw, and why it errs.

The model's probabilities for every test digit are computed once per model (numpy, well under a
second for MNIST's 10,000, cached by the model's fingerprint); the accuracy, the confusion matrix
and the galleries are all indexing into them. A model with 64 inputs (trained on the Train page
on scikit-learn's 8×8 digits) is scored on those digits' test set instead of MNIST's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import streamlit as st

from softmax import charts
from softmax.evaluation import Evaluation
from softmax.model import SoftmaxClassifier
from softmax.ui import state, why_not
from softmax.ui.reading import explain_input

TRUE_KEY, PREDICTED_KEY = "explorer_true", "explorer_predicted"
CHART_KEY = "explorer_confusion"  # the chart's selection state
CELL_KEY = "explorer_cell"  # the last confusion-matrix cell clicked, to tell a new click apart
PICK_KEY = "explorer_pick"  # index of the test digit being explained
PAGE_KEY = "explorer_page"
PICK_PREFIX = "explorer_pick_"  # + test index: the gallery's buttons
PAGE_SIZE = 20
COLUMNS = 10
ANY = None


@dataclass(frozen=True)
class TestScores:
    """A model's probabilities for every image of a labelled test set; the rest is derived, once."""

    name: str  # what the test set is called on the page
    images: np.ndarray  # (n, side, side) uint8 0–255
    labels: np.ndarray  # (n,) 0–9
    probabilities: np.ndarray  # (n, 10)

    @cached_property
    def predicted(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)  # (n,)

    @cached_property
    def evaluation(self) -> Evaluation:
        """Accuracy, per-digit accuracy and the confusion matrix (rows true, columns predicted)."""
        return Evaluation.of(self.labels, self.predicted)

    def chosen(self, true: int | None, predicted: int | None) -> np.ndarray:
        """Indices of the test digits in a cell, most confident first; either side None means
        any digit, and then only the mistakes are kept."""
        keep = np.ones(len(self.labels), dtype=bool)
        if true is not None:
            keep &= self.labels == true
        if predicted is not None:
            keep &= self.predicted == predicted
        if true is None or predicted is None:
            keep &= self.predicted != self.labels
        indices = np.flatnonzero(keep)
        confidence = self.probabilities[indices, self.predicted[indices]]
        return indices[np.argsort(-confidence, kind="stable")]


def render() -> None:
    """The page."""
    st.title("Test-set explorer")
    classifier = state.current_classifier()
    if classifier is None:
        return
    scores = _scores(classifier)
    _summary(scores)
    st.divider()
    _confusion(scores)
    st.divider()
    indices = _gallery(scores)
    if len(indices):
        st.divider()
        _explanation(scores, classifier, indices)


def _scores(classifier: SoftmaxClassifier) -> TestScores:
    """The model's test-set scores; stops with a how-to message when MNIST is not available."""
    if classifier.n_inputs == 64:
        (_, _), (images, labels) = state.digits_8x8()
        name = f"{len(labels):,} scikit-learn 8×8 test digits"
    else:
        (_, _), (images, labels) = state.mnist_or_stop()
        name = f"{len(labels):,} MNIST test digits"
    probabilities = _probabilities(classifier.fingerprint, name, classifier, images)
    return TestScores(name, images, labels, probabilities)


@st.cache_data(show_spinner="Scoring every test digit…", max_entries=8)
def _probabilities(
    key: str, test_set: str, _classifier: SoftmaxClassifier, _images: np.ndarray
) -> np.ndarray:
    """(n, 10) probabilities, once per model (`key`, its fingerprint) and `test_set`."""
    return _classifier.predict_proba(_classifier.prepare(_images))


def _summary(scores: TestScores) -> None:
    evaluation = scores.evaluation
    per_class = evaluation.per_class_accuracy  # (10,)
    worst = int(per_class.argmin())
    mistakes = int(evaluation.n - evaluation.confusion.trace())
    st.caption(f"The model chosen in the sidebar, on the {scores.name} it never trained on.")
    accuracy, errors, hardest = st.columns(3)
    accuracy.metric("Test accuracy", f"{evaluation.accuracy:.1%}")
    errors.metric("Mistakes", f"{mistakes:,}", help=f"out of {len(scores.labels):,}")
    hardest.metric(
        "Hardest digit", str(worst), help=f"{per_class[worst]:.1%} of its test images right"
    )
    st.altair_chart(
        charts.class_accuracy_bars(per_class),
        width="stretch",
        key="explorer_per_class",
        alt="Accuracy for each digit, 0 to 9",
    )


def _confusion(scores: TestScores) -> None:
    st.subheader("Confusion matrix")
    matrix, words = st.columns([3, 2], gap="large")
    clicked = _clicked_cell(st.session_state.get(CHART_KEY))  # before the widgets it sets
    if clicked is not None and clicked != st.session_state.get(CELL_KEY):
        st.session_state[TRUE_KEY], st.session_state[PREDICTED_KEY] = clicked
        st.session_state[PAGE_KEY] = 1
    st.session_state[CELL_KEY] = clicked
    true, predicted = _pair()
    with matrix:
        st.altair_chart(
            charts.confusion_heatmap(
                scores.evaluation.confusion,
                None if None in (true, predicted) else (true, predicted),
            ),
            on_select="rerun",
            selection_mode="cell",
            key=CHART_KEY,
            alt="Confusion matrix: true digit by predicted digit",
        )
    with words:
        st.markdown(
            "Each row is a true digit, each column what the model said. The diagonal (violet) "
            "holds the right answers; every other cell is a kind of mistake, redder when more "
            "frequent."
        )
        st.markdown("**Click a cell**, or pick a pair here, to see those test digits below.")
        left, right = st.columns(2)
        left.selectbox("True digit", [ANY, *range(10)], format_func=_digit, key=TRUE_KEY)
        right.selectbox("Predicted digit", [ANY, *range(10)], format_func=_digit, key=PREDICTED_KEY)
        if true is not None and predicted is not None:
            st.markdown(
                f"**{scores.evaluation.confusion[true, predicted]:,}** test digits are **{true}**s "
                f"read as **{predicted}**."
            )


def _clicked_cell(event: dict | None) -> tuple[int, int] | None:
    """The (true, predicted) cell selected on the confusion matrix, if any."""
    points = (event or {}).get("selection", {}).get("cell") or []
    if not points:
        return None
    return int(points[0]["true"]), int(points[0]["predicted"])


def _pair() -> tuple[int | None, int | None]:
    return st.session_state.get(TRUE_KEY), st.session_state.get(PREDICTED_KEY)


def _gallery(scores: TestScores) -> np.ndarray:
    """Thumbnails of the chosen cell (or of the mistakes), each a button that explains it."""
    true, predicted = _pair()
    indices = scores.chosen(true, predicted)
    if true is not None and predicted is not None:
        kind = "right answers" if true == predicted else "mistakes"
        st.subheader(f"True {true}, predicted {predicted}: {len(indices):,} {kind}")
    else:
        which = "" if true is None else f" on {true}s"
        which += "" if predicted is None else f" read as {predicted}"
        st.subheader(f"Mistakes{which}: {len(indices):,}")
    if not len(indices):
        st.info("No test digits in this cell.")
        return indices
    pages = -(-len(indices) // PAGE_SIZE)
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages})", 1, pages, step=1, key=PAGE_KEY, width=200))
    st.caption("Most confident first. Press one to see why the model read it that way.")
    shown = indices[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    with st.container(key="gallery"):  # five across on a phone, not one (app.py's stylesheet)
        for start in range(0, len(shown), COLUMNS):
            columns = st.columns(COLUMNS)
            for column, index in zip(columns, shown[start : start + COLUMNS], strict=False):
                with column:
                    _thumbnail(scores, int(index))
    return shown


def _thumbnail(scores: TestScores, index: int) -> None:
    guess = int(scores.predicted[index])
    sure = scores.probabilities[index, guess]
    st.image(_enlarged(scores.images[index]), caption=f"{sure:.0%} sure", width="stretch")
    st.button(
        f"{scores.labels[index]} → {guess}",
        key=f"{PICK_PREFIX}{index}",
        on_click=_pick,
        args=(index,),
        help=f"Test digit #{index}: true {scores.labels[index]}, predicted {guess}",
        width="stretch",
        type="primary" if st.session_state.get(PICK_KEY) == index else "secondary",
    )


def _pick(index: int) -> None:
    st.session_state[PICK_KEY] = index


def _enlarged(image: np.ndarray, size: int = 112) -> np.ndarray:
    """Nearest-neighbour upscaling to about `size` px, so the browser shows crisp pixels."""
    factor = max(1, size // image.shape[0])
    return np.kron(image, np.ones((factor, factor), dtype=image.dtype))


def _explanation(scores: TestScores, classifier: SoftmaxClassifier, shown: np.ndarray) -> None:
    index = st.session_state.get(PICK_KEY)
    if index is None or not 0 <= index < len(scores.labels):
        index = int(shown[0])
    true, guess = int(scores.labels[index]), int(scores.predicted[index])
    verdict = "right" if true == guess else "wrong"
    x = classifier.prepare(scores.images[index : index + 1])[0]  # (side, side)
    words, sees = st.columns([5, 1], gap="large", vertical_alignment="center")
    words.subheader(f"Test digit #{index}: a {true}, read as {guess} ({verdict})")
    words.caption("What the model sees, right; its answer and the reasons, below.")
    sees.altair_chart(charts.pixel_grid(x, size=120), width="content", key="explorer_input")
    reading = explain_input(x, classifier)
    why_not.panel(reading, classifier, "explorer", expanded=True)


def _digit(value: int | None) -> str:
    return "any" if value is None else str(value)
