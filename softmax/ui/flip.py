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

from softmax import figures, lab_figures
from softmax.counterfactual import MARGIN, smallest_flip
from softmax.model import SoftmaxClassifier
from softmax.ui.reading import Reading, digit_picker

CLEAR_MARGIN = math.log(9)  # logits: the target 9 times as likely as each other digit


def contents(reading: Reading | None, classifier: SoftmaxClassifier | None, page: str) -> None:
    if reading is None or reading.decomposition is None or classifier is None:
        st.caption("Draw a digit first: then pick the digit you want the model to see.")
        return
    ranked = reading.decomposition.top(10)
    choose, how = st.columns(2, vertical_alignment="bottom")
    with choose:
        target = digit_picker("Make it a", f"flip-target-{page}", ranked[1], "the runner-up")
    with how:
        clearly = st.toggle(
            "Clearly: 9 to 1", key=f"flip-clearly-{page}",
            help="Off: the least change that just tips the answer (about 50–50). On: the least "
            f"that makes the target 9 times as likely as any other digit (ahead by ln 9 ≈ "
            f"{CLEAR_MARGIN:.1f} in score).",
        )  # fmt: skip
    flip = smallest_flip(classifier, reading.x, target, CLEAR_MARGIN if clearly else MARGIN)
    if flip.status == "already":
        st.info(f"The model already reads it as {target}: pick another digit.")
        return
    if flip.status == "impossible":
        blockers = " and ".join(map(str, flip.competitors))
        st.warning(
            f"No drawing at all makes this model answer {target}: whatever the ink, "
            f"{blockers} together outscore it. Some digits a softmax can never be talked into."
        )
        return
    picture, bars = st.columns([2, 3], gap="large")
    with picture:
        st.html(lab_figures.change_overlay(flip))
    with bars:
        st.html(
            figures.probability_bars(
                flip.probabilities, flip.digit, label="After the change", answer=False
            )
        )
        st.caption("The probabilities after the change.")
    overtaken = ", ".join(map(str, flip.competitors))
    st.markdown(
        f"Adding **{flip.ink_added:.1f}** pixels' worth of ink (blue) and removing "
        f"**{flip.ink_removed:.1f}** (red) makes the model answer **{target}** "
        f"({flip.probabilities[target]:.0%} sure): the least change that does, exactly "
        f"(size ‖δ‖ = {flip.norm:.2f}; one pixel turned fully on is 1)."
    )
    st.caption(
        f"For a softmax the cheapest direction is known exactly: along w{target} − wk for each "
        f"digit k that {target} had to overtake (here {overtaken}), every pixel stopping where "
        "it reaches black or white."
    )
