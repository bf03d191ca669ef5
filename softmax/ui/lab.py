"""The teaching lab on the drawing page: one expander of tabs, one tab per tool.

Why A and not B (`why_not`), every preprocessing step (`preprocessing`), the smallest change that
flips the answer (`flip`) and edited weights (`weight_edit`) each need the page's reading, so
they sit in the stroke's fragment. Closed, the expander builds nothing, and a stroke costs one
small element more; open, only the chosen tab is built (Streamlit's lazy expander and tabs).
"""

from __future__ import annotations

import functools

import streamlit as st

from softmax.i18n import LANGUAGES, Messages
from softmax.model import SoftmaxClassifier
from softmax.preprocess import Stage
from softmax.ui import flip, preprocessing, weight_edit, why_not
from softmax.ui.language import messages, restate
from softmax.ui.reading import Reading, shielded

TABS = ("why_not", "steps", "flip", "weight_edit")  # each tab's label is `lab.tab.<name>`


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
    t = messages()
    restate(f"lab-{page}")
    box = st.expander(
        t("lab.title"), key=f"lab-{page}", on_change="rerun", icon=":material/science:"
    )
    if not box.open:
        return
    with box:
        labels = {name: t(f"lab.tab.{name}") for name in TABS}
        restate(f"lab-tabs-{page}", {label: labels[name] for label, name in _any_label().items()})
        tabs = st.tabs(list(labels.values()), key=f"lab-tabs-{page}", on_change="rerun")
        tools = (
            lambda: why_not.contents(reading, classifier, page),
            lambda: preprocessing.contents(
                steps, classifier, None if reading is None else reading.x, page
            ),
            lambda: flip.contents(reading, classifier, page),
            lambda: weight_edit.contents(reading, trained, page),
        )
        for tab, label, tool in zip(tabs, labels.values(), tools, strict=True):
            if tab.open:
                with tab, shielded(label):
                    tool()


@functools.cache
def _any_label() -> dict[str, str]:
    """Each tab's label in every language -> the tab's name."""
    return {Messages(lang)(f"lab.tab.{name}"): name for lang in LANGUAGES for name in TABS}
