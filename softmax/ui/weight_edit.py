"""Edit the weights: a session-only copy of the model with a region of one digit's map changed.

Pick a digit, a rectangle of its 28×28 weight map and what to do there (erase it, halve, double,
triple or flip its votes); the preview shows the map before and after; Apply makes this
session's page read with the edited copy (softmax.counterfactual.edit_weights), so the
prediction, the bars and every explanation follow; Reset brings the trained model back. The
shared model is never touched: its arrays are read-only and every session reads them.

The edit is kept in plain session state for the model it was made on (`edited`), so it holds
while the teaching lab's tab (softmax/ui/lab.py) is closed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from softmax import explain, lab_figures
from softmax.counterfactual import edit_weights
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier
from softmax.ui.language import messages
from softmax.ui.reading import Reading, digit_picker

EDIT_KEY = "weight-edit"
SCALES = {-1.0: "flip", 0.0: "erase", 0.5: "half", 1.0: "same", 2.0: "double",
          3.0: "triple"}  # fmt: skip  # scale -> its stop's name, `weight_edit.scale.<name>`
SIDE = 28


@dataclass(frozen=True)
class Edit:
    """Digit `digit`'s weights times `scale` inside rows top…bottom−1, columns left…right−1,
    on the model whose fingerprint is `base`."""

    base: str
    digit: int
    region: tuple[int, int, int, int]  # top, left, bottom, right (exclusive)
    scale: float

    def in_words(self, t: Messages) -> str:
        """ "digit 7's weights ×0 in rows 8–19, columns 8–19", in `t`'s language."""
        top, left, bottom, right = self.region
        return t(
            "weight_edit.edit", digit=self.digit, scale=t.number(self.scale),
            top=top, bottom=bottom - 1, left=left, right=right - 1,
        )  # fmt: skip

    def apply(self, classifier: SoftmaxClassifier) -> SoftmaxClassifier:
        return edit_weights(classifier, self.digit, self.region, self.scale)


def edited(classifier: SoftmaxClassifier | None) -> SoftmaxClassifier | None:
    """The session's edited copy of `classifier`, or `classifier` itself when it has no edit."""
    edit = st.session_state.get(EDIT_KEY)
    if classifier is None or edit is None or edit.base != classifier.fingerprint:
        return classifier
    return edit.apply(classifier)


def notice(classifier: SoftmaxClassifier | None, page: str) -> None:
    """A line saying the page reads with an edited model, with Reset; nothing when it is not."""
    edit = st.session_state.get(EDIT_KEY)
    if classifier is None or edit is None or edit.base != classifier.fingerprint:
        return
    t = messages()
    with st.container(horizontal=True, vertical_alignment="center"):
        st.caption(t("weight_edit.notice", edit=edit.in_words(t)))
        st.button(
            t("weight_edit.reset"), key=f"edit-reset-notice-{page}", on_click=reset,
            type="tertiary",
        )  # fmt: skip


def contents(reading: Reading | None, classifier: SoftmaxClassifier | None, page: str) -> None:
    t = messages()
    if classifier is None:
        st.caption(t("weight_edit.pick_model"))
        return
    st.caption(t("weight_edit.intro"))
    answer = 0 if reading is None or reading.prediction is None else reading.prediction.digit
    digit_column, what_column = st.columns(2)
    with digit_column:
        digit = digit_picker(
            t("weight_edit.digit"), f"edit-digit-{page}", answer, t("weight_edit.the_answer")
        )
    with what_column:
        scale = st.select_slider(
            t("weight_edit.multiply"), list(SCALES), value=0.0,
            format_func=lambda s: t(f"weight_edit.scale.{SCALES[s]}"), key=f"edit-scale-{page}",
        )  # fmt: skip
    rows_column, columns_column = st.columns(2)
    with rows_column:
        rows = st.slider(t("weight_edit.rows"), 0, SIDE - 1, (8, 19), key=f"edit-rows-{page}")
    with columns_column:
        columns = st.slider(t("weight_edit.columns"), 0, SIDE - 1, (8, 19), key=f"edit-cols-{page}")
    pending = Edit(
        classifier.fingerprint,
        int(digit),
        (rows[0], columns[0], rows[1] + 1, columns[1] + 1),
        float(scale),
    )
    before = explain.weight_maps(classifier)
    after = explain.weight_maps(pending.apply(classifier))
    st.html(
        lab_figures.region_maps(
            np.stack([before[digit], after[digit]]),
            [t("weight_edit.as_trained", digit=digit), t("weight_edit.after_edit", digit=digit)],
            pending.region,
            explain.weight_scale(before),
            label=t("weight_edit.figure", digit=digit),
            t=t,
        )
    )
    applied = st.session_state.get(EDIT_KEY)
    with st.container(horizontal=True):
        st.button(
            t("weight_edit.apply"), key=f"edit-apply-{page}", on_click=_apply, args=(pending,),
            type="primary", icon=":material/check:", disabled=applied == pending,
        )  # fmt: skip
        st.button(
            t("weight_edit.reset"), key=f"edit-reset-{page}", on_click=reset,
            icon=":material/undo:", disabled=applied is None,
        )  # fmt: skip
    if applied is not None and applied.base == classifier.fingerprint:
        st.caption(t("weight_edit.in_use", edit=applied.in_words(t)))


def _apply(edit: Edit) -> None:
    st.session_state[EDIT_KEY] = edit


def reset() -> None:
    """Back to the trained model."""
    st.session_state[EDIT_KEY] = None
