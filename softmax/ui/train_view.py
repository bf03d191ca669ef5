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
from softmax.i18n import Messages
from softmax.model import (
    SHIPPED,
    ModelFileError,
    SoftmaxClassifier,
    UnusableModel,
    check_reads_canvas,
    n_params,
    shipped_path,
)
from softmax.recipes import (
    MEASURED_ACCURACY,
    OPTIMIZER_NAMES,
    OPTIMIZERS,
    Recipe,
    get_recipe,
)
from softmax.train import TrainResult
from softmax.training_jobs import (
    BY_OWNER_GONE,
    BY_TEACHER,
    BY_TIME_LIMIT,
    MAX_SECONDS_ENV,
    Progress,
    TrainingJob,
    TrainingSlot,
)
from softmax.training_lease import BY_LEASE_LOST, TrainingRefused
from softmax.ui import state, training, weights_forming
from softmax.ui.language import messages, restate
from softmax.ui.markdown import literal
from softmax.ui.mnist_download import just_fetched, offer_mnist
from softmax.ui.reading import shielded
from softmax.ui.teacher import is_teacher, teacher_gate
from softmax.ui.training import training_slot

JOB_KEY = "training_job"  # the job this session started; kept after it ends, for its result
REFUSED_KEY = "training_refused"  # why the last Start was refused (a TrainingRefused)
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
STOPPED_BY = {  # who or what stopped a run (training_jobs' BY_...) -> its message's key
    BY_TIME_LIMIT: "train.result.stopped_at_time_limit",
    BY_TEACHER: "train.result.stopped_by_teacher",
    BY_OWNER_GONE: "train.result.stopped_page_closed",
    BY_LEASE_LOST: "train.result.stopped_lease_lost",
}


@dataclass(frozen=True)
class Request:
    """What the Start button would train."""

    recipe: Recipe
    dataset: str  # MNIST or DIGITS


def render() -> None:
    """The page."""
    t = messages()
    st.title(t("train.title"))
    st.caption(t("train.intro"))
    try:
        slot = training_slot()
    except ValueError as error:  # a bad SOFTMAX_TRAINING_MAX_SECONDS
        st.error(t("train.unavailable", reason=literal(error)))
        return
    job: TrainingJob | None = st.session_state.get(JOB_KEY)
    # Read once: the controls and what follows them must agree. A run that ends while this
    # script draws is caught by the live fragment, which reruns the page.
    running = job is not None and job.running
    settings, notes = st.columns([3, 2], gap="large")
    with settings:
        request = _settings(slot, mine=job if running else None, t=t)
    with notes:
        _notes(request, t)
    if running:
        _live(job)
    elif job is not None:
        _result(job, t)


