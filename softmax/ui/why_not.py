"""Why A and not B: pick any two digits and see what separates them, exactly.

For a softmax the gap between two scores is logit_A − logit_B = Σ_i x_i·(w_iA − w_iB) + (b_A −
b_B): the map (w_A − w_B) ⊙ x shows every pixel's share of it, and the sentence says which part
of the drawing decides (softmax.explain.contrast). Nothing is approximated: the pixels' votes
and the bias difference add up to the gap.

On the drawing page it is a tab of the teaching lab (softmax/ui/lab.py); the test-set explorer
and the upload page show it as an expander of its own (`panel`), built only while open.
"""

from __future__ import annotations

import streamlit as st

from softmax import explain, lab_figures
from softmax.model import SoftmaxClassifier
from softmax.ui.reading import Reading, digit_picker, shielded

TITLE = "Why this digit and not another?"


def panel(
    reading: Reading | None,
    classifier: SoftmaxClassifier | None,
    page: str,
    expanded: bool = False,
) -> None:
    """The expander (keys `why-not-<page>`, `why-a-<page>`, `why-b-<page>`); built when open."""
    box = st.expander(
        TITLE,
        expanded=expanded,
        key=f"why-not-{page}",
        on_change="rerun",
        icon=":material/compare_arrows:",
    )
    if box.open:
        with box, shielded("why A and not B"):
            contents(reading, classifier, page)


def contents(reading: Reading | None, classifier: SoftmaxClassifier | None, page: str) -> None:
    if reading is None or reading.decomposition is None or classifier is None:
        st.caption("Draw a digit first: then pick two digits to see what separates them.")
        return
    ranked = reading.decomposition.top(10)
    left, right = st.columns(2)
    with left:
        a = digit_picker("Why", f"why-a-{page}", ranked[0], "the answer")
    with right:
        runner_up = next(k for k in ranked if k != a)
        b = digit_picker("and not", f"why-b-{page}", runner_up, "the best other")
    if a == b:
        st.info("Pick two different digits.")
        return
    contrast = explain.contrast(classifier, reading.x, a, b)
    picture, words = st.columns([2, 3], gap="large")
    with picture:
        st.html(lab_figures.contrast_map(contrast))
    with words:
        st.markdown(explain.contrast_in_words(contrast))
        st.caption(
            f"The map is your input times the difference of the two digits' weights, "
            f"(w{a} − w{b}) ⊙ x: blue pixels push the score towards {a}, red towards {b}, blank "
            "pixels not at all. The dashed boxes are the nine parts the sentence names. Every "
            "pixel's vote plus the bias difference adds up exactly to the gap between the two "
            "scores: nothing here is an approximation."
        )
