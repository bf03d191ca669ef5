"""The test-set explorer: how the chosen model does on digits it never saw, and why it errs.

The model's probabilities for every test digit are computed once per model (numpy, well under a
second for MNIST's 10,000, cached by the model's fingerprint); the accuracy, the confusion matrix
and the galleries are all indexing into them. A model with 64 inputs (trained on the Train page
on scikit-learn's 8×8 digits) is scored on those digits' test set instead of MNIST's. Its
words come from the session's catalogue (softmax/locales/*/explorer.toml); every widget keeps its
key and its language-free options across a switch of language.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import streamlit as st

from softmax import charts
from softmax.evaluation import Evaluation
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier
from softmax.ui import state, why_not
from softmax.ui.language import messages
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
MNIST, DIGITS = "mnist", "digits"  # the test sets


@dataclass(frozen=True)
class TestScores:
    """A model's probabilities for every image of a labelled test set; the rest is derived, once."""

    test_set: str  # MNIST or DIGITS
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
    t = messages()
    st.title(t("explorer.title"))
    classifier = state.current_classifier()
    if classifier is None:
        return
    scores = _scores(classifier, t)
    _summary(scores, t)
    st.divider()
    _confusion(scores, t)
    st.divider()
    indices = _gallery(scores, t)
    if len(indices):
        st.divider()
        _explanation(scores, classifier, indices, t)


def _scores(classifier: SoftmaxClassifier, t: Messages) -> TestScores:
    """The model's test-set scores; stops with a how-to message when MNIST is not available."""
    if classifier.n_inputs == 64:
        (_, _), (images, labels) = state.digits_8x8()
        test_set = DIGITS
    else:
        (_, _), (images, labels) = state.mnist_or_stop()
        test_set = MNIST
    with st.spinner(t("explorer.scoring")):
        probabilities = _probabilities(classifier.fingerprint, test_set, classifier, images)
    return TestScores(test_set, images, labels, probabilities)


@st.cache_data(show_spinner=False, max_entries=8)
def _probabilities(
    key: str, test_set: str, _classifier: SoftmaxClassifier, _images: np.ndarray
) -> np.ndarray:
    """(n, 10) probabilities, once per model (`key`, its fingerprint) and `test_set`."""
    return _classifier.predict_proba(_classifier.prepare(_images))


def _summary(scores: TestScores, t: Messages) -> None:
    evaluation = scores.evaluation
    per_class = evaluation.per_class_accuracy  # (10,)
    worst = int(per_class.argmin())
    mistakes = int(evaluation.n - evaluation.confusion.trace())
    st.caption(t(f"explorer.caption.{scores.test_set}", n=t.number(len(scores.labels))))
    accuracy, errors, hardest = st.columns(3)
    accuracy.metric(t("explorer.summary.accuracy"), t.percent(evaluation.accuracy, 1))
    errors.metric(
        t("explorer.summary.mistakes"),
        t.number(mistakes),
        help=t("explorer.summary.mistakes_help", n=t.number(len(scores.labels))),
    )
    hardest.metric(
        t("explorer.summary.hardest"),
        str(worst),
        help=t("explorer.summary.hardest_help", share=t.percent(per_class[worst], 1)),
    )
    st.altair_chart(
        charts.class_accuracy_bars(per_class, t=t),
        width="stretch",
        key="explorer_per_class",
        alt=t("explorer.summary.per_class"),
    )


def _confusion(scores: TestScores, t: Messages) -> None:
    st.subheader(t("explorer.confusion.header"))
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
                t=t,
            ),
            on_select="rerun",
            selection_mode="cell",
            key=CHART_KEY,
            alt=t("explorer.confusion.chart"),
        )
    with words:
        st.markdown(t("explorer.confusion.how_to_read"))
        st.markdown(t("explorer.confusion.click"))
        left, right = st.columns(2)
        digits = [ANY, *range(10)]
        shown = functools.partial(_digit, t=t)
        left.selectbox(t("explorer.confusion.true"), digits, format_func=shown, key=TRUE_KEY)
        right.selectbox(
            t("explorer.confusion.predicted"), digits, format_func=shown, key=PREDICTED_KEY
        )
        if true is not None and predicted is not None:
            count = int(scores.evaluation.confusion[true, predicted])
            st.markdown(t.plural("explorer.confusion.cell", count, true=true, predicted=predicted))