def _settings(slot: TrainingSlot, mine: TrainingJob | None, t: Messages) -> Request | None:
    """The recipe and data set widgets and the Start button; None when the choice cannot run."""
    running = mine is not None
    mnist_missing = _mnist_missing(t)
    if DATASET_KEY not in st.session_state or just_fetched(GET_MNIST_KEY):
        st.session_state[DATASET_KEY] = DIGITS if mnist_missing else MNIST
        _load_recipe()
    for key in (DATASET_KEY, RECIPE_KEY, PENALTY_KEY):  # shown in this run's words
        restate(key)
    data_col, recipe_col = st.columns(2)
    data_col.radio(
        t("train.dataset"),
        (MNIST, DIGITS),
        format_func={MNIST: "MNIST 28×28", DIGITS: t("train.digits_8x8")}.__getitem__,
        key=DATASET_KEY,
        on_change=_load_recipe,
        disabled=running,
        horizontal=True,
        help=t("train.dataset_help"),
    )
    recipe_col.selectbox(
        t("train.recipe"),
        OFFERED[st.session_state[DATASET_KEY]],
        format_func=lambda name: t(f"models.recipe.{name}.name"),
        key=RECIPE_KEY,
        on_change=_load_recipe,
        disabled=running,
        help=t("train.recipe_help"),
    )
    optimizer, rate, batch, epochs = st.columns(4)
    optimizer.selectbox(
        t("train.optimizer"),
        OPTIMIZERS,
        format_func=OPTIMIZER_NAMES.__getitem__,
        key=OPTIMIZER_KEY,
        disabled=running,
    )
    rate.number_input(
        t("train.learning_rate"),
        min_value=1e-5,
        max_value=10.0,
        value=None,
        format="%g",
        key=RATE_KEY,
        placeholder=t("train.learning_rate_default"),
        disabled=running,
        help=t("train.learning_rate_help"),
    )
    batch.number_input(t("train.batch_size"), 1, 60_000, step=32, key=BATCH_KEY, disabled=running)
    epochs.number_input(t("train.epochs"), 1, 500, step=1, key=EPOCHS_KEY, disabled=running)
    st.select_slider(
        t("train.penalty"),
        PENALTIES,
        format_func=lambda penalty: f"{penalty:g}" if penalty else t("train.penalty_off"),
        key=PENALTY_KEY,
        disabled=running,
        help=t("train.penalty_help"),
    )

    request = _request()
    problem = None
    if request.dataset == MNIST and mnist_missing:
        problem = t("train.mnist_missing", why=mnist_missing)
    if problem:
        st.info(problem, icon=":material/dataset:")
    elif request.dataset == DIGITS and request.recipe.batch_size >= (n := _digits_sizes()[0]):
        st.caption(
            t(
                "train.one_step_per_epoch",
                images=t.number(n),
                batch=t.number(request.recipe.batch_size),
            )
        )
    if mnist_missing:
        if not problem:
            st.caption(t("train.mnist_not_here"))
        offer_mnist(GET_MNIST_KEY)
    st.button(
        t("train.start"),
        key="train_start",
        type="primary",
        icon=":material/play_arrow:",
        on_click=_start,
        args=(request,),
        disabled=running or problem is not None,
    )
    st.caption(
        t("train.time_limit", duration=_duration(slot.max_seconds, t), variable=MAX_SECONDS_ENV)
    )
    refused = st.session_state.pop(REFUSED_KEY, None)
    if refused:
        st.warning(training.refusal(refused, t), icon=":material/hourglass_top:")
    _elsewhere(slot, refused is not None, t)
    busy = slot.busy
    if busy is not None and busy is not mine:
        if not refused:
            st.caption(t("training.busy_elsewhere", progress=training.how_far(busy, t)))
        if is_teacher():
            st.button(
                t("training.stop_other"),
                key="train_stop_other",
                icon=":material/stop_circle:",
                on_click=busy.stop,
                kwargs={"by": BY_TEACHER},
                help=t("training.stop_other_help"),
            )
    return None if problem else request


def _elsewhere(slot: TrainingSlot, refused: bool, t: Messages) -> None:
    """A run on another of the studio's servers: what, whose, since when (unless a refusal just
    said so) and, for the teacher, a button that asks it to stop."""
    said = st.session_state.pop(training.STOP_ASKED_KEY, None)
    if said:
        st.info(said, icon=":material/stop_circle:")
    lease = training.lease_elsewhere(slot)
    if lease is None:
        return
    if not refused:
        st.caption(training.running_elsewhere(lease, t))
    if is_teacher() and not lease.stop_requested:
        st.button(
            t("training.stop_other"),
            key="train_stop_elsewhere",
            icon=":material/stop_circle:",
            on_click=training.stop_elsewhere,
            help=t("training.stop_elsewhere_help"),
        )


def _mnist_missing(t: Messages) -> str | None:
    """None when MNIST can be read without a download, else why not and how to provide it."""
    try:
        state.mnist()
    except DataError as error:
        return state.why_no_mnist(error, t)
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
        recipe = recipe.replace(name=named.name + state.EDITED)
    return Request(recipe, dataset)


def _start(request: Request) -> None:
    """Start button: claim the training slot (this server's, every replica's), or say why not."""
    try:
        job = training.start(request.recipe, request.dataset)
    except TrainingRefused as refused:
        st.session_state[REFUSED_KEY] = refused
        return
    st.session_state[JOB_KEY] = job


def _test_set(dataset: str, t: Messages) -> str:
    if dataset == MNIST:
        return t("train.test_set.mnist", n=t.number(10_000))
    return t("train.test_set.digits", n=t.number(_digits_sizes()[1]))


def _duration(seconds: float, t: Messages) -> str:
    if seconds >= 60:
        return t("train.duration.minutes", n=t.number(round(seconds / 60, 2)))
    return t("train.duration.seconds", n=t.number(round(seconds, 2)))


