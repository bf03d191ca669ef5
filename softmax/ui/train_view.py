"""The Train page: train the softmax live, watch its curves, compare it with the shipped model.

Training runs in a child process watched by a background thread (`training_jobs`), one at a
time per server; this page polls it from a fragment every half second, so Stop, other tabs and
other sessions stay live. TensorFlow is imported by that child when training starts, never by
the server.

What a run changes: nothing for anyone until asked. "Use in this session" puts the model in this
session's `st.session_state[state.TRAINED_KEY]` (the sidebar picker offers it, only here); "Save
as default", for the teacher only (`teacher_gate`) and only for a model that reads the canvas,
writes it atomically to `state.saved_model_path()`, which new sessions start with.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from softmax import charts, explain
from softmax.data import DataError
from softmax.history import WeightHistory
from softmax.model import (
    SHIPPED,
    ModelFileError,
    SoftmaxClassifier,
    UnusableModel,
    check_reads_canvas,
    n_params,
    shipped_path,
)
from softmax.recipes import MEASURED_ACCURACY, OPTIMIZERS, Recipe, get_recipe
from softmax.train import TrainResult
from softmax.training_jobs import (
    BY_TEACHER,
    MAX_SECONDS_ENV,
    Progress,
    TrainingJob,
    TrainingSlot,
)
from softmax.training_lease import TrainingRefused
from softmax.ui import state, training, weights_forming
from softmax.ui.markdown import literal
from softmax.ui.mnist_download import just_fetched, offer_mnist
from softmax.ui.reading import shielded
from softmax.ui.teacher import is_teacher, teacher_gate
from softmax.ui.training import training_slot

JOB_KEY = "training_job"  # the job this session started; kept after it ends, for its result
REFUSED_KEY = "training_refused"  # why the last Start was refused
SAVED_KEY = "training_saved"  # where the last "Save as default" wrote
SAVE_FAILED_KEY = "training_save_failed"  # why the last "Save as default" failed
RECIPE_KEY, DATASET_KEY = "train_recipe", "train_dataset"
OPTIMIZER_KEY, RATE_KEY = "train_optimizer", "train_learning_rate"
BATCH_KEY, EPOCHS_KEY = "train_batch_size", "train_epochs"
PENALTY_KEY = "train_weight_penalty"
GET_MNIST_KEY = "train_get_mnist"
MNIST, DIGITS = "mnist", "digits"
OFFERED = {  # the recipes a class can run in under a minute, on each data set
    MNIST: ("notebook", "default", "deskew"),
    DIGITS: ("notebook", "default"),
}
PENALTIES = (0.0, 1e-5, 3e-5, 1e-4, 2e-4, 3e-4, 1e-3, 3e-3, 1e-2)  # λ, about 3× apart
POLL_SECONDS = 0.5
RECIPE_NOTES = {
    "notebook": "The reference notebook exactly: plain SGD at Keras' default rate, 100 epochs, "
    "no weight penalty.",
    "default": "Adam at 0.01 for 10 epochs, with a small weight penalty: within a hair of the "
    "best this model does, with weight maps that show strokes.",
    "deskew": "As default, on digits straightened first: removing slant helps a lot.",
}


@dataclass(frozen=True)
class Request:
    """What the Start button would train."""

    recipe: Recipe
    dataset: str  # MNIST or DIGITS


def render() -> None:
    """The page."""
    st.title("Train the model")
    st.caption(
        "Train the softmax yourself and watch it learn. Training here changes nothing for "
        "anyone else unless you save the result as the default."
    )
    try:
        slot = training_slot()
    except ValueError as error:  # a bad SOFTMAX_TRAINING_MAX_SECONDS
        st.error(f"Training is not available: {error}")
        return
    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    # Read once: the controls and what follows them must agree. A run that ends while this
    # script draws is caught by the live fragment, which reruns the page.
    running = job is not None and job.running
    settings, notes = st.columns([3, 2], gap="large")
    with settings:
        request = _settings(slot, mine=job if running else None)
    with notes:
        _notes(request)
    if running:
        _live(job)
    elif job is not None:
        _result(job)


def _settings(slot: TrainingSlot, mine: TrainingJob | None) -> Request | None:
    """The recipe and data set widgets and the Start button; None when the choice cannot run."""
    running = mine is not None
    mnist_missing = _mnist_missing()
    if DATASET_KEY not in st.session_state or just_fetched(GET_MNIST_KEY):
        st.session_state[DATASET_KEY] = DIGITS if mnist_missing else MNIST
        _load_recipe()
    data_col, recipe_col = st.columns(2)
    data_col.radio(
        "Data set",
        (MNIST, DIGITS),
        format_func={MNIST: "MNIST 28×28", DIGITS: "scikit-learn digits 8×8"}.__getitem__,
        key=DATASET_KEY,
        on_change=_load_recipe,
        disabled=running,
        horizontal=True,
        help="Each data set gets the recipe's settings sized for it (the 8×8 set: batch 32).",
    )
    recipe_col.selectbox(
        "Recipe",
        OFFERED[st.session_state[DATASET_KEY]],
        key=RECIPE_KEY,
        on_change=_load_recipe,
        disabled=running,
        help="Fills in the settings below; change any of them to experiment.",
    )
    optimizer, rate, batch, epochs = st.columns(4)
    optimizer.selectbox("Optimizer", OPTIMIZERS, key=OPTIMIZER_KEY, disabled=running)
    rate.number_input(
        "Learning rate",
        min_value=1e-5,
        max_value=10.0,
        value=None,
        format="%g",
        key=RATE_KEY,
        placeholder="Keras default",
        disabled=running,
        help="Empty: the optimizer's Keras default (SGD 0.01, Adam 0.001), as the notebook.",
    )
    batch.number_input("Batch size", 1, 60_000, step=32, key=BATCH_KEY, disabled=running)
    epochs.number_input("Epochs", 1, 500, step=1, key=EPOCHS_KEY, disabled=running)
    st.select_slider(
        "Weight penalty λ",
        PENALTIES,
        format_func=lambda penalty: f"{penalty:g}" if penalty else "off",
        key=PENALTY_KEY,
        disabled=running,
        help="Adds λ·‖W‖²/2 to the loss, so only weights the data really needs stay large: "
        "the speckled rim of rarely inked pixels fades and the maps show strokes.",
    )

    request = _request()
    problem = None
    if request.dataset == MNIST and mnist_missing:
        problem = f"MNIST is not available here ({mnist_missing}). The 8×8 digits need no download."
    if problem:
        st.info(problem, icon=":material/dataset:")
    elif request.dataset == DIGITS and request.recipe.batch_size >= (n := _digits_sizes()[0]):
        st.caption(
            f"The 8×8 set has {n:,} training images, so a batch of "
            f"{request.recipe.batch_size:,} makes one step per epoch: try a batch of 16–64."
        )
    if mnist_missing:
        if not problem:
            st.caption("MNIST, the notebook's own 28×28 digits, is not on this computer yet.")
        offer_mnist(GET_MNIST_KEY)
    st.button(
        "Start training",
        key="train_start",
        type="primary",
        icon=":material/play_arrow:",
        on_click=_start,
        args=(request,),
        disabled=running or problem is not None,
    )
    st.caption(
        f"One run at a time on this server, each stopped after {_duration(slot.max_seconds)} "
        f"at most ({MAX_SECONDS_ENV})."
    )
    refused = st.session_state.pop(REFUSED_KEY, None)
    if refused:
        st.warning(refused, icon=":material/hourglass_top:")
    busy = slot.busy
    if busy is not None and busy is not mine:
        if not refused:
            st.caption(f"Training is busy elsewhere on this server: {busy.describe()}.")
        if is_teacher():
            st.button(
                "Stop that training",
                key="train_stop_other",
                icon=":material/stop_circle:",
                on_click=busy.stop,
                kwargs={"by": BY_TEACHER},
                help="You are the teacher: end another session's run after its current epoch.",
            )
    return None if problem else request


def _mnist_missing() -> str | None:
    """None when MNIST can be read without a download, else how to provide it."""
    try:
        state.mnist()
    except DataError as error:
        return str(error)
    return None


def _digits_sizes() -> tuple[int, int]:
    """How many training and test images the 8×8 split has."""
    (_, train_labels), (_, test_labels) = state.digits_8x8()
    return len(train_labels), len(test_labels)


def _load_recipe() -> None:
    """Copy the chosen recipe's settings, sized for the chosen data set, into the widgets."""
    dataset = st.session_state[DATASET_KEY]
    if st.session_state.get(RECIPE_KEY) not in OFFERED[dataset]:
        st.session_state[RECIPE_KEY] = "default"
    recipe = get_recipe(st.session_state[RECIPE_KEY], dataset)
    st.session_state[OPTIMIZER_KEY] = recipe.optimizer
    st.session_state[RATE_KEY] = recipe.learning_rate
    st.session_state[BATCH_KEY] = recipe.batch_size
    st.session_state[EPOCHS_KEY] = recipe.epochs
    st.session_state[PENALTY_KEY] = recipe.weight_penalty