def _clicked_cell(event: dict | None) -> tuple[int, int] | None:
    """The (true, predicted) cell selected on the confusion matrix, if any."""
    points = (event or {}).get("selection", {}).get("cell") or []
    if not points:
        return None
    return int(points[0]["true"]), int(points[0]["predicted"])


def _pair() -> tuple[int | None, int | None]:
    return st.session_state.get(TRUE_KEY), st.session_state.get(PREDICTED_KEY)


def _gallery(scores: TestScores, t: Messages) -> np.ndarray:
    """Thumbnails of the chosen cell (or of the mistakes), each a button that explains it."""
    true, predicted = _pair()
    indices = scores.chosen(true, predicted)
    st.subheader(_gallery_title(true, predicted, len(indices), t))
    if not len(indices):
        st.info(t("explorer.gallery.empty"))
        return indices
    pages = -(-len(indices) // PAGE_SIZE)
    page = 1
    if pages > 1:
        label = t("explorer.gallery.page", pages=t.number(pages))
        page = int(st.number_input(label, 1, pages, step=1, key=PAGE_KEY, width=200))
    st.caption(t("explorer.gallery.caption"))
    shown = indices[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    with st.container(key="gallery"):  # five across on a phone, not one (app.py's stylesheet)
        for start in range(0, len(shown), COLUMNS):
            columns = st.columns(COLUMNS)
            for column, index in zip(columns, shown[start : start + COLUMNS], strict=False):
                with column:
                    _thumbnail(scores, int(index), t)
    return shown


def _gallery_title(true: int | None, predicted: int | None, n: int, t: Messages) -> str:
    """The gallery's heading: the cell chosen and how many digits it holds."""
    if true is not None and predicted is not None:
        kind = "right" if true == predicted else "wrong"
        return t.plural(f"explorer.gallery.{kind}", n, true=true, predicted=predicted)
    if true is not None:
        return t("explorer.gallery.mistakes_on", true=true, n=t.number(n))
    if predicted is not None:
        return t("explorer.gallery.mistakes_as", predicted=predicted, n=t.number(n))
    return t("explorer.gallery.mistakes", n=t.number(n))


def _thumbnail(scores: TestScores, index: int, t: Messages) -> None:
    true, guess = int(scores.labels[index]), int(scores.predicted[index])
    sure = t.percent(scores.probabilities[index, guess])
    caption = t("explorer.gallery.sure", share=sure)
    st.image(_enlarged(scores.images[index]), caption=caption, width="stretch")
    st.button(
        f"{true} → {guess}",
        key=f"{PICK_PREFIX}{index}",
        on_click=_pick,
        args=(index,),
        help=t("explorer.gallery.button_help", index=index, true=true, predicted=guess),
        width="stretch",
        type="primary" if st.session_state.get(PICK_KEY) == index else "secondary",
    )


def _pick(index: int) -> None:
    st.session_state[PICK_KEY] = index


def _enlarged(image: np.ndarray, size: int = 112) -> np.ndarray:
    """Nearest-neighbour upscaling to about `size` px, so the browser shows crisp pixels."""
    factor = max(1, size // image.shape[0])
    return np.kron(image, np.ones((factor, factor), dtype=image.dtype))


def _explanation(
    scores: TestScores, classifier: SoftmaxClassifier, shown: np.ndarray, t: Messages
) -> None:
    index = st.session_state.get(PICK_KEY)
    if index is None or not 0 <= index < len(scores.labels):
        index = int(shown[0])
    true, guess = int(scores.labels[index]), int(scores.predicted[index])
    verdict = "right" if true == guess else "wrong"
    x = classifier.prepare(scores.images[index : index + 1])[0]  # (side, side)
    words, sees = st.columns([5, 1], gap="large", vertical_alignment="center")
    words.subheader(t(f"explorer.explanation.{verdict}", index=index, true=true, predicted=guess))
    words.caption(t("explorer.explanation.caption"))
    sees.altair_chart(charts.pixel_grid(x, size=120, t=t), width="content", key="explorer_input")
    with st.container(key="explorer_reading"):  # the reading every page shares (reading.py)
        reading = explain_input(x, classifier)
        why_not.panel(reading, classifier, "explorer", expanded=True)


def _digit(value: int | None, t: Messages) -> str:
    return t("explorer.confusion.any") if value is ANY else str(value)