def _notes(request: Request | None, t: Messages) -> None:
    name, dataset = st.session_state[RECIPE_KEY], st.session_state[DATASET_KEY]
    measured = MEASURED_ACCURACY.get((name, dataset))
    about = {"recipe": state.recipe_title(name, t), "note": t(f"models.recipe.{name}.note")}
    if measured:
        st.markdown(
            t(
                "train.notes.measured",
                accuracy=t.percent(measured, 1),
                test_set=_test_set(dataset, t),
                **about,
            )
        )
    else:
        st.markdown(t("train.notes.recipe", **about))
    if request is None:
        return
    recipe = request.recipe
    inputs = 784 if request.dataset == MNIST else 64
    values = {
        "weights": t.number(n_params(inputs)),
        "batch": t.number(recipe.batch_size),
        "optimizer": OPTIMIZER_NAMES[recipe.optimizer],
    }
    if recipe.learning_rate is None:
        plan = [t.plural("train.plan.default_rate", recipe.epochs, **values)]
    else:
        rate = f"{recipe.learning_rate:g}"
        plan = [t.plural("train.plan.rate", recipe.epochs, rate=rate, **values)]
    if recipe.weight_penalty:
        plan.append(t("train.plan.penalty", penalty=f"{recipe.weight_penalty:g}"))
    plan.append(t("train.plan.curves"))
    st.markdown(" ".join(plan))


@st.fragment(run_every=POLL_SECONDS)
def _live(job: TrainingJob) -> None:
    """Progress bar, Stop and the curves so far; reruns itself until the job ends."""
    t = messages()
    progress = job.progress()
    if progress.done:
        st.rerun()  # the whole page, which now shows the result
    done = len(progress.epochs)
    if done == 0:
        text = t("train.live.starting")
    else:
        last = progress.epochs[-1]
        text = t(
            "train.live.epoch",
            done=done,
            total=progress.total,
            seconds=t.number(last.seconds, 0),
            accuracy=t.percent(last.val_accuracy, 1),
        )
    bar, stop = st.columns([5, 1], vertical_alignment="bottom")
    bar.progress(done / progress.total, text=text)
    stop.button(
        t("train.live.stopping") if progress.stopping else t("train.live.stop"),
        key="train_stop",
        on_click=job.stop,
        disabled=progress.stopping,
        icon=":material/stop:",
        width="stretch",
    )
    _curves(progress, job.recipe.weight_penalty, t)


def _curves(progress: Progress, weight_penalty: float, t: Messages) -> None:
    st.altair_chart(
        charts.training_curves(progress.history, progress.total, t=t),
        width="content",
        key="train_curves",
        alt=t("train.curves.alt"),
    )
    words = [t("train.curves.loss"), t("train.curves.follow")]
    if weight_penalty:
        words.append(t("train.curves.penalty"))
    st.caption(" ".join(words))


def _result(job: TrainingJob, t: Messages) -> None:
    progress = job.progress()
    if progress.error is not None:
        st.error(t("train.result.failed", error=progress.error))
        return
    result = progress.result
    trained = result.classifier
    shipped, shipped_label = _shipped_for(job, t)
    ran = len(result.history["loss"])
    done = {
        "recipe": state.recipe_title(trained.recipe, t),
        "dataset": t(f"models.dataset.{job.dataset}"),
        "seconds": t.number(result.seconds, 1),
    }
    if result.stopped_early:
        key = STOPPED_BY.get(progress.stopped_by, "train.result.stopped")
        st.success(t(key, ran=ran, epochs=job.recipe.epochs, **done))
    else:
        st.success(t("train.result.trained", **done))
    mine, theirs, rim, epochs = st.columns(4)
    mine.metric(t("train.result.your_accuracy"), t.percent(result.test_accuracy, 1))
    if shipped is not None:
        theirs_accuracy = shipped.metadata.get("test_accuracy")
        theirs.metric(
            t("train.result.shipped_accuracy", model=shipped_label),
            t.percent(theirs_accuracy, 1) if isinstance(theirs_accuracy, float) else "—",
        )
    rim_share = trained.metadata.get("rim_share")
    rim.metric(
        t("train.result.your_rim"),
        t.percent(rim_share) if isinstance(rim_share, float) else "—",
        help=t("model_card.rim_in_words"),
    )
    epochs.metric(t("train.epochs"), t.number(ran))
    if job.dataset == DIGITS:
        st.caption(t("train.result.not_a_fair_match", n=t.number(_digits_sizes()[1])))
    _curves(progress, job.recipe.weight_penalty, t)
    _replay(job, progress, t)
    _compare_weights(trained, shipped, shipped_label, t)
    _actions(result, t)


def _replay(job: TrainingJob, progress: Progress, t: Messages) -> None:
    """The run's weights forming, epoch by epoch, beside this session's runs' test loss."""
    if len(progress.weights) < 2:
        return
    with shielded(t("train.replay.what")):
        runs = weights_forming.remember(
            f"{job.owner}-{job.started}", run_label(job, t), progress.history["val_loss"]
        )
        weights_forming.replay(WeightHistory.of(progress.weights), runs, "train_replay")


