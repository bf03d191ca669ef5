"""Draw-a-digit softmax studio: the page frame and router (`streamlit run app.py`).

Each view is a module in softmax/ui/ with a `render()`; adding one is one `st.Page(view(...))` line
in PAGES. A view's module is imported when the view is first shown, so a visitor who only draws
never waits for the others' imports. The sidebar's model picker is drawn here so every view shares
the session's choice.

Every page has its own URL, `/draw` included: Streamlit serves its default page at `/` only, so the
default is a hidden page that moves the visitor on to `/draw` before anything is drawn, and a
bookmark, QR code or shared link to any page opens that page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import streamlit as st

from softmax import figures, lab_figures
from softmax.ui import STYLESHEET, state
from softmax.ui.language import language_switch, messages


def view(module: str) -> Callable[[], None]:
    """`softmax.ui.<module>.render`, imported on the first call."""

    def render() -> None:
        importlib.import_module(f"softmax.ui.{module}").render()

    render.__name__ = module  # Streamlit names a callable page after its function
    return render


t = messages()
st.set_page_config(page_title=t("app.tab_title"), page_icon="✏️", layout="wide")

DRAW = st.Page(view("draw"), title=t("app.pages.draw"), icon=":material/draw:", url_path="draw")
# A class's pages read with the class's model, not the sidebar's: they draw no model picker.
CLASS_PAGES = [
    st.Page(view("join"), title=t("app.pages.join"), icon=":material/group_add:", url_path="join"),
    st.Page(
        view("board"), title=t("app.pages.board"), icon=":material/dashboard:", url_path="board"
    ),
]
PAGES = [
    DRAW,
    st.Page(
        view("upload"),
        title=t("app.pages.upload"),
        icon=":material/photo_camera:",
        url_path="upload",
    ),
    st.Page(
        view("train_view"),
        title=t("app.pages.train"),
        icon=":material/model_training:",
        url_path="train",
    ),
    st.Page(
        view("explorer"),
        title=t("app.pages.explorer"),
        icon=":material/grid_on:",
        url_path="explorer",
    ),
    st.Page(
        view("model_card"),
        title=t("app.pages.model_card"),
        icon=":material/info:",
        url_path="model-card",
    ),
    st.Page(
        view("walkthrough"),
        title=t("app.pages.walkthrough"),
        icon=":material/school:",
        url_path="walkthrough",
    ),
    st.Page(
        view("classroom"),
        title=t("app.pages.classroom"),
        icon=":material/groups:",
        url_path="classroom",
    ),
    *CLASS_PAGES,
]

# The page frame and every figure's look: one stylesheet, sent once per page, never per stroke.
st.html(f"<style>{figures.CSS}{lab_figures.CSS}{STYLESHEET.read_text()}</style>")


def start() -> None:
    """`/`: on to the drawing page, at its own URL, with the address' query (a lesson link's
    drawing)."""
    st.switch_page(DRAW, query_params=st.query_params.to_dict())


page = st.navigation([st.Page(start, default=True, visibility="hidden"), *PAGES])
language_switch()
if page.url_path not in {class_page.url_path for class_page in CLASS_PAGES}:
    state.model_picker()
page.run()