def _request() -> Request:
    """The recipe the widgets describe; named "<recipe> (edited)" when a setting was changed."""
    dataset = st.session_state[DATASET_KEY]
    named = get_recipe(st.session_state[RECIPE_KEY], dataset)
    recipe = named.replace(
        optimizer=st.session_state[OPTIMIZER_KEY],
        learning_rate=st.session_state[RATE_KEY],
        batch_size=int(st.session_state[BATCH_KEY]),
        epochs=int(st.session_state[EPOCHS_KEY]),
        weight_penalty=float(st.session_state[PENALTY_KEY]),
    )
    if recipe != named:
        recipe = recipe.replace(name=f"{named.name} (edited)")
    return Request(recipe, dataset)


def _start(request: Request) -> None:
    """Start button: claim the training slot (this server's, every replica's), or say why not."""
    try:
        job = training.start(request.recipe, request.dataset)
    except TrainingRefused as refused:
        st.session_state[REFUSED_KEY] = str(refused)
        return
    st.session_state[JOB_KEY] = job


def _test_set(dataset: str) -> str:
    if dataset == MNIST:
        return "MNIST's 10,000 test digits"
    return f"the {_digits_sizes()[1]:,} held-out 8×8 digits"


def _duration(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def _notes(request: Request | None) -> None:
    name, dataset = st.session_state[RECIPE_KEY], st.session_state[DATASET_KEY]
    measured = MEASURED_ACCURACY.get((name, dataset))
    reaches = f" Measured here: **{measured:.1%}** on {_test_set(dataset)}." if measured else ""
    st.markdown(f"**{name}** — {RECIPE_NOTES[name]}{reaches}")
    if request is None:
        return
    recipe = request.recipe
    rate = (
        "Keras' default rate" if recipe.learning_rate is None else f"rate {recipe.learning_rate:g}"
    )
    inputs = 784 if request.dataset == MNIST else 64
    penalty = (
        f" A weight penalty (λ = {recipe.weight_penalty:g}) pulls every weight towards 0, so "
        "only the ones the data keeps asking for stay large."
        if recipe.weight_penalty
        else ""
    )
    st.markdown(
        f"{recipe.epochs} passes over the training images, updating all "
        f"{n_params(inputs):,} weights after every batch of {recipe.batch_size:,} with "
        f"{recipe.optimizer.upper()} at {rate}.{penalty} After each pass the page shows the "
        "loss and accuracy on the training images and on the test images, which training "
        "never uses."
    )


@st.fragment(run_every=POLL_SECONDS)
def _live(job: TrainingJob) -> None:
    """Progress bar, Stop and the curves so far; reruns itself until the job ends."""
    progress = job.progress()
    if progress.done:
        st.rerun()  # the whole page, which now shows the result
    done = len(progress.epochs)
    if done == 0:
        text = "Starting TensorFlow and reading the data…"
    else:
        last = progress.epochs[-1]
        text = (
            f"Epoch {done} of {progress.total} · {last.seconds:.0f} s · "
            f"test accuracy {last.val_accuracy:.1%}"
        )
    bar, stop = st.columns([5, 1], vertical_alignment="bottom")
    bar.progress(done / progress.total, text=text)
    stop.button(
        "Stopping…" if progress.stopping else "Stop",
        key="train_stop",
        on_click=job.stop,
        disabled=progress.stopping,
        icon=":material/stop:",
        width="stretch",
    )
    _curves(progress, job.recipe.weight_penalty)


def _curves(progress: Progress, weight_penalty: float) -> None:
    st.altair_chart(
        charts.training_curves(progress.history, progress.total),
        width="content",
        key="train_curves",
        alt="Loss and accuracy per epoch, on the training and the test images",
    )
    penalty = (
        " With a weight penalty, the training loss includes it (λ·‖W‖²/2); the test loss is "
        "the cross-entropy alone."
        if weight_penalty
        else ""
    )
    st.caption(
        "Loss: how surprised the model is by the right answers (lower is better). "
        f"A test curve that follows the training curve means the model is not memorising.{penalty}"
    )


def _result(job: TrainingJob) -> None:
    progress = job.progress()
    if progress.error is not None:
        st.error(f"Training failed: {progress.error}")
        return
    result = progress.result
    trained = result.classifier
    shipped, shipped_label = _shipped_for(job)
    ran = len(result.history["loss"])
    stopped = ""
    if result.stopped_early:
        by = f"{progress.stopped_by} " if progress.stopped_by else ""
        stopped = f": stopped {by}after epoch {ran} of {job.recipe.epochs}"
    st.success(
        f"Trained {trained.recipe} on {_dataset_name(job.dataset)} in {result.seconds:.1f} s"
        f"{stopped}."
    )
    mine, theirs, rim, epochs = st.columns(4)
    mine.metric("Your model: test accuracy", f"{result.test_accuracy:.1%}")
    if shipped is not None:
        theirs_accuracy = shipped.metadata.get("test_accuracy")
        theirs.metric(
            f"{shipped_label}: test accuracy",
            f"{theirs_accuracy:.1%}" if isinstance(theirs_accuracy, float) else "—",
        )
    rim_share = trained.metadata.get("rim_share")
    rim.metric(
        "Your model: weight on the rim",
        f"{rim_share:.0%}" if isinstance(rim_share, float) else "—",
        help=explain.RIM_IN_WORDS,
    )
    epochs.metric("Epochs", f"{ran}")
    if job.dataset == DIGITS:
        st.caption(
            f"Your model was tested on the {_digits_sizes()[1]:,} held-out 8×8 digits, "
            "the shipped one on MNIST's 10,000: these tidy little images are easier, so the "
            "two numbers are not a fair match."
        )
    _curves(progress, job.recipe.weight_penalty)
    _replay(job, progress)
    _compare_weights(trained, shipped, shipped_label)
    _actions(result)


def _replay(job: TrainingJob, progress: Progress) -> None:
    """The run's weights forming, epoch by epoch, beside this session's runs' test loss."""
    if len(progress.weights) < 2:
        return
    with shielded("the weights forming"):
        runs = weights_forming.remember(
            f"{job.owner}-{job.started}", run_label(job), progress.history["val_loss"]
        )
        weights_forming.replay(WeightHistory.of(progress.weights), runs, "train_replay")


def run_label(job: TrainingJob) -> str:
    """A run's settings in a few words, to tell its curve from the others'."""
    recipe = job.recipe
    rate = "default rate" if recipe.learning_rate is None else f"rate {recipe.learning_rate:g}"
    penalty = f", λ {recipe.weight_penalty:g}" if recipe.weight_penalty else ""
    data = ", 8×8 digits" if job.dataset == DIGITS else ""
    return (
        f"{recipe.name}: {recipe.optimizer} {rate}, batch {recipe.batch_size:,}, "
        f"{recipe.epochs} epochs{penalty}{data}"
    )


def _shipped_for(job: TrainingJob) -> tuple[SoftmaxClassifier | None, str]:
    """The shipped model of the same recipe (deskew for deskew), else the default one."""
    name = job.recipe.name if job.recipe.name in SHIPPED else "default"
    try:
        return state.load_classifier(shipped_path(name)), f"Shipped “{name}”"
    except ModelFileError:
        return None, ""


def _compare_weights(
    trained: SoftmaxClassifier, shipped: SoftmaxClassifier | None, shipped_label: str
) -> None:
    st.subheader("Weights side by side")
    models = [(f"Yours ({trained.image_shape[0]}×{trained.image_shape[1]})", trained)]
    if shipped is not None:
        models.append((f"{shipped_label} (28×28)", shipped))
    columns = st.columns(2, gap="large")
    for index, (column, (title, classifier)) in enumerate(zip(columns, models, strict=False)):
        maps = explain.weight_maps(classifier)  # (10, side, side)
        column.markdown(f"**{title}**")
        column.altair_chart(
            charts.diverging_maps(maps, charts.DIGITS, explain.weight_scale(maps), size=62),
            width="content",
            key=f"train_weights_{index}",
        )
    st.caption("Blue pixels vote for the digit, red against; each model on its own colour scale.")


def _actions(result: TrainResult) -> None:
    use, save = st.columns(2)
    use.button(
        "Use in this session",
        key="train_use",
        icon=":material/draw:",
        on_click=_use,
        args=(result.classifier,),
        help="The sidebar's model for this browser session only; nobody else sees it.",
        width="stretch",
    )
    with save:
        _save_as_default(result.classifier)
    if st.session_state.get(state.TRAINED_KEY) is result.classifier:
        use.caption("In use in this session: see the sidebar.")
        if result.classifier.n_inputs != 784:
            use.caption(
                "The drawing page needs a 28×28 model; the explorer and lesson use this one."
            )


def _save_as_default(classifier: SoftmaxClassifier) -> None:
    """The "Save as default" button: for the teacher, and for a model that reads the canvas."""
    if not teacher_gate("Saving the default model"):
        return
    try:
        check_reads_canvas(classifier)
    except UnusableModel as reason:
        st.button(
            "Save as default",
            key="train_save",
            icon=":material/save:",
            disabled=True,
            width="stretch",
        )
        st.caption(f"Only a model that can read drawings can be everyone's default: {reason}.")
        return
    st.button(
        "Save as default",
        key="train_save",
        icon=":material/save:",
        on_click=_save,
        args=(classifier,),
        help="Every new session starts with it; sessions already open keep their model.",
        width="stretch",
    )
    failed = st.session_state.pop(SAVE_FAILED_KEY, None)
    if failed:
        where = literal(str(state.saved_model_path()))
        st.error(f"Could not save the default model to {where}: {failed}", icon=":material/error:")
    saved = st.session_state.get(SAVED_KEY)
    if saved:
        st.caption(f"Saved to {literal(saved)}. New sessions start with it.")


def _use(classifier: SoftmaxClassifier) -> None:
    st.session_state[state.TRAINED_KEY] = classifier
    st.session_state[state.CHOICE_KEY] = state.SESSION


def _save(classifier: SoftmaxClassifier) -> None:
    """Button callback: a failure is kept to show as an st.error, never raised into the page."""
    try:
        st.session_state[SAVED_KEY] = str(state.save_default(classifier))
    except (OSError, ValueError) as error:  # UnusableModel is a ValueError
        reason = str(error)
        if isinstance(error, OSError) and error.strerror:  # no "[Errno 13]" on the page
            reason = error.strerror + (f": {literal(error.filename)}" if error.filename else "")
        st.session_state[SAVE_FAILED_KEY] = f"{reason}."
        st.session_state.pop(SAVED_KEY, None)


def _dataset_name(dataset: str) -> str:
    return "MNIST" if dataset == MNIST else "scikit-learn's 8×8 digits"
