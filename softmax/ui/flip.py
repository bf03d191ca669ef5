"""The smallest change that flips the answer: "what would make this an 8?"

For a chosen digit, softmax.counterfactual.smallest_flip finds exactly the least ink to add or
remove (smallest ‖δ‖₂, every pixel within [0, 1]) that makes the model answer it: for a softmax
the change runs along w_target − w_k for each digit the target has to overtake. The panel shows
the changed input (added ink blue, removed ink red) and the probabilities after the change, or
says when no drawing at all could make the model answer that digit.

A tab of the teaching lab (softmax/ui/lab.py), built only while open.
"""

from __future__ import annotations

import math

import streamlit as st
from babel.lists import format_list

from softmax import figures, lab_figures
from softmax.counterfactual import MARGIN, smallest_flip
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier
from softmax.ui.language import messages
from softmax.ui.reading import Reading, digit_picker

CLEAR_MARGIN = math.log(9)  # logits: the target 9 times as likely as each other digit


def contents(reading: Reading | None, classifier: SoftmaxClassifier | None, page: str) -> None:
    t = messages()
    if reading is None or reading.decomposition is None or classifier is None:
        st.caption(t("flip.draw_first"))
        return
    ranked = reading.decomposition.top(10)
    choose, how = st.columns(2, vertical_alignment="bottom")
    with choose:
        target = digit_picker(
            t("flip.make_it"), f"flip-target-{page}", ranked[1], t("flip.runner_up")
        )
    with how:
        clearly = st.toggle(
            t("flip.clearly"),
            key=f"flip-clearly-{page}",
            help=t("flip.clearly_help", margin=t.number(CLEAR_MARGIN, 1)),
        )
    flip = smallest_flip(classifier, reading.x, target, CLEAR_MARGIN if clearly else MARGIN)
    if flip.status == "already":
        st.info(t("flip.already", target=target))
        return
    if flip.status == "impossible":
        st.warning(t("flip.impossible", target=target, blockers=_digits(flip.competitors, t)))
        return
    picture, bars = st.columns([2, 3], gap="large")
    with picture:
        st.html(lab_figures.change_overlay(flip, t=t))
    with bars:
        st.html(
            figures.probability_bars(
                flip.probabilities, flip.digit, label=t("flip.after"), answer=False, t=t
            )
        )
        st.caption(t("flip.after_caption"))
    st.markdown(
        t(
            "flip.result",
            added=t.number(flip.ink_added, 1),
            removed=t.number(flip.ink_removed, 1),
            target=target,
            sure=t.percent(flip.probabilities[target]),
            norm=t.number(flip.norm, 2),
        )
    )
    st.caption(t("flip.direction", target=target, overtaken=_digits(flip.competitors, t)))


def _digits(digits: list[int], t: Messages) -> str:
    """Digits as a list in the language's words: "3 and 5", "3, 5 및 8"."""
    return format_list([str(k) for k in digits], locale=t.lang)
