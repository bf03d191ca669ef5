"""What every view shares: the session's model choice and cached loaders for models and MNIST.

Models and MNIST are loaded once per process with `st.cache_resource` (read-only arrays shared by
every session: never mutate them). The sidebar picker (`model_picker`, called by app.py on every
page) stores the choice under `st.session_state[CHOICE_KEY]`; views call `current_classifier()`.

Choices: the shipped models that exist on disk, a file named by the `SOFTMAX_MODEL` environment
variable, a model the teacher saved from the Train page with "Save as default" (`save_default`,
at `saved_model_path()`), and the model trained in this session, which the train view stores in
`st.session_state[TRAINED_KEY]`. To switch to it, set `st.session_state[CHOICE_KEY] = SESSION`
before the picker renders (e.g. in a button callback).

A new session starts with SOFTMAX_MODEL when set, else the saved default, else the shipped model
that reads drawings best (`model.default_shipped`, as the CLI and `SoftmaxClassifier.load()`):
each only if it loads and reads the 28×28 canvas. One that does not is left out (or not made the
default) with a warning in the sidebar. A session keeps the very model it started with or picked
(`Pinned`) until it picks another: a default saved meanwhile changes nothing for it.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from softmax import model
from softmax.data import (
    ENV_VAR,
    HOW_TO_PROVIDE,
    DataError,
    find_mnist,
    keras_cache,
    load_digits_8x8,
    read_mnist_npz,
)
from softmax.i18n import Messages
from softmax.model import (
    ModelFileError,
    SoftmaxClassifier,
    UnusableModel,
    check_reads_canvas,
    shipped_path,
)
from softmax.recipes import RECIPES
from softmax.ui.language import messages, restate
from softmax.ui.markdown import literal
from softmax.ui.mnist_download import offer_mnist
from softmax.ui.teacher import is_teacher

MODEL_ENV = "SOFTMAX_MODEL"
SAVED_ENV = "SOFTMAX_SAVED_MODEL"  # where "Save as default" writes; ~/.softmax/saved.npz if unset
SAVED = "saved"
CHOICE_KEY = "model_choice"
PINNED_KEY = "model_pinned"  # the Pinned model this session is using
TRAINED_KEY = "trained_classifier"
SESSION = "session"
ENV_FILE = "file"
EDITED = " (edited)"  # a recipe's name once a Train page setting was changed: "default (edited)"


def model_title(key: str, t: Messages) -> str:
    """A person's name for a picker entry or shipped model (`models.title.<key>`), by its id."""
    return t(f"models.title.{key}")


def recipe_title(name: str, t: Messages) -> str:
    """A recipe's name for a person: "default", "default (edited)", or a stranger's as code."""
    base = name.removesuffix(EDITED)
    title = t(f"models.recipe.{base}.name") if base in RECIPES else literal(base)
    return t("models.recipe.edited", recipe=title) if name.endswith(EDITED) else title


@dataclass(frozen=True)
class ModelChoice:
    """One entry of the model picker: a shipped model, a file, or the session's own model."""

    key: str  # "default" | "deskew" | "drawn" | ENV_FILE | SAVED | SESSION
    label: str
    path: Path | None  # None for the session's model
    reads_canvas: bool = True  # can be a new session's model (an 8×8 one cannot)


@dataclass(frozen=True)
class Problem:
    """Why a configured model (SOFTMAX_MODEL, the saved default) is not a new session's model."""

    source: str  # ENV_FILE or SAVED
    reason: str | None  # a load error (may name server paths: the teacher only); None: 8×8


@dataclass(frozen=True)
class Pinned:
    """The model a session chose, kept as loaded: a file rewritten later does not change it."""

    key: str
    classifier: SoftmaxClassifier


@st.cache_resource(show_spinner=False, max_entries=16)
def _load(path: str, version: tuple[int, int, int]) -> SoftmaxClassifier:
    """Read a model once per process; `version` (inode, mtime, size) reloads a replaced file."""
    return SoftmaxClassifier.load(path)


