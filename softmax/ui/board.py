"""The class board (`/board?code=CODE`): what the class has drawn and how the model reads it, on
the projector, refreshing itself every few seconds.

How many students and drawings; the newest drawings with what each student said and what the
model read (misreads marked); the class's model's accuracy on the class's digits next to its
accuracy on MNIST's test set; the class confusion matrix (click a cell to see those drawings);
and the digit the class writes that the model reads worst. The whole class is read from the
store on each refresh (≈ 60 ms at 1,500 drawings on PostgreSQL); nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np
import streamlit as st

from softmax import charts, figures, links
from softmax.classroom import ClassDrawings, ClassInfo, UnknownClass, normalize_code
from softmax.data import DataError
from softmax.evaluation import Evaluation, evaluate
from softmax.model import SoftmaxClassifier
from softmax.store import StoreUnavailable
from softmax.ui import lesson, state
from softmax.ui.markdown import literal, plain
from softmax.ui.reading import shielded

REFRESH_SECONDS = 4.0
NEWEST = 12  # drawings in the gallery
CELL_SHOWN = 24  # drawings shown for a clicked confusion-matrix cell
WORST_AT_LEAST = 3  # drawings of a digit before the board calls it the worst read
CHART_KEY = "board_confusion"
CODE_INPUT = "board_code"


@dataclass(frozen=True)
class Scores:
    """The class's digits as the current model reads them."""

    evaluation: Evaluation
    predicted: np.ndarray  # (n,) the current model's answer for each drawing


def render() -> None:
    code = normalize_code(st.query_params.get("code", ""))
    if not code:
        _ask_for_code()
        return
    board(code)


def _ask_for_code() -> None:
    st.title("Class board")
    st.text_input("Class code", key=CODE_INPUT, max_chars=12, placeholder="e.g. K7MXR")
    if st.session_state.get(CODE_INPUT):
        st.query_params["code"] = normalize_code(st.session_state[CODE_INPUT])
        st.rerun()


@st.fragment(run_every=REFRESH_SECONDS)
def board(code: str) -> None:
    """The whole board, read again every REFRESH_SECONDS."""
    try:
        info = lesson.store().get_class(code)
        data = lesson.store().class_drawings(code)
    except UnknownClass:
        st.title("Class board")
        st.error(f"There is no class with the code **{literal(code)}**.")
        return
    except StoreUnavailable:
        st.title("Class board")
        st.warning("The class's database is not answering; the board tries again by itself.")
        return
    _header(info)
    classifier = lesson.class_classifier(info)
    scores = _scores(data, classifier)
    with shielded("the counts"):
        _counts(info, data, classifier, scores)
    if not len(data):
        st.info(
            "No drawings yet. Students: open the join page, draw a digit and tap what you drew.",
            icon=":material/draw:",
        )
        return
    with shielded("the newest drawings"):
        st.subheader("Newest drawings")
        newest = np.arange(len(data))[::-1][:NEWEST]
        st.caption("What each student said they drew, and what the model read as they drew it.")
        st.html(_gallery(data, newest, data.predicted, "The newest drawings"))
    if scores is not None:
        with shielded("the confusion matrix"):
            _confusion(data, scores)


def _header(info: ClassInfo) -> None:
    """The class's name, and how to join it (a latecomer scans the board)."""
    url = links.join_url(lesson.public_base(), info.code)
    title, qr = st.columns([4, 1], vertical_alignment="center")
    with title:
        st.title(plain(info.name))
        if info.is_open:
            st.markdown(f"Join with the code **{info.code}** at `{url}`")
        else:
            st.markdown(f"Code **{info.code}** · the class is closed: no one else can join.")
    if info.is_open:
        qr.image(_qr(url), width=150)


@st.cache_data(show_spinner=False, max_entries=16)
def _qr(url: str) -> bytes:
    return links.qr_png(url, scale=6)


def _scores(data: ClassDrawings, classifier: SoftmaxClassifier | None) -> Scores | None:
    if classifier is None or not len(data):
        return None
    predicted = classifier.logits(classifier.prepare(data.x)).argmax(axis=1)
    return Scores(Evaluation.of(data.y, predicted, classifier.n_classes), predicted)


