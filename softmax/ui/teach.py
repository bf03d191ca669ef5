"""Teach the model our handwriting: the Classroom page's training on a class's own digits.

The teacher starts it; it trains in the training child process (softmax/training_jobs.py), in
the server's one training slot and under the store's training lease, so one run goes at a time
across every replica (a refused Start says who holds it). It learns the `drawn` recipe plus the
digits of about three quarters of the class's students, sharing `class_training.class_weight`;
the other students' digits are held out (softmax/class_training.py), and the page reports the
class's model before and the new one after on those digits and on MNIST's test set. Nothing
changes for the class until the teacher adopts the new model; every student page then reads
with it from its next stroke. The weight maps before and after, side by side, show what this
class changed.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from softmax import explain, figures
from softmax.class_training import (
    LEAST_TO_TRAIN,
    Comparison,
    Split,
    class_weight,
    compare,
    split_by_student,
    teaching_recipe,
)
from softmax.classroom import ClassDrawings, ClassInfo, ClassroomError
from softmax.data import DataError
from softmax.model import SoftmaxClassifier
from softmax.store import StoreUnavailable
from softmax.training_jobs import BY_TEACHER, TrainingJob
from softmax.training_lease import TrainingRefused
from softmax.ui import lesson, state, training
from softmax.ui.language import messages

TEACHING_KEY = "teach_teaching"  # this session's Teaching
REFUSED_KEY = "teach_refused"


@dataclass
class Teaching:
    """One run of "Teach the model": what it learns from, what it is scored on, and its job."""

    code: str
    job: TrainingJob
    before: SoftmaxClassifier
    data: ClassDrawings  # the class as it was when the run started
    split: Split
    comparison: Comparison | None = field(default=None)
    adopted: bool = False


def section(info: ClassInfo) -> None:
    t = messages()
    st.subheader(t("teach.title"))
    try:
        data = lesson.store().class_drawings(info.code)
    except (ClassroomError, StoreUnavailable) as error:
        st.error(t("teach.read_failed", why=lesson.refusal(error, t)))
        return
    teaching: Teaching | None = st.session_state.get(TEACHING_KEY)
    if teaching is not None and teaching.code != info.code:
        teaching = None
    split = split_by_student(data)
    st.markdown(
        t.plural(
            "teach.how",
            len(data.nicknames),
            weight=t.number(round(_weight(split), 1)),
            held=t.number(len(split.held_out_students)),
        )
    )
    if len(data) < LEAST_TO_TRAIN or not split.n_held_out:
        st.info(
            t("teach.least", least=t.number(LEAST_TO_TRAIN), have=t.number(len(data))),
            icon=":material/hourglass_empty:",
        )
        return
    running = teaching is not None and teaching.job.running
    st.button(
        t("teach.start"), key="teach_start", type="primary", icon=":material/school:",
        on_click=_start, args=(info, data, split), disabled=running,
        help=t("teach.start_help", n=t.number(split.n_train)),
    )  # fmt: skip
    refused = st.session_state.pop(REFUSED_KEY, None)
    if refused:
        st.warning(refused, icon=":material/hourglass_top:")
    if running:
        _live(teaching)
    elif teaching is not None:
        _result(teaching)


def _start(info: ClassInfo, data: ClassDrawings, split: Split) -> None:
    """Start the run under the server's slot and the store's lease (training.start)."""
    t = messages()
    try:
        before = lesson.class_classifier(info)
    except StoreUnavailable as error:
        st.session_state[REFUSED_KEY] = t("teach.not_now", why=lesson.refusal(error, t))
        return
    folder = Path(tempfile.mkdtemp(prefix="softmax-class-"))
    extra = folder / "class.npz"
    np.savez(extra, x=data.x[split.train], y=data.y[split.train])
    try:
        job = training.start(
            teaching_recipe(), "mnist", f"Teaching the model class {info.code}",
            on_end=lambda: shutil.rmtree(folder, ignore_errors=True),
            extra=extra, extra_weight=_weight(split),
        )  # fmt: skip
    except TrainingRefused as refused:
        st.session_state[REFUSED_KEY] = training.refusal(refused, t)
        return
    st.session_state[TEACHING_KEY] = Teaching(info.code, job, before, data, split)


def _weight(split: Split) -> float:
    """What each of the class's training digits weighs (a class too small to train yet is told
    the weight its first digits would get)."""
    return class_weight(max(split.n_train, 1))


@st.fragment(run_every=1.0)
def _live(teaching: Teaching) -> None:
    t = messages()
    progress = teaching.job.progress()
    if progress.done:
        st.rerun()
    done = len(progress.epochs)
    text = t("teach.starting")
    if done:
        accuracy = t.percent(progress.epochs[-1].val_accuracy, 1)
        text = t(
            "teach.epoch", done=t.number(done), total=t.number(progress.total), accuracy=accuracy
        )
    bar, stop = st.columns([5, 1], vertical_alignment="bottom")
    bar.progress(done / progress.total, text=text)
    stop.button(
        t("teach.stop"), key="teach_stop", on_click=teaching.job.stop, kwargs={"by": BY_TEACHER},
        icon=":material/stop:", width="stretch",
    )  # fmt: skip


def _result(teaching: Teaching) -> None:
    t = messages()
    progress = teaching.job.progress()
    if progress.error is not None or progress.result is None:
        st.error(t("teach.failed", detail=progress.error))
        return
    after = progress.result.classifier
    if teaching.comparison is None:
        teaching.comparison = compare(
            teaching.before, after, teaching.data, teaching.split, _mnist_test()
        )
    comparison = teaching.comparison
    st.markdown(
        t(
            "teach.before_after",
            held_out=t.number(comparison.n_held_out),
            trained=t.number(comparison.n_trained),
        )
    )
    held_out, mnist = st.columns(2)
    _before_after(held_out, t("teach.held_out"), comparison.before.held_out,
                  comparison.after.held_out)  # fmt: skip
    _before_after(mnist, t("teach.mnist"), comparison.before.mnist, comparison.after.mnist)
    if teaching.adopted:
        st.success(t("teach.adopted"))
    else:
        st.button(
            t("teach.adopt"), key="teach_adopt", type="primary",
            icon=":material/published_with_changes:", on_click=_adopt, args=(teaching, after),
        )  # fmt: skip
    _weight_maps(teaching.before, after)


def _before_after(column, label: str, before: float | None, after: float | None) -> None:
    t = messages()
    if before is None or after is None:
        column.metric(label, "—", help=t("teach.no_mnist"))
        return
    change = (after - before) * 100
    delta = t("teach.points", delta=("-" if change < 0 else "+") + t.number(abs(change), 1))
    column.metric(label, t.percent(after, 1), delta=delta,
                  help=t("teach.before_was", accuracy=t.percent(before, 1)))  # fmt: skip


def _mnist_test() -> tuple[np.ndarray, np.ndarray] | None:
    try:
        return state.mnist()[1]
    except DataError:
        return None


def _adopt(teaching: Teaching, after: SoftmaxClassifier) -> None:
    t = messages()
    try:
        store = lesson.store()
        stored = store.save_model(teaching.code, after)
        store.adopt_model(teaching.code, stored.id)
    except (ClassroomError, StoreUnavailable) as error:
        st.session_state[REFUSED_KEY] = t("teach.adopt_failed", why=lesson.refusal(error, t))
        return
    teaching.adopted = True


def _weight_maps(before: SoftmaxClassifier, after: SoftmaxClassifier) -> None:
    t = messages()
    st.markdown(t("teach.maps"))
    maps = {"before": explain.weight_maps(before), "after": explain.weight_maps(after)}
    limit = max(explain.weight_scale(m) for m in maps.values())  # one scale: colours compare
    for column, (name, values) in zip(st.columns(2), maps.items(), strict=True):
        with column:
            st.markdown(f"*{t(f'teach.{name}')}*")
            st.html(
                figures.maps(
                    values,
                    [str(k) for k in range(10)],
                    limit,
                    label=t(f"teach.maps_{name}"),
                    legend=t("teach.weight"),
                    size=90,
                    t=t,
                )
            )
