"""What every view shares: the session's model choice and cached loaders for models and MNIST.

Models and MNIST are loaded once per process with `st.cache_resource` (read-only arrays shared by
every session: never mutate them). The sidebar picker (`model_picker`, called by app.py on every
page) stores the choice under `st.session_state[CHOICE_KEY]`; views call `current_classifier()`.

Choices: the shipped models that exist on disk, a file named by the `SOFTMAX_MODEL` environment
variable (chosen by default when set), a model saved from the Train page with "Save as default"
(at `saved_model_path()`: chosen by default otherwise, so new sessions start with it; sessions
already open keep their choice), and the model trained in this session, which the train view
stores in `st.session_state[TRAINED_KEY]`. To switch to it, set
`st.session_state[CHOICE_KEY] = SESSION` before the picker renders (e.g. in a button callback).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from softmax.data import DataError, load_digits_8x8, load_mnist
from softmax.model import SHIPPED, ModelFileError, SoftmaxClassifier, shipped_path

MODEL_ENV = "SOFTMAX_MODEL"
SAVED_ENV = "SOFTMAX_SAVED_MODEL"  # where "Save as default" writes; ~/.softmax/saved.npz if unset
SAVED = "saved"
CHOICE_KEY = "model_choice"
TRAINED_KEY = "trained_classifier"
SESSION = "session"
ENV_FILE = "file"
FALLBACK = "default"
LABELS = {
    "default": "Default (MNIST as is)",
    "deskew": "Deskew (straightened digits)",
    "drawn": "Drawn (tuned for drawings)",
    SAVED: "Saved default (trained here)",
    SESSION: "Trained in this session",
}


@dataclass(frozen=True)
class ModelChoice:
    """One entry of the model picker: a shipped model, a file, or the session's own model."""

    key: str  # "default" | "deskew" | "drawn" | ENV_FILE | SAVED | SESSION
    label: str
    path: Path | None  # None for the session's model


@st.cache_resource(show_spinner=False, max_entries=16)
def _load(path: str, modified: float) -> SoftmaxClassifier:
    """Read a model once per process; `modified` (mtime) in the key reloads a rewritten file."""
    return SoftmaxClassifier.load(path)


def load_classifier(path: str | os.PathLike) -> SoftmaxClassifier:
    """The classifier saved at `path`, cached. Raises ModelFileError for a missing or bad file."""
    path = Path(path)
    try:
        modified = path.stat().st_mtime
    except OSError as error:
        raise ModelFileError(f"no model file at {path}") from error
    return _load(str(path), modified)


@st.cache_data(show_spinner=False, ttl=60)
def shipped_metadata() -> dict[str, dict[str, Any]]:
    """Metadata of each shipped model on disk, read from its .json sidecar (or the .npz)."""
    found = {}
    for name in SHIPPED:
        path = shipped_path(name)
        if not path.is_file():
            continue
        try:
            found[name] = json.loads(path.with_suffix(".json").read_text())
        except (OSError, ValueError):
            try:
                found[name] = SoftmaxClassifier.load(path).metadata
            except ModelFileError:
                found[name] = {}
    return found


def best_for_drawings(metadata: dict[str, dict[str, Any]]) -> str:
    """The shipped model with the highest `drawn_accuracy` (how well it reads drawn digits)."""
    scored = {
        name: meta["drawn_accuracy"]
        for name, meta in metadata.items()
        if isinstance(meta.get("drawn_accuracy"), int | float)
    }
    if scored:
        return max(scored, key=scored.__getitem__)
    return FALLBACK if FALLBACK in metadata else next(iter(metadata), FALLBACK)


def saved_model_path() -> Path:
    """Where the Train page's "Save as default" writes: `SOFTMAX_SAVED_MODEL`, else
    ~/.softmax/saved.npz, outside the package so the shipped models stay as released."""
    return Path(os.environ.get(SAVED_ENV) or Path.home() / ".softmax" / "saved.npz").expanduser()


