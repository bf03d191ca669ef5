"""Draw-a-digit softmax studio: the page frame and router (`streamlit run app.py`).

Each view is a module in softmax/ui/ with a `render()`; adding one is one `page(...)` line in PAGES
and its title in each language's softmax/locales/<lang>/app.toml. A view's module is imported when the view is first shown, so a visitor who only draws
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


def page(module: str, name: str, icon: str, url_path: str) -> st.Page:
    """The view `module` at `/url_path`, titled `app.pages.<name>` in the session's language."""
    return st.Page(view(module), title=t(f"app.pages.{name}"), icon=icon, url_path=url_path)


DRAW = page("draw", "draw", ":material/draw:", "draw")
# A class's pages read with the class's model, not the sidebar's: they draw no model picker.
CLASS_PAGES = [
    page("join", "join", ":material/group_add:", "join"),
    page("board", "board", ":material/dashboard:", "board"),
]
PAGES = [
    DRAW,
    page("upload", "upload", ":material/photo_camera:", "upload"),
    page("train_view", "train", ":material/model_training:", "train"),
    page("explorer", "explorer", ":material/grid_on:", "explorer"),
    page("model_card", "model_card", ":material/info:", "model-card"),
    page("walkthrough", "walkthrough", ":material/school:", "walkthrough"),
    page("classroom", "classroom", ":material/groups:", "classroom"),
    *CLASS_PAGES,
]

# The page frame and every figure's look: one stylesheet, sent once per page, never per stroke.
st.html(f"<style>{figures.CSS}{lab_figures.CSS}{STYLESHEET.read_text()}</style>")


def start() -> None:
    """`/`: on to the drawing page, at its own URL, with the address' query (a lesson link's
    drawing)."""
    st.switch_page(DRAW, query_params=st.query_params.to_dict())


current = st.navigation([st.Page(start, default=True, visibility="hidden"), *PAGES])
language_switch()
if current.url_path not in {class_page.url_path for class_page in CLASS_PAGES}:
    state.model_picker()
current.run()
