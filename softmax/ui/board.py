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
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier
from softmax.store import StoreUnavailable
from softmax.ui import lesson, state
from softmax.ui.language import messages
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
    t = messages()
    st.title(t("app.pages.board"))
    st.text_input(
        t("board.code"),
        key=CODE_INPUT,
        max_chars=12,
        placeholder=t("board.code_example", code=lesson.EXAMPLE_CODE),
    )
    if st.session_state.get(CODE_INPUT):
        st.query_params["code"] = normalize_code(st.session_state[CODE_INPUT])
        st.rerun()


@st.fragment(run_every=REFRESH_SECONDS)
def board(code: str) -> None:
    """The whole board, read again every REFRESH_SECONDS."""
    t = messages()
    try:
        info = lesson.store().get_class(code)
        data = lesson.store().class_drawings(code)
    except UnknownClass:
        st.title(t("app.pages.board"))
        st.error(t("lesson.refused.unknown_class", code=f"**{literal(code)}**"))
        return
    except StoreUnavailable:
        st.title(t("app.pages.board"))
        st.warning(t("board.unavailable"))
        return
    _header(info)
    classifier = lesson.class_classifier(info)
    scores = _scores(data, classifier)
    with shielded(t("board.counts_section")):
        _counts(info, data, classifier, scores)
    if not len(data):
        st.info(t("board.no_drawings"), icon=":material/draw:")
        return
    with shielded(t("board.newest_section")):
        st.subheader(t("board.newest"))
        newest = np.arange(len(data))[::-1][:NEWEST]
        st.caption(t("board.newest_caption"))
        st.html(_gallery(data, newest, data.predicted, t("board.newest_label"), t))
    if scores is not None:
        with shielded(t("board.confusion_section")):
            _confusion(data, scores)


def _header(info: ClassInfo) -> None:
    """The class's name, and how to join it (a latecomer scans the board)."""
    t = messages()
    url = links.join_url(lesson.public_base(), info.code)
    title, qr = st.columns([4, 1], vertical_alignment="center")
    with title:
        st.title(plain(info.name))
        if info.is_open:
            st.markdown(t("board.join_with", code=info.code, url=literal(url)))
        else:
            st.markdown(t("board.closed", code=info.code))
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
    t = messages()
    students, drawings, on_class, on_mnist = st.columns(4)
    students.metric(t("board.students"), t.number(info.students))
    drawings.metric(t("board.drawings"), t.number(len(data)))
    if scores is not None:
        on_class.metric(
            t("board.on_ours"),
            t.percent(scores.evaluation.accuracy),
            help=t("board.on_ours_help"),
        )
    mnist = None if classifier is None else _mnist_accuracy(classifier.fingerprint, classifier)
    if mnist is not None:
        on_mnist.metric(t("board.on_mnist"), t.percent(mnist), help=t("board.on_mnist_help"))
    if scores is not None:
        _worst(scores)


def _worst(scores: Scores) -> None:
    """The digit the class writes that the model reads worst, and what it takes it for."""
    t = messages()
    evaluation = scores.evaluation
    counts = evaluation.confusion.sum(axis=1)
    candidates = [d for d in range(10) if counts[d] >= WORST_AT_LEAST]
    if not candidates:
        return
    worst = min(candidates, key=lambda d: (evaluation.per_class_accuracy[d], -counts[d]))
    right = int(evaluation.confusion[worst, worst])
    if right == counts[worst]:
        st.success(t("board.all_right"))
        return
    row = evaluation.confusion[worst].copy()
    row[worst] = 0
    taken_for = int(row.argmax())
    st.warning(
        t.plural("board.worst", int(counts[worst]), worst=worst, right=right, taken_for=taken_for),
        icon=":material/psychology_alt:",
    )


def _gallery(
    data: ClassDrawings, indices: np.ndarray, predicted: np.ndarray, label: str, t: Messages
) -> str:
    """Thumbnails with who drew them, what they said and what the model read (`predicted`)."""
    items = []
    for i in indices:
        said, read = int(data.y[i]), int(predicted[i])
        miss = said != read
        verdict = t("board.read_as", read=read) if miss else t("board.read_right")
        student = str(data.student_ids[i])
        name = lesson.student_name(student, data.nicknames.get(student), t)
        alt = escape(t("board.drawn_by", said=said, name=name))
        items.append(
            f'<figure class="sm-class-drawing{" sm-misread" if miss else ""}" '
            f'data-label="{said}" data-predicted="{read}">'
            f'<img src="{figures.png(data.x[i])}" alt="{alt}">'
            f"<figcaption><b>{said}</b> · {escape(verdict)}<br><small>{escape(name)}</small>"
            "</figcaption>"
            "</figure>"
        )
    return (
        f'<div class="sm-class-gallery" role="img" aria-label="{escape(label)}">'
        + "".join(items)
        + "</div>"
    )


def _confusion(data: ClassDrawings, scores: Scores) -> None:
    t = messages()
    st.subheader(t("board.how"))
    matrix, cell = st.columns([3, 2], gap="large")
    with matrix:
        event = st.altair_chart(
            charts.confusion_heatmap(scores.evaluation.confusion, t=t),
            on_select="rerun",
            selection_mode="cell",
            key=CHART_KEY,
            alt=t("board.matrix_alt"),
        )
    points = (event or {}).get("selection", {}).get("cell") or []
    with cell:
        if not points:
            st.markdown(t("board.click"))
            return
        true, read = int(points[0]["true"]), int(points[0]["predicted"])
        chosen = np.flatnonzero((data.y == true) & (scores.predicted == read))[::-1]
        st.markdown(t.plural("board.cell", len(chosen), true=true, read=read))
        if len(chosen):
            shown = chosen[:CELL_SHOWN]
            label = t("board.cell_label", true=true, read=read)
            st.html(_gallery(data, shown, scores.predicted, label, t))
