"""The teaching lab on the drawing page: one expander of tabs, one tab per tool.

Why A and not B (`why_not`), every preprocessing step (`preprocessing`), the smallest change that
flips the answer (`flip`) and edited weights (`weight_edit`) each need the page's reading, so
they sit in the stroke's fragment. Closed, the expander builds nothing, and a stroke costs one
small element more; open, only the chosen tab is built (Streamlit's lazy expander and tabs).
"""

from __future__ import annotations

import streamlit as st

from softmax.model import SoftmaxClassifier
from softmax.preprocess import Stage
from softmax.ui import flip, preprocessing, weight_edit, why_not
from softmax.ui.reading import Reading, shielded

TITLE = "Teaching lab: why not another digit? every step; what would flip it; edit the weights"
TABS = ("Why A and not B", "Every preprocessing step", "Smallest change", "Edit the weights")


def panel(
    reading: Reading | None,
    classifier: SoftmaxClassifier | None,
    trained: SoftmaxClassifier | None,
    steps: list[Stage] | None,
    page: str,
) -> None:
    """The expander (key `lab-<page>`) and its tabs (key `lab-tabs-<page>`, valued by the open
    tab's label). `classifier` is the model the page reads with (edited, maybe), `trained` the
    model before any edit; `steps` the drawing's preprocessing, None without one."""
    box = st.expander(TITLE, key=f"lab-{page}", on_change="rerun", icon=":material/science:")
    if not box.open:
        return
    with box:
        tabs = st.tabs(list(TABS), key=f"lab-tabs-{page}", on_change="rerun")
        tools = (
            lambda: why_not.contents(reading, classifier, page),
            lambda: preprocessing.contents(
                steps, classifier, None if reading is None else reading.x, page
            ),
            lambda: flip.contents(reading, classifier, page),
            lambda: weight_edit.contents(reading, trained, page),
        )
        for tab, name, tool in zip(tabs, TABS, tools, strict=True):
            if tab.open:
                with tab, shielded(name.lower()):
                    tool()