@st.cache_data(show_spinner=False, max_entries=8)
def _mnist_accuracy(fingerprint: str, _classifier: SoftmaxClassifier) -> float | None:
    """The model's accuracy on MNIST's 10,000 test digits, once per model; None without MNIST."""
    try:
        (_, _), (x_test, y_test) = state.mnist()
    except DataError:
        return None
    return evaluate(_classifier, x_test, y_test).accuracy


def _counts(
    info: ClassInfo,
    data: ClassDrawings,
    classifier: SoftmaxClassifier | None,
    scores: Scores | None,
) -> None:
    students, drawings, on_class, on_mnist = st.columns(4)
    students.metric("Students", info.students)
    drawings.metric("Drawings", len(data))
    if scores is not None:
        on_class.metric(
            "Model on our digits",
            f"{scores.evaluation.accuracy:.0%}",
            help="The class's model today, on every digit the class has drawn and labelled.",
        )
    mnist = None if classifier is None else _mnist_accuracy(classifier.fingerprint, classifier)
    if mnist is not None:
        on_mnist.metric(
            "Model on MNIST", f"{mnist:.0%}", help="The same model on MNIST's 10,000 test digits."
        )
    if scores is not None:
        _worst(scores)


def _worst(scores: Scores) -> None:
    """The digit the class writes that the model reads worst, and what it takes it for."""
    evaluation = scores.evaluation
    counts = evaluation.confusion.sum(axis=1)
    candidates = [d for d in range(10) if counts[d] >= WORST_AT_LEAST]
    if not candidates:
        return
    worst = min(candidates, key=lambda d: (evaluation.per_class_accuracy[d], -counts[d]))
    right = int(evaluation.confusion[worst, worst])
    if right == counts[worst]:
        st.success("So far the model reads every digit this class has drawn right.")
        return
    row = evaluation.confusion[worst].copy()
    row[worst] = 0
    taken_for = int(row.argmax())
    st.warning(
        f"The model reads this class's **{worst}s** worst: {right} of {int(counts[worst])} right; "
        f"it takes them most often for **{taken_for}**.",
        icon=":material/psychology_alt:",
    )


def _gallery(data: ClassDrawings, indices: np.ndarray, predicted: np.ndarray, label: str) -> str:
    """Thumbnails with who drew them, what they said and what the model read (`predicted`)."""
    items = []
    for i in indices:
        said, read = int(data.y[i]), int(predicted[i])
        miss = said != read
        verdict = f"read {read} ✗" if miss else "read right ✓"
        name = escape(data.student_name(str(data.student_ids[i])))
        items.append(
            f'<figure class="sm-class-drawing{" sm-misread" if miss else ""}" '
            f'data-label="{said}" data-predicted="{read}">'
            f'<img src="{figures.png(data.x[i])}" alt="a {said} by {name}">'
            f"<figcaption><b>{said}</b> · {verdict}<br><small>{name}</small></figcaption>"
            "</figure>"
        )
    return (
        f'<div class="sm-class-gallery" role="img" aria-label="{escape(label)}">'
        + "".join(items)
        + "</div>"
    )


def _confusion(data: ClassDrawings, scores: Scores) -> None:
    st.subheader("How the model reads this class")
    matrix, cell = st.columns([3, 2], gap="large")
    with matrix:
        event = st.altair_chart(
            charts.confusion_heatmap(scores.evaluation.confusion),
            on_select="rerun",
            selection_mode="cell",
            key=CHART_KEY,
            alt="Class confusion matrix: the digit drawn by the digit the model read",
        )
    points = (event or {}).get("selection", {}).get("cell") or []
    with cell:
        if not points:
            st.markdown(
                "Each row is the digit the students drew, each column what the model reads "
                "today. **Click a cell** to see those drawings."
            )
            return
        true, read = int(points[0]["true"]), int(points[0]["predicted"])
        chosen = np.flatnonzero((data.y == true) & (scores.predicted == read))[::-1]
        st.markdown(f"**{len(chosen)}** drawings of **{true}** the model reads as **{read}**.")
        if len(chosen):
            shown = chosen[:CELL_SHOWN]
            st.html(_gallery(data, shown, scores.predicted, f"Drawings of {true} read as {read}"))
