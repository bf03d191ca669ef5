"""The reference notebook as a lesson: follow one training image from pixels to prediction.

Each step shows the notebook's code cell next to what it does to a sample you pick: the raw
0–255 matrix, the same after /255, the 784-vector, the one-hot label, the model (a static
summary table: no TensorFlow here), the recipe and the learned weights. It runs on MNIST or on
scikit-learn's 8×8 digits, which ship with scikit-learn, so the lesson works with no download
and shows what a lower resolution does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from softmax import charts, explain, figures
from softmax.data import DataError, one_hot, to_inputs
from softmax.model import SoftmaxClassifier, n_params
from softmax.recipes import MEASURED_ACCURACY
from softmax.ui import state
from softmax.ui.architecture import summary_rows
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
    st.title("The notebook, step by step")
    st.caption(
        "The reference notebook trains this model in a dozen lines of Keras. "
        "Pick a training image and follow it through every step."
    )
    lesson = _choose_lesson()
    if lesson is None:
        return
    index = _choose_sample(lesson)
    image, label = lesson.x_train[index], int(lesson.y_train[index])
    _load(lesson)
    _raw(lesson, index, image, label)
    _scaled(lesson, image)
    _flattened(lesson, image)
    _label(lesson, label)
    _model(lesson)
    _recipe(lesson)
    _weights(lesson)


def _choose_lesson() -> Lesson | None:
    """The data set radio; MNIST when it is reachable, else the 8×8 digits with a how-to note."""
    try:
        (x_train, y_train), (x_test, _) = state.mnist()
        missing = None
    except DataError as error:
        missing = error
    options = {MNIST: "MNIST, 28×28 (the notebook)", DIGITS: "scikit-learn digits, 8×8"}
    if DATASET_KEY not in st.session_state or just_fetched(GET_MNIST_KEY):
        st.session_state[DATASET_KEY] = DIGITS if missing else MNIST
    choice = st.radio(
        "Data set",
        options=list(options),
        format_func=options.__getitem__,
        key=DATASET_KEY,
        horizontal=True,
    )
    if choice == MNIST and missing is not None:
        st.info(
            f"MNIST is not available here ({missing}). Meanwhile the whole lesson works with "
            "scikit-learn's 8×8 digits: pick them above.",
            icon=":material/dataset:",
        )
        offer_mnist(GET_MNIST_KEY)
        return None
    if missing is not None:
        st.caption("The notebook's own data set, MNIST, is not on this computer yet.")
        offer_mnist(GET_MNIST_KEY)
    if choice == MNIST:
        load_code = (
            "from tensorflow import keras\n\n"
            "(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()\n"
            "x_train.shape, x_test.shape  # ((60000, 28, 28), (10000, 28, 28))"
        )
        return Lesson(MNIST, load_code, x_train, y_train, len(x_test))
    (x_train, y_train), (x_test, _) = state.digits_8x8()
    load_code = (
        "from sklearn.datasets import load_digits\n"
        "from sklearn.model_selection import train_test_split\n\n"
        "digits = load_digits()  # 1,797 images, pixel values 0–16\n"
        "images = (digits.images * 255 / 16).round().astype('uint8')  # 0–255, like MNIST\n"
        "x_train, x_test, y_train, y_test = train_test_split(\n"
        "    images, digits.target, test_size=0.2, random_state=0, stratify=digits.target)\n"
        f"x_train.shape, x_test.shape  # ({x_train.shape}, {x_test.shape})"
    )
    return Lesson(DIGITS, load_code, x_train, y_train, len(x_test))


def _choose_sample(lesson: Lesson) -> int:
    n = len(lesson.x_train)
    if st.session_state.get(SAMPLE_KEY, 0) >= n:  # switched to the smaller data set
        st.session_state[SAMPLE_KEY] = 0
    return int(
        st.number_input(
            f"Training image to follow (0 – {n - 1:,})",
            min_value=0,
            max_value=n - 1,
            step=1,
            key=SAMPLE_KEY,
        )
    )


def _load(lesson: Lesson) -> None:
    st.header("1 · Load the data")
    st.code(lesson.load_code, language="python")
    side = lesson.side
    n_train = len(lesson.x_train)
    arrays = pd.DataFrame(
        {
            "array": ["x_train", "y_train", "x_test", "y_test"],
            "shape": [
                f"({n_train:,}, {side}, {side})",
                f"({n_train:,},)",
                f"({lesson.n_test:,}, {side}, {side})",
                f"({lesson.n_test:,},)",
            ],
            "holds": [
                f"{n_train:,} training images, {side}×{side} pixels, 0 – 255",
                "their digits, 0 – 9",
                f"{lesson.n_test:,} test images",
                "their digits",
            ],
        }
    )
    st.table(arrays, hide_index=True)  # static: wraps on a phone, where a data grid would scroll
    st.markdown(
        f"Every image is a {side}×{side} grid of whole numbers (`uint8`): 0 is background, "
        "255 full ink. The model learns from the training images; the test images are kept "
        "apart to measure how well it does on digits it has never seen."
    )


def _raw(lesson: Lesson, index: int, image: np.ndarray, label: int) -> None:
    st.header("2 · An image is a matrix of numbers")
    words, picture = st.columns([4, 1], gap="large", vertical_alignment="center")
    words.markdown(
        f"`x_train[{index}]` is labelled **{label}**. On screen it is a picture (right); in the "
        f"file it is {lesson.side}×{lesson.side} whole numbers (below), 0 where there is no ink. "
        "Blank cells are 0."
    )
    picture.altair_chart(
        charts.pixel_grid(image / 255, size=140), width="content", key="walkthrough_picture"
    )
    st.altair_chart(
        charts.number_grid(image, fmt=".0f", vmax=255, cell=_cell(lesson)),
        width="content",
        key="walkthrough_raw",
    )


def _scaled(lesson: Lesson, image: np.ndarray) -> None:
    st.header("3 · Scale to 0 – 1")
    st.code("x_train = x_train / 255\nx_test = x_test / 255", language="python")
    st.altair_chart(
        charts.number_grid(image / 255, fmt=".2f", vmax=1, cell=_cell(lesson)),
        width="content",
        key="walkthrough_scaled",
    )
    st.caption(
        "Dividing by 255 keeps the picture and puts every input between 0 and 1, a range "
        "gradient descent handles well. Blank cells are 0."
    )


def _flattened(lesson: Lesson, image: np.ndarray) -> None:
    side, n = lesson.side, lesson.n_inputs
    st.header(f"4 · Flatten to {n} numbers")
    st.code(
        f"x_train = x_train.reshape(len(x_train), {n})  # ({len(lesson.x_train)}, {n})",
        language="python",
    )
    x = to_inputs(image[None])[0]  # (side*side,) float32 in [0, 1]
    st.altair_chart(charts.vector_strip(x, side), width="stretch", key="walkthrough_vector")
    st.markdown(
        f"Row 0 first, then row 1, and so on: pixel (row *r*, column *c*) becomes entry "
        f"{side}·*r* + *c*. The model gets these {n} numbers as a plain list: it never learns "
        "which pixels were neighbours."
    )


def _label(lesson: Lesson, label: int) -> None:
    st.header("5 · One-hot label")
    st.code("y_train = keras.utils.to_categorical(y_train, 10)", language="python")
    digit, vector = st.columns([1, 4], gap="large")
    digit.metric("Label", str(label))
    table = pd.DataFrame(one_hot(np.array([label])).astype(int), columns=charts.DIGITS)
    vector.table(
        table.style.map(lambda v: f"background-color: {charts.ANSWER}; color: white" if v else ""),
        hide_index=True,
    )
    vector.caption(
        f"Ten numbers, one per digit: 1 at position {label}, 0 elsewhere. It is the answer the "
        "model's ten probabilities should match."
    )


def _model(lesson: Lesson) -> None:
    n = lesson.n_inputs
    params = n_params(n)
    st.header("6 · The model: one Dense layer with softmax")
    st.code(
        "model = keras.Sequential([\n"
        f"    keras.Input(shape=({n},)),\n"
        '    keras.layers.Dense(10, activation="softmax"),\n'
        "])\n"
        "model.summary()",
        language="python",
    )
    table, count = st.columns([3, 2], gap="large")
    table.table(summary_rows(n), hide_index=True)
    count.metric("Parameters", f"{params:,}")
    count.markdown(f"{n} weights + 1 bias for each of 10 digits: 10 × ({n} + 1) = **{params:,}**.")
    st.markdown(
        "Each digit's score is a weighted sum of all pixels plus its bias; softmax turns the "
        "ten scores into probabilities that add up to 1."
    )


def _recipe(lesson: Lesson) -> None:
    st.header("7 · Train")
    st.code(
        'model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])\n'
        "model.fit(x_train, y_train, batch_size=2048, epochs=100)\n"
        "model.evaluate(x_test, y_test)",
        language="python",
    )
    st.markdown(
        "Plain stochastic gradient descent (learning rate 0.01) nudges all weights after every "
        "batch of 2,048 images to lower the cross-entropy: how surprised the model is by the "
        "right answer. 100 passes over the data."
    )
    if lesson.key == MNIST:
        notebook, adam = (MEASURED_ACCURACY[name, MNIST] for name in ("notebook", "default"))
        st.metric("Notebook's test accuracy", f"≈ {notebook:.2f}")
        st.caption(
            "About 9 in 10 test digits right. Run this recipe yourself on the Train page "
            f"(about half a minute), or try Adam there: it gets to ≈ {adam:.2f} in 10 epochs."
        )
    else:
        st.caption(
            f"With only {len(lesson.x_train):,} images a batch of 2,048 is the whole training "
            "set: one step per epoch. On the Train page pick these digits and a smaller batch."
        )


def _weights(lesson: Lesson) -> None:
    st.header("8 · What it learned")
    chosen = _model_for(lesson)
    if chosen is None:
        return
    classifier, source = chosen
    maps = explain.weight_maps(classifier)  # (10, side, side)
    accuracy = classifier.metadata.get("test_accuracy")
    scored = f", test accuracy {accuracy:.1%}" if isinstance(accuracy, float) else ""
    st.markdown(f"The {classifier.n_params:,} numbers of {source}{scored}.")
    st.html(
        figures.maps(
            maps,
            charts.DIGITS,
            explain.weight_scale(maps),
            label="The learned weights: one map per digit, 0 to 9",
            legend="weight",
            digits=range(10),
            size=150 if lesson.key == MNIST else 120,
        )
    )
    st.caption(
        "Each map is one digit's weights laid out like the image: blue pixels raise that "
        "digit's score when they hold ink, red ones lower it."
    )
    if lesson.key == DIGITS:
        st.caption(
            "At 8×8 each weight covers a big patch of the digit, so the maps are coarse blobs: "
            "650 weights instead of 7,850. These digits are also few and tidy (1,797 images, "
            "all scaled and centred alike), which is why so small a model still scores well "
            "on them."
        )


def _model_for(lesson: Lesson) -> tuple[SoftmaxClassifier, str] | None:
    """The model whose weights the lesson shows and a phrase naming it, or None (said why)."""
    trained = st.session_state.get(state.TRAINED_KEY)
    if isinstance(trained, SoftmaxClassifier) and trained.n_inputs == lesson.n_inputs:
        return trained, "the model you trained on the Train page"
    if lesson.key == DIGITS:
        return digits_softmax(), "a softmax fitted to the 8×8 digits by scikit-learn (L-BFGS)"
    classifier = state.current_classifier()
    if classifier is None:
        return None
    if classifier.n_inputs != lesson.n_inputs:
        st.info(
            "The model chosen in the sidebar reads 8×8 images: pick a 28×28 one to see its weights."
        )
        return None
    return classifier, f"the model chosen in the sidebar (recipe “{classifier.recipe}”)"


@st.cache_resource(show_spinner="Fitting a softmax to the 8×8 digits…")
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