def run_label(job: TrainingJob, t: Messages) -> str:
    """A run's settings in a few words, to tell its curve from the others'."""
    recipe = job.recipe
    if recipe.learning_rate is None:
        settings = [t("train.run_label.default_rate", optimizer=recipe.optimizer)]
    else:
        rate = f"{recipe.learning_rate:g}"
        settings = [t("train.run_label.rate", optimizer=recipe.optimizer, rate=rate)]
    settings.append(t("train.run_label.batch", batch=t.number(recipe.batch_size)))
    settings.append(t.plural("train.run_label.epochs", recipe.epochs))
    if recipe.weight_penalty:
        settings.append(f"λ {recipe.weight_penalty:g}")
    if job.dataset == DIGITS:
        settings.append(t("train.run_label.digits"))
    return t(
        "train.run_label.run",
        recipe=state.recipe_title(recipe.name, t),
        settings=", ".join(settings),
    )


def _shipped_for(job: TrainingJob, t: Messages) -> tuple[SoftmaxClassifier | None, str]:
    """The shipped model of the same recipe (deskew for deskew), else the default one."""
    name = job.recipe.name if job.recipe.name in SHIPPED else "default"
    try:
        shipped = state.load_classifier(shipped_path(name))
    except ModelFileError:
        return None, ""
    return shipped, t("train.result.shipped", recipe=state.recipe_title(name, t))


def _compare_weights(
    trained: SoftmaxClassifier, shipped: SoftmaxClassifier | None, shipped_label: str, t: Messages
) -> None:
    st.subheader(t("train.weights.title"))
    side = f"{trained.image_shape[0]}×{trained.image_shape[1]}"
    models = [(t("train.weights.yours", size=side), trained)]
    if shipped is not None:
        models.append((t("train.weights.shipped", model=shipped_label, size="28×28"), shipped))
    columns = st.columns(2, gap="large")
    for index, (column, (title, classifier)) in enumerate(zip(columns, models, strict=False)):
        maps = explain.weight_maps(classifier)  # (10, side, side)
        column.markdown(f"**{title}**")
        column.altair_chart(
            charts.diverging_maps(
                maps,
                charts.DIGITS,
                explain.weight_scale(maps),
                size=62,
                t=t,
            ),
            width="content",
            key=f"train_weights_{index}",
        )
    st.caption(t("train.weights.caption"))


def _actions(result: TrainResult, t: Messages) -> None:
    use, save = st.columns(2)
    use.button(
        t("train.use.button"),
        key="train_use",
        icon=":material/draw:",
        on_click=_use,
        args=(result.classifier,),
        help=t("train.use.help"),
        width="stretch",
    )
    with save:
        _save_as_default(result.classifier, t)
    if st.session_state.get(state.TRAINED_KEY) is result.classifier:
        use.caption(t("train.use.in_use"))
        if result.classifier.n_inputs != 784:
            use.caption(t("train.use.in_use_8x8"))


def _save_as_default(classifier: SoftmaxClassifier, t: Messages | None = None) -> None:
    """The "Save as default" button: for the teacher, and for a model that reads the canvas."""
    t = t or messages()
    if not teacher_gate(t("train.save.action"), key="save_default"):
        return
    try:
        check_reads_canvas(classifier)
    except UnusableModel:
        st.button(
            t("train.save.button"),
            key="train_save",
            icon=":material/save:",
            disabled=True,
            width="stretch",
        )
        side = f"{classifier.image_shape[0]}×{classifier.image_shape[1]}"
        st.caption(t("train.save.not_canvas", size=side))
        return
    st.button(
        t("train.save.button"),
        key="train_save",
        icon=":material/save:",
        on_click=_save,
        args=(classifier,),
        help=t("train.save.help"),
        width="stretch",
    )
    failed = st.session_state.pop(SAVE_FAILED_KEY, None)
    if failed:
        where = literal(str(state.saved_model_path()))
        st.error(t("train.save.failed", path=where, reason=failed), icon=":material/error:")
    saved = st.session_state.get(SAVED_KEY)
    if saved:
        st.caption(t("train.save.saved", path=literal(saved)))


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
            reason = error.strerror + (f": {error.filename}" if error.filename else "")
        st.session_state[SAVE_FAILED_KEY] = literal(reason)
        st.session_state.pop(SAVED_KEY, None)