def model_choices() -> list[ModelChoice]:
    """What the picker offers, in order: SOFTMAX_MODEL file, saved default, shipped models,
    session model."""
    choices = []
    env_path = os.environ.get(MODEL_ENV)
    if env_path:
        choices.append(ModelChoice(ENV_FILE, f"File: {Path(env_path).name}", Path(env_path)))
    if saved_model_path().is_file():
        choices.append(ModelChoice(SAVED, LABELS[SAVED], saved_model_path()))
    choices += [ModelChoice(name, LABELS[name], shipped_path(name)) for name in shipped_metadata()]
    if isinstance(st.session_state.get(TRAINED_KEY), SoftmaxClassifier):
        choices.append(ModelChoice(SESSION, LABELS[SESSION], None))
    return choices


def default_choice(choices: list[ModelChoice]) -> str:
    """SOFTMAX_MODEL when set, else a saved default, else the shipped model that reads drawings
    best."""
    keys = [choice.key for choice in choices]
    for preferred in (ENV_FILE, SAVED):
        if preferred in keys:
            return preferred
    best = best_for_drawings(shipped_metadata())
    return best if best in keys else (keys[0] if keys else FALLBACK)


def model_picker() -> None:
    """The sidebar's model selectbox; its choice is read back by `current_choice()`."""
    choices = model_choices()
    if not choices:
        st.sidebar.error(
            f"No model found: the shipped models are missing from {shipped_path(FALLBACK).parent} "
            f"and {MODEL_ENV} is not set. Train one with `python -m softmax train`."
        )
        return
    labels = {choice.key: choice.label for choice in choices}
    if st.session_state.get(CHOICE_KEY) not in labels:
        st.session_state[CHOICE_KEY] = default_choice(choices)
    st.sidebar.selectbox(
        "Model",
        options=list(labels),
        format_func=labels.__getitem__,
        key=CHOICE_KEY,
        help="Which trained softmax the pages use. Details on the Model card page.",
    )
    best = best_for_drawings(shipped_metadata())
    if default_choice(choices) == best:
        st.sidebar.caption(
            f"Starts with *{labels[best]}*: of the shipped models, it reads drawn digits best."
        )


def current_choice() -> ModelChoice | None:
    """The picker's current entry (the default one before the picker has rendered)."""
    choices = model_choices()
    if not choices:
        return None
    key = st.session_state.get(CHOICE_KEY) or default_choice(choices)
    return next((choice for choice in choices if choice.key == key), choices[0])


def current_classifier() -> SoftmaxClassifier | None:
    """The chosen classifier, or None after showing an st.error saying what is wrong with it."""
    choice = current_choice()
    if choice is None:
        st.error("No model to use: see the sidebar.")
        return None
    if choice.path is None:
        return st.session_state[TRAINED_KEY]
    try:
        return load_classifier(choice.path)
    except ModelFileError as error:
        st.error(
            f"Could not load the model “{choice.label}”: {error}. Pick another in the sidebar."
        )
        return None


@st.cache_resource(show_spinner="Reading MNIST…")
def _mnist(path: str | None) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    (x_train, y_train), (x_test, y_test) = load_mnist(path, download=False)
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)  # shared by every session
    return (x_train, y_train), (x_test, y_test)


def mnist() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST `(x_train, y_train), (x_test, y_test)` (uint8, read-only), read once per process.

    Never downloads: raises DataError saying how to provide it (SOFTMAX_MNIST or Keras' cache).
    """
    return _mnist(os.environ.get("SOFTMAX_MNIST") or None)


def mnist_or_stop() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST, or an st.info on how to provide it and `st.stop()` for views that need it."""
    try:
        return mnist()
    except DataError as error:
        st.info(f"This view needs the MNIST data set. {error}", icon=":material/dataset:")
        st.stop()


@st.cache_resource(show_spinner=False)
def digits_8x8() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """scikit-learn's 8×8 digits, split like MNIST (uint8 0–255, read-only): no file, no download."""
    (x_train, y_train), (x_test, y_test) = load_digits_8x8()
    for array in (x_train, y_train, x_test, y_test):
        array.setflags(write=False)  # shared by every session
    return (x_train, y_train), (x_test, y_test)
