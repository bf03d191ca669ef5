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
from softmax.ui.language import messages, restate
from softmax.ui.reading import Reading, digit_picker, shielded


def panel(
    reading: Reading | None,
    classifier: SoftmaxClassifier | None,
    page: str,
    expanded: bool = False,
) -> None:
    """The expander (keys `why-not-<page>`, `why-a-<page>`, `why-b-<page>`); built when open."""
    t = messages()
    restate(f"why-not-{page}")
    box = st.expander(
        t("why_not.title"),
        expanded=expanded,
        key=f"why-not-{page}",
        on_change="rerun",
        icon=":material/compare_arrows:",
    )
    if box.open:
        with box, shielded(t("lab.tab.why_not")):
            contents(reading, classifier, page)


def contents(reading: Reading | None, classifier: SoftmaxClassifier | None, page: str) -> None:
    t = messages()
    if reading is None or reading.decomposition is None or classifier is None:
        st.caption(t("why_not.draw_first"))
        return
    ranked = reading.decomposition.top(10)
    left, right = st.columns(2)
    with left:
        a = digit_picker(t("why_not.why"), f"why-a-{page}", ranked[0], t("why_not.the_answer"))
    with right:
        runner_up = next(k for k in ranked if k != a)
        b = digit_picker(t("why_not.and_not"), f"why-b-{page}", runner_up, t("why_not.best_other"))
    if a == b:
        st.info(t("why_not.pick_two"))
        return
    contrast = explain.contrast(classifier, reading.x, a, b)
    picture, words = st.columns([2, 3], gap="large")
    with picture:
        st.html(lab_figures.contrast_map(contrast, t=t))
    with words:
        st.markdown(explain.contrast_in_words(contrast, t=t))
        st.caption(t("why_not.map_caption", a=a, b=b))
