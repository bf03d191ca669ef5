"""The reference notebook as a lesson: follow one training image from pixels to prediction.

Each step shows the notebook's code cell next to what it does to a sample you pick: the raw
0–255 matrix, the same after /255, the 784-vector, the one-hot label, the model (a static
summary table: no TensorFlow here), the recipe and the learned weights. It runs on MNIST or on
scikit-learn's 8×8 digits, which ship with scikit-learn, so the lesson works with no download
and shows what a lower resolution does. Every word comes from the session's catalogue
(softmax/locales/*/walkthrough.toml); the code cells stay code, their comments in the language.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from softmax import charts, explain, figures
from softmax.data import ENV_VAR, DataError, one_hot, to_inputs
from softmax.fetch import SIZE_MB
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier, n_params
from softmax.recipes import MEASURED_ACCURACY, get_recipe
from softmax.ui import state
from softmax.ui.architecture import summary_table
from softmax.ui.language import messages
from softmax.ui.mnist_download import just_fetched, offer_mnist

MNIST, DIGITS = "mnist", "digits"
DATASET_KEY = "walkthrough_dataset"
SAMPLE_KEY = "walkthrough_sample"
GET_MNIST_KEY = "walkthrough_get_mnist"


@dataclass(frozen=True)
class Lesson:
    """The data set a lesson runs on, with the names the notebook's code uses for it."""

    key: str  # MNIST or DIGITS
    load_code: str  # the notebook's cell that loads it
    x_train: np.ndarray  # (n, side, side) uint8 0–255
    y_train: np.ndarray  # (n,)
    n_test: int

    @property
    def side(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_inputs(self) -> int:
        return self.side * self.side


def render() -> None:
    """The page."""
    t = messages()
    st.title(t("walkthrough.title"))
    st.caption(t("walkthrough.intro"))
    lesson = _choose_lesson(t)
    if lesson is None:
        return
    index = _choose_sample(lesson, t)
    image, label = lesson.x_train[index], int(lesson.y_train[index])
    _load(lesson, t)
    _raw(lesson, index, image, label, t)
    _scaled(lesson, image, t)
    _flattened(lesson, image, t)
    _label(label, t)
    _model(lesson, t)
    _recipe(lesson, t)
    _weights(lesson, t)


def _choose_lesson(t: Messages) -> Lesson | None:
    """The data set radio; MNIST when it is reachable, else the 8×8 digits with a how-to note."""
    try:
        (x_train, y_train), (x_test, _) = state.mnist()
        missing = None
    except DataError as error:
        missing = error
    if DATASET_KEY not in st.session_state or just_fetched(GET_MNIST_KEY):
        st.session_state[DATASET_KEY] = DIGITS if missing else MNIST
    choice = st.radio(
        t("walkthrough.dataset.label"),
        options=[MNIST, DIGITS],
        format_func=lambda key: t(f"walkthrough.dataset.{key}"),
        key=DATASET_KEY,
        horizontal=True,
    )
    if choice == MNIST and missing is not None:
        st.info(
            t("walkthrough.dataset.missing", size=SIZE_MB, env=ENV_VAR),
            icon=":material/dataset:",
        )
        with st.expander(t("walkthrough.dataset.details"), icon=":material/terminal:"):
            st.code(str(missing), language=None, wrap_lines=True)  # the loader's own words
        offer_mnist(GET_MNIST_KEY)
        return None
    if missing is not None:
        st.caption(t("walkthrough.dataset.not_here_yet"))
        offer_mnist(GET_MNIST_KEY)
    if choice == MNIST:
        load_code = (
            "from tensorflow import keras\n\n"
            "(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
            "x_train.shape, x_test.shape  # ((60000, 28, 28), (10000, 28, 28))"
        )
        return Lesson(MNIST, load_code, x_train, y_train, len(x_test))
    (x_train, y_train), (x_test, _) = state.digits_8x8()
    n_images = t.number(len(x_train) + len(x_test))
    load_code = (
        "from sklearn.datasets import load_digits\n"
        "from sklearn.model_selection import train_test_split\n\n"
        f"digits = load_digits()  # {t('walkthrough.load.digits_comment', n=n_images)}\n"
        "images = (digits.images * 255 / 16).round().astype('uint8')"
        f"  # {t('walkthrough.load.scaled_comment')}\n"
        "x_train, x_test, y_train, y_test = train_test_split(\n"
        "    images, digits.target, test_size=0.2, random_state=0, stratify=digits.target)\n"
        f"x_train.shape, x_test.shape  # ({x_train.shape}, {x_test.shape})"
    )
    return Lesson(DIGITS, load_code, x_train, y_train, len(x_test))


def _choose_sample(lesson: Lesson, t: Messages) -> int:
    n = len(lesson.x_train)
    if st.session_state.get(SAMPLE_KEY, 0) >= n:  # switched to the smaller data set
        st.session_state[SAMPLE_KEY] = 0
    return int(
        st.number_input(
            t("walkthrough.dataset.sample", last=t.number(n - 1)),
            min_value=0,
            max_value=n - 1,
            step=1,
            key=SAMPLE_KEY,
        )
    )


def _load(lesson: Lesson, t: Messages) -> None:
    st.header(t("walkthrough.load.header"))
    st.code(lesson.load_code, language="python")
    side = lesson.side
    n_train, n_test = t.number(len(lesson.x_train)), t.number(lesson.n_test)
    arrays = pd.DataFrame(
        {
            t("walkthrough.load.array"): ["`x_train`", "`y_train`", "`x_test`", "`y_test`"],
            t("walkthrough.load.shape"): [
                f"({n_train}, {side}, {side})",
                f"({n_train},)",
                f"({n_test}, {side}, {side})",
                f"({n_test},)",
            ],
            t("walkthrough.load.holds"): [
                t("walkthrough.load.x_train", n=n_train, side=side),
                t("walkthrough.load.y_train"),
                t("walkthrough.load.x_test", n=n_test),
                t("walkthrough.load.y_test"),
            ],
        }
    )
    st.table(arrays, hide_index=True)  # static: wraps on a phone, where a data grid would scroll
    st.markdown(t("walkthrough.load.body", side=side))


def _raw(lesson: Lesson, index: int, image: np.ndarray, label: int, t: Messages) -> None:
    st.header(t("walkthrough.raw.header"))
    words, picture = st.columns([4, 1], gap="large", vertical_alignment="center")
    words.markdown(t("walkthrough.raw.body", index=index, label=label, side=lesson.side))
    picture.altair_chart(
        charts.pixel_grid(image / 255, size=140, t=t), width="content", key="walkthrough_picture"
    )
    st.altair_chart(
        charts.number_grid(image, fmt=".0f", vmax=255, cell=_cell(lesson), t=t),
        width="content",
        key="walkthrough_raw",
    )


def _scaled(lesson: Lesson, image: np.ndarray, t: Messages) -> None:
    st.header(t("walkthrough.scaled.header"))
    st.code("x_train = x_train / 255\nx_test = x_test / 255", language="python")
    st.altair_chart(
        charts.number_grid(image / 255, fmt=".2f", vmax=1, cell=_cell(lesson), t=t),
        width="content",
        key="walkthrough_scaled",
    )
    st.caption(t("walkthrough.scaled.caption"))


def _flattened(lesson: Lesson, image: np.ndarray, t: Messages) -> None:
    side, n = lesson.side, lesson.n_inputs
    st.header(t("walkthrough.flattened.header", n=t.number(n)))
    st.code(
        f"x_train = x_train.reshape(len(x_train), {n})  # ({len(lesson.x_train)}, {n})",
        language="python",
    )
    x = to_inputs(image[None])[0]  # (side*side,) float32 in [0, 1]
    st.altair_chart(charts.vector_strip(x, side, t=t), width="stretch", key="walkthrough_vector")
    st.markdown(t("walkthrough.flattened.body", side=side, n=t.number(n)))


def _label(label: int, t: Messages) -> None:
    st.header(t("walkthrough.label.header"))
    st.code("y_train = keras.utils.to_categorical(y_train, 10)", language="python")
    digit, vector = st.columns([1, 4], gap="large")
    digit.metric(t("walkthrough.label.metric"), str(label))
    table = pd.DataFrame(one_hot(np.array([label])).astype(int), columns=charts.DIGITS)
    vector.table(
        table.style.map(lambda v: f"background-color: {charts.ANSWER}; color: white" if v else ""),
        hide_index=True,
    )
    vector.caption(t("walkthrough.label.caption", label=label))


def _model(lesson: Lesson, t: Messages) -> None:
    n = lesson.n_inputs
    params = n_params(n)
    st.header(t("walkthrough.model.header"))
    st.code(
        "model = keras.Sequential([\n"
        f"    keras.Input(shape=({n},)),\n"
        '    keras.layers.Dense(10, activation="softmax"),\n'
        "])\n"
        "model.summary()",
        language="python",
    )
    table, count = st.columns([3, 2], gap="large")
    table.table(summary_table(n, 10, t), hide_index=True)
    count.metric(t("walkthrough.model.metric"), t.number(params))
    count.markdown(t("walkthrough.model.count", n=n, params=t.number(params)))
    st.markdown(t("walkthrough.model.body"))


def _recipe(lesson: Lesson, t: Messages) -> None:
    notebook = get_recipe("notebook")
    st.header(t("walkthrough.recipe.header"))
    st.code(
        'model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])\n'
        "model.fit(x_train, y_train, batch_size=2048, epochs=100)\n"
        "model.evaluate(x_test, y_test)",
        language="python",
    )
    batch = t.number(notebook.batch_size)
    st.markdown(t("walkthrough.recipe.body", batch=batch, epochs=t.number(notebook.epochs)))
    if lesson.key == MNIST:
        measured, adam = (MEASURED_ACCURACY[name, MNIST] for name in ("notebook", "default"))
        st.metric(
            t("walkthrough.recipe.metric"),
            t("walkthrough.recipe.about", accuracy=t.number(measured, 2)),
        )
        st.caption(t("walkthrough.recipe.mnist", adam=t.number(adam, 2)))
    else:
        st.caption(t("walkthrough.recipe.digits", n=t.number(len(lesson.x_train)), batch=batch))


def _weights(lesson: Lesson, t: Messages) -> None:
    st.header(t("walkthrough.weights.header"))
    chosen = _model_for(lesson, t)
    if chosen is None:
        return
    classifier, source = chosen
    maps = explain.weight_maps(classifier)  # (10, side, side)
    st.markdown(
        t(
            f"walkthrough.weights.{source}",
            n=t.number(classifier.n_params),
            recipe=classifier.recipe,
        )
    )
    accuracy = classifier.metadata.get("test_accuracy")
    if isinstance(accuracy, float):
        st.markdown(t("walkthrough.weights.accuracy", accuracy=t.percent(accuracy, 1)))
    st.html(
        figures.maps(
            maps,
            charts.DIGITS,
            explain.weight_scale(maps),
            label=t("walkthrough.weights.label"),
            legend=t("walkthrough.weights.legend"),
            digits=range(10),
            size=150 if lesson.key == MNIST else 120,
            t=t,
        )
    )
    st.caption(t("walkthrough.weights.caption"))
    if lesson.key == DIGITS:
        st.caption(
            t(
                "walkthrough.weights.coarse",
                small=t.number(n_params(lesson.n_inputs)),
                full=t.number(n_params()),
                n=t.number(len(lesson.x_train) + lesson.n_test),
            )
        )


def _model_for(lesson: Lesson, t: Messages) -> tuple[SoftmaxClassifier, str] | None:
    """The model whose weights the lesson shows and which one it is (`trained`, `fitted` or
    `chosen`: the sentence naming it), or None (said why)."""
    trained = st.session_state.get(state.TRAINED_KEY)
    if isinstance(trained, SoftmaxClassifier) and trained.n_inputs == lesson.n_inputs:
        return trained, "trained"
    if lesson.key == DIGITS:
        with st.spinner(t("walkthrough.weights.fitting")):
            return digits_softmax(), "fitted"
    classifier = state.current_classifier()
    if classifier is None:
        return None
    if classifier.n_inputs != lesson.n_inputs:
        st.info(t("walkthrough.weights.wrong_size"))
        return None
    return classifier, "chosen"


@st.cache_resource(show_spinner=False)
def digits_softmax() -> SoftmaxClassifier:
    """The same softmax on 64 inputs, fitted in a blink by scikit-learn, so the 8×8 lesson has
    weights to show without TensorFlow; the Train page trains it the notebook's way."""
    from sklearn.linear_model import LogisticRegression

    (x_train, y_train), (x_test, y_test) = state.digits_8x8()
    fitted = LogisticRegression(max_iter=1000).fit(to_inputs(x_train), y_train)
    accuracy = float(fitted.score(to_inputs(x_test), y_test))
    metadata = {"recipe": "sklearn-lbfgs", "test_accuracy": accuracy}
    return SoftmaxClassifier(fitted.coef_.T, fitted.intercept_, metadata)  # W (64, 10), b (10,)


def _cell(lesson: Lesson) -> int:
    """Pixels per matrix cell: numbers stay legible and the 28×28 matrix fits a projector."""
    return 31 if lesson.key == MNIST else 64
