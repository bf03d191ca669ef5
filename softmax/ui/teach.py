"""Teach the model our handwriting: the Classroom page's training on a class's own digits.

The teacher starts it; it trains in the training child process (softmax/training_jobs.py), in
the server's one training slot and under the store's training lease, so one run goes at a time
across every replica (a refused Start says who holds it). It learns the `drawn` recipe plus the
digits of about three quarters of the class's students, each weighing `recipes.CLASS_WEIGHT`;
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
from softmax.class_training import LEAST_TO_TRAIN, Comparison, Split, compare, split_by_student
from softmax.classroom import ClassDrawings, ClassInfo, ClassroomError
from softmax.data import DataError
from softmax.model import SoftmaxClassifier
from softmax.recipes import CLASS_WEIGHT, Recipe, get_recipe
from softmax.store import StoreUnavailable
from softmax.training_jobs import BY_TEACHER, TrainingJob
from softmax.training_lease import TrainingRefused
from softmax.ui import lesson, state, training

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


def teaching_recipe() -> Recipe:
    """What the class's model learns besides the class's digits: the drawn recipe."""
    return get_recipe("drawn")


def section(info: ClassInfo) -> None:
    st.subheader("Teach the model our handwriting")
    try:
        data = lesson.store().class_drawings(info.code)
    except (ClassroomError, StoreUnavailable) as error:
        st.error(f"Could not read the class's drawings: {error}.")
        return
    teaching: Teaching | None = st.session_state.get(TEACHING_KEY)
    if teaching is not None and teaching.code != info.code:
        teaching = None
    split = split_by_student(data)
    st.markdown(
        f"The model learns its usual drawn digits plus this class's own, each counting "
        f"{CLASS_WEIGHT:g} times. To score it honestly, the digits of "
        f"{len(split.held_out_students)} of the {len(data.nicknames)} students are kept out of "
        "training: the new model is measured on handwriting it has never seen."
    )
    if len(data) < LEAST_TO_TRAIN or not split.n_held_out:
        st.info(
            f"It needs at least {LEAST_TO_TRAIN} labelled digits from two students or more "
            f"(the class has {len(data)}).",
            icon=":material/hourglass_empty:",
        )
        return
    running = teaching is not None and teaching.job.running
    st.button(
        "Teach the model", key="teach_start", type="primary", icon=":material/school:",
        on_click=_start, args=(info, data, split), disabled=running,
        help=f"Trains on {split.n_train} of the class's digits (a minute or two).",
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
    try:
        before = lesson.class_classifier(info)
    except StoreUnavailable as error:
        st.session_state[REFUSED_KEY] = f"Not now: {error}."
        return
    folder = Path(tempfile.mkdtemp(prefix="softmax-class-"))
    extra = folder / "class.npz"
    np.savez(extra, x=data.x[split.train], y=data.y[split.train])
    try:
        job = training.start(
            teaching_recipe(), "mnist", f"Teaching the model class {info.code}",
            on_end=lambda: shutil.rmtree(folder, ignore_errors=True),
            extra=extra, extra_weight=CLASS_WEIGHT,
        )  # fmt: skip
    except TrainingRefused as refused:
        st.session_state[REFUSED_KEY] = str(refused)
        return
    st.session_state[TEACHING_KEY] = Teaching(info.code, job, before, data, split)


@st.fragment(run_every=1.0)
def _live(teaching: Teaching) -> None:
    progress = teaching.job.progress()
    if progress.done:
        st.rerun()
    done = len(progress.epochs)
    text = "Starting TensorFlow and reading the data…"
    if done:
        text = f"Epoch {done} of {progress.total} · test accuracy {progress.epochs[-1].val_accuracy:.1%}"
    bar, stop = st.columns([5, 1], vertical_alignment="bottom")
    bar.progress(done / progress.total, text=text)
    stop.button(
        "Stop", key="teach_stop", on_click=teaching.job.stop, kwargs={"by": BY_TEACHER},
        icon=":material/stop:", width="stretch",
    )  # fmt: skip


def _result(teaching: Teaching) -> None:
    progress = teaching.job.progress()
    if progress.error is not None or progress.result is None:
        st.error(f"Teaching the model failed: {progress.error}")
        return
    after = progress.result.classifier
    if teaching.comparison is None:
        teaching.comparison = compare(
            teaching.before, after, teaching.data, teaching.split, _mnist_test()
        )
    comparison = teaching.comparison
    st.markdown(
        f"**Before → after**, on the {comparison.n_held_out} digits of the students held out "
        f"(it learned from {comparison.n_trained} others):"
    )
    held_out, mnist = st.columns(2)
    _before_after(held_out, "Held-out students' digits", comparison.before.held_out,
                  comparison.after.held_out)  # fmt: skip
    _before_after(mnist, "MNIST test", comparison.before.mnist, comparison.after.mnist)
    if teaching.adopted:
        st.success("Adopted: every student page of the class reads with it from its next stroke.")
    else:
        st.button(
            "Adopt as the class model", key="teach_adopt", type="primary",
            icon=":material/published_with_changes:", on_click=_adopt, args=(teaching, after),
        )  # fmt: skip
    _weight_maps(teaching.before, after)


def _before_after(column, label: str, before: float | None, after: float | None) -> None:
    if before is None or after is None:
        column.metric(label, "—", help="MNIST is not available here.")
        return
    column.metric(label, f"{after:.1%}", delta=f"{(after - before) * 100:+.1f} points",
                  help=f"Before: {before:.1%}.")  # fmt: skip


def _mnist_test() -> tuple[np.ndarray, np.ndarray] | None:
    try:
        return state.mnist()[1]
    except DataError:
        return None


def _adopt(teaching: Teaching, after: SoftmaxClassifier) -> None:
    try:
        store = lesson.store()
        stored = store.save_model(teaching.code, after)
        store.adopt_model(teaching.code, stored.id)
    except (ClassroomError, StoreUnavailable) as error:
        st.session_state[REFUSED_KEY] = f"Could not adopt the model: {error}."
        return
    teaching.adopted = True


def _weight_maps(before: SoftmaxClassifier, after: SoftmaxClassifier) -> None:
    st.markdown("**The weight maps before and after**: what this class changed.")
    maps = {"Before": explain.weight_maps(before), "After": explain.weight_maps(after)}
    limit = max(explain.weight_scale(m) for m in maps.values())  # one scale: colours compare
    for column, (name, values) in zip(st.columns(2), maps.items(), strict=True):
        with column:
            st.markdown(f"*{name}*")
            st.html(
                figures.maps(
                    values,
                    [str(k) for k in range(10)],
                    limit,
                    label=f"The ten weight maps {name.lower()} teaching",
                    legend="weight",
                    size=90,
                )
            )