def load_classifier(path: str | os.PathLike) -> SoftmaxClassifier:
    """The classifier saved at `path`, cached. Raises ModelFileError for a missing or bad file,
    or one no view can use (`model.check_usable`)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as error:
        raise ModelFileError(f"no model file at {path}") from error
    return _load(str(path), (stat.st_ino, stat.st_mtime_ns, stat.st_size))


@st.cache_data(show_spinner=False, ttl=60)
def shipped_metadata() -> dict[str, dict[str, Any]]:
    """Metadata of each shipped model on disk, read from the model files themselves."""
    return model.shipped_metadata()


def saved_model_path() -> Path:
    """Where the Train page's "Save as default" writes: `SOFTMAX_SAVED_MODEL`, else
    ~/.softmax/saved.npz, outside the package so the shipped models stay as released."""
    return Path(os.environ.get(SAVED_ENV) or Path.home() / ".softmax" / "saved.npz").expanduser()


def save_default(classifier: SoftmaxClassifier) -> Path:
    """Make `classifier` the model new sessions start with; returns where it was written.

    Only a model that reads the canvas can (UnusableModel otherwise). One file, replaced in one
    rename, with no .json beside it (an earlier save's is removed): whatever reads it while two
    saves race gets one whole model. OSError when the folder cannot be written.
    """
    check_reads_canvas(classifier)
    path = saved_model_path()
    classifier.save(path, sidecar=False)
    path.with_suffix(".json").unlink(missing_ok=True)
    return path


def _configured() -> tuple[list[ModelChoice], list[Problem]]:
    """The SOFTMAX_MODEL file and the saved default, each as a choice when it loads, and a
    warning for each that cannot be used or cannot be a new session's model."""
    t = messages()
    found = []
    if os.environ.get(MODEL_ENV):
        path = Path(os.environ[MODEL_ENV])
        found.append((ENV_FILE, t("models.title.file", name=path.name), path))
    if saved_model_path().is_file():
        found.append((SAVED, model_title(SAVED, t), saved_model_path()))
    choices, problems = [], []
    for key, label, path in found:
        try:
            reads_canvas = _reads_canvas(load_classifier(path))
        except ModelFileError as error:
            problems.append(Problem(key, str(error)))
            continue
        choices.append(ModelChoice(key, label, path, reads_canvas))
        if not reads_canvas:
            problems.append(Problem(key, None))
    return choices, problems


def _reads_canvas(classifier: SoftmaxClassifier) -> bool:
    try:
        check_reads_canvas(classifier)
    except UnusableModel:
        return False
    return True


def model_choices() -> list[ModelChoice]:
    """What the picker offers, in order: SOFTMAX_MODEL file and saved default (when they load),
    shipped models, session model."""
    t = messages()
    choices = _configured()[0]
    choices += [
        ModelChoice(name, model_title(name, t), shipped_path(name)) for name in shipped_metadata()
    ]
    trained = st.session_state.get(TRAINED_KEY)
    if isinstance(trained, SoftmaxClassifier):
        choices.append(ModelChoice(SESSION, model_title(SESSION, t), None, trained.n_inputs == 784))
    return choices


def default_choice(choices: list[ModelChoice]) -> str:
    """SOFTMAX_MODEL when set, else a saved default (each only if it reads the canvas), else
    the shipped model that reads drawings best."""
    usable = {choice.key for choice in choices if choice.reads_canvas}
    for preferred in (ENV_FILE, SAVED):
        if preferred in usable:
            return preferred
    best = model.best_for_drawings(shipped_metadata())
    keys = [choice.key for choice in choices]
    return best if best in keys else (keys[0] if keys else model.FALLBACK)


def model_picker() -> None:
    """The sidebar's model selectbox; its choice is read back by `current_choice()`."""
    t = messages()
    choices = model_choices()
    for problem in _configured()[1]:
        _sidebar_problem(problem, default_choice(choices), choices, t)
    if not choices:
        st.sidebar.error(t("state.no_model"))
        return
    labels = {choice.key: choice.label for choice in choices}
    if st.session_state.get(CHOICE_KEY) not in labels:
        st.session_state[CHOICE_KEY] = default_choice(choices)
    restate(CHOICE_KEY)  # its label in this run's words after a language switch
    st.sidebar.selectbox(
        t("state.picker"),
        options=list(labels),
        format_func=labels.__getitem__,
        key=CHOICE_KEY,
        help=t("state.picker_help"),
    )
    best = model.best_for_drawings(shipped_metadata())
    if default_choice(choices) == best:
        st.sidebar.caption(t("state.starts_with", model=labels[best]))
    with contextlib.suppress(ModelFileError):  # the page says what is wrong with it
        _session_model(current_choice())  # pinned from the first page this session opens
    _newer_default_note(t)


def _sidebar_problem(
    problem: Problem, fallback: str, choices: list[ModelChoice], t: Messages
) -> None:
    """A warning about a configured model; its reason (it may name paths) only for the teacher."""
    label = next((choice.label for choice in choices if choice.key == fallback), fallback)
    if not is_teacher():
        text = t(f"state.problem.{problem.source}", model=label)
    else:
        reason = t("state.problem.reads_8x8") if problem.reason is None else literal(problem.reason)
        text = t(f"state.problem.{problem.source}_because", model=label, reason=reason)
    st.sidebar.warning(text, icon=":material/warning:")


def _newer_default_note(t: Messages) -> None:
    """Tell a session using the saved default that the teacher has saved a newer one."""
    pinned = st.session_state.get(PINNED_KEY)
    if pinned is None or pinned.key != SAVED:
        return
    try:
        newest = load_classifier(saved_model_path())
    except ModelFileError:
        return
    if newest.fingerprint != pinned.classifier.fingerprint:
        st.sidebar.info(t("state.newer_default"), icon=":material/update:")
        st.sidebar.button(t("state.use_newer"), key="model_newer", on_click=_unpin)


def _unpin() -> None:
    st.session_state.pop(PINNED_KEY, None)


def current_choice() -> ModelChoice | None:
    """The picker's current entry (the default one before the picker has rendered)."""
    choices = model_choices()
    if not choices:
        return None
    key = st.session_state.get(CHOICE_KEY) or default_choice(choices)
    chosen = next((choice for choice in choices if choice.key == key), None)
    if chosen is None:
        key = default_choice(choices)
        chosen = next((choice for choice in choices if choice.key == key), choices[0])
    return chosen


def _session_model(choice: ModelChoice | None) -> SoftmaxClassifier | None:
    """The model this session uses for `choice`: the one pinned when it was chosen, else loaded
    now and pinned. ModelFileError when it cannot be loaded."""
    if choice is None:
        return None
    if choice.path is None:
        return st.session_state[TRAINED_KEY]
    pinned = st.session_state.get(PINNED_KEY)
    if isinstance(pinned, Pinned) and pinned.key == choice.key:
        return pinned.classifier
    classifier = load_classifier(choice.path)
    st.session_state[PINNED_KEY] = Pinned(choice.key, classifier)
    return classifier


def current_classifier() -> SoftmaxClassifier | None:
    """The chosen classifier, or None after showing an st.error saying what is wrong with it."""
    t = messages()
    choice = current_choice()
    if choice is None:
        st.error(t("state.current.none"))
        return None
    try:
        return _session_model(choice)
    except ModelFileError as error:
        if is_teacher():
            st.error(
                t("state.current.unloadable_because", model=choice.label, reason=literal(error))
            )
        else:
            st.error(t("state.current.unloadable", model=choice.label))
        return None


@st.cache_resource(show_spinner=False, max_entries=2)
def _mnist(
    path: str, modified: float
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Read once per file and version: `modified` (mtime) in the key picks up a new download."""
    (x_train, y_train), (x_test, y_test) = read_mnist_npz(path)
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)  # shared by every session
    return (x_train, y_train), (x_test, y_test)


def mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST `(x_train, y_train), (x_test, y_test)` (uint8, read-only), read once per process.

    Never downloads: raises DataError saying how to provide it. Looks for the file on every
    call, so a download (the "Get MNIST" button) is used at once, in every session.
    """
    found = find_mnist()  # SOFTMAX_MNIST, then Keras' cache
    if found is None:
        raise DataError(f"MNIST not found locally: {HOW_TO_PROVIDE}")
    with st.spinner(messages()("state.mnist.reading")):  # shown only if reading takes 0.5 s
        return _mnist(str(found), found.stat().st_mtime)


def why_no_mnist(error: DataError, t: Messages) -> str:
    """What `mnist()`'s DataError means for a visitor, in `t`'s language: one sentence."""
    asked = os.environ.get(ENV_VAR)
    if asked and not Path(asked).expanduser().is_file():
        return t("state.mnist.missing_file", path=literal(asked))
    if not asked and not keras_cache().is_file():
        return t("state.mnist.not_found")
    return t("state.mnist.unreadable", reason=literal(error))


def mnist_or_stop() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST, or an st.info on how to provide it, the download button and `st.stop()`."""
    try:
        return mnist()
    except DataError as error:
        t = messages()
        st.info(t("state.mnist.needed", why=why_no_mnist(error, t)), icon=":material/dataset:")
        offer_mnist(key="get_mnist")
        st.stop()


@st.cache_resource(show_spinner=False)
def digits_8x8() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's 8×8 digits, split like MNIST (uint8 0–255, read-only): no file, no download."""
    (x_train, y_train), (x_test, y_test) = load_digits_8x8()
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)  # shared by every session
    return (x_train, y_train), (x_test, y_test)
