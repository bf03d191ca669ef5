"""One training run at a time per server, in a child process that a background thread watches.

A training run takes seconds to a minute, so it must not block the page: `TrainingJob` starts it
and a watcher thread records each finished epoch, which the Train page polls from a fragment, so
its Stop button, other tabs and other sessions stay responsive.

`train.fit` runs in a child Python process (`python -m softmax.training_jobs`), not in a thread
of the server, because Streamlit calls `keras.backend.clear_session()` and a full `gc.collect()`
after every script run of every session (`script_runner._clean_problem_modules`): a thread
training beside a page that reruns twice a second went 10–25 times slower and had Keras' global
state reset under it. The child imports TensorFlow when training starts and leaves without
tearing it down once its last report is out; the server never imports it. The child reports
JSON lines on stdout: its weights before training and after every epoch (softmax.history's
encode_epoch, 21 kB, for the Train page's replay) and each epoch's scores, and ends with the
trained W and b (or the error); a "stop" line on its stdin sets the `threading.Event` its
`ProgressCallback` reads (so does the server going away: stdin closes).

A job is *finished* the moment its result or error is known, not when the child has exited: the
page is ready for the next run within one poll. Nothing the child sends can leave the slot busy:
a report that cannot be read (not JSON, cut off, not UTF-8, an unknown kind, wrong fields,
non-finite weights) fails the run with that reason and the child is killed. A guard thread
stops a run that passes its wall-time limit (`SOFTMAX_TRAINING_MAX_SECONDS`, default 10 min)
or whose owner's browser session has been gone for ORPHAN_SECONDS, and kills a child that does
not stop within STOP_GRACE_SECONDS of being asked.

`TrainingSlot` admits one job at a time for the whole server (the Train page keeps one in
`st.cache_resource`): two fits at once would halve each other's speed on a small machine, so a
second request is refused with `SlotBusy`, which says who holds the slot and how far it got,
never queued silently. This module does not import Streamlit.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from softmax.history import decode_epoch, encode_epoch
from softmax.model import QUIET_TENSORFLOW, SoftmaxClassifier
from softmax.recipes import DATASETS, Recipe
from softmax.train import EpochLog, ProgressCallback, TrainResult

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # so the child imports this same softmax
MAX_SECONDS_ENV = "SOFTMAX_TRAINING_MAX_SECONDS"
DEFAULT_MAX_SECONDS = 600.0  # 10 min: MNIST's notebook recipe takes ~15 s, 8×8 runs seconds
ORPHAN_SECONDS = 30.0  # an owner disconnected this long has closed the page, not lost Wi-Fi
STOP_GRACE_SECONDS = 15.0  # a stopped child that is still running after this is killed
GUARD_SECONDS = 0.5  # how often the guard looks at the clock and the owner
INPUTS = {"mnist": 784, "digits": 64}  # what a model trained on each data set must take
N_CLASSES = 10
REPORTS = ("weights", "epoch", "done", "error")  # the kinds of line a child writes
BY_TIME_LIMIT = "at the time limit"
BY_TEACHER = "by the teacher"
BY_OWNER_GONE = "because its page was closed"


def max_training_seconds() -> float:
    """The wall-time limit per run: `SOFTMAX_TRAINING_MAX_SECONDS`, else 10 minutes.

    ValueError naming the variable when it is set to anything but a positive number.
    """
    raw = os.environ.get(MAX_SECONDS_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{MAX_SECONDS_ENV} must be a number of seconds > 0; got {raw!r}")
    return seconds


@dataclass(frozen=True)
class Progress:
    """What a job has done so far: a consistent snapshot for one page render."""

    epochs: tuple[EpochLog, ...]  # the finished epochs, in order
    total: int  # epochs the recipe asks for
    result: TrainResult | None  # set once training has finished
    error: str | None  # set if training failed
    stopping: bool  # a stop was asked and the current epoch is ending
    stopped_by: str | None  # why someone other than the owner stopped it (BY_...), if so
    weights: tuple[tuple[np.ndarray, np.ndarray], ...] = ()  # (W, b) before training, then
    # after each finished epoch (float16 W, float32 b): softmax.history.WeightHistory.of(weights)

    @property
    def done(self) -> bool:
        return self.result is not None or self.error is not None

    @property
    def history(self) -> dict[str, list[float]]:
        """Per-epoch curves in Keras' History names: loss, accuracy, val_loss, val_accuracy."""
        names = ("loss", "accuracy", "val_loss", "val_accuracy")
        return {name: [getattr(log, name) for log in self.epochs] for name in names}


class TrainingJob:
    """`train.fit(recipe, <dataset>)` in a child process, reporting every epoch.

    `dataset` is "mnist" or "digits"; `owner` names the browser session that started the job;
    `owner_alive()` says whether that session is still connected (None: always assumed so);
    `max_seconds` is the run's wall-time limit. Raises ValueError for another dataset name.
    """

    orphan_seconds = ORPHAN_SECONDS
    stop_grace_seconds = STOP_GRACE_SECONDS

    def __init__(
        self,
        recipe: Recipe,
        dataset: str,
        owner: str,
        max_seconds: float = DEFAULT_MAX_SECONDS,
        owner_alive: Callable[[], bool] | None = None,
        extra: Path | None = None,
        extra_weight: float = 1.0,
    ) -> None:
        if dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {dataset!r}")
        self.recipe = recipe
        self.dataset = dataset
        self.owner = owner
        self.max_seconds = max_seconds
        self.owner_alive = owner_alive
        self.extra = extra
        self.extra_weight = extra_weight
        self.started = time.time()
        self._lock = threading.Lock()
        self._epochs: list[EpochLog] = []
        self._weights: list[tuple[np.ndarray, np.ndarray]] = []
        self._result: TrainResult | None = None
        self._error: str | None = None
        self._stop_asked: float | None = None  # time.monotonic() of the first stop request
        self._first_report: float | None = None  # time.monotonic() of the first epoch's report
        self._stopped_by: str | None = None
        self._killed = False
        self._finished = threading.Event()
        self._process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"TrainingJob({self.recipe.name!r} on {self.dataset}, {self.describe()})"

    def command(self) -> list[str]:
        """The child's command line: this module, run with the recipe and the data set."""
        recipe = json.dumps(dataclasses.asdict(self.recipe))
        extra = [] if self.extra is None else [str(self.extra), repr(float(self.extra_weight))]
        return [sys.executable, "-m", __name__, recipe, self.dataset, *extra]

    def start(self) -> None:
        """Start the child process, the thread that reads its reports and the guard."""
        pythonpath = os.pathsep.join(
            filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])
        )
        self._process = subprocess.Popen(
            self.command(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**QUIET_TENSORFLOW, **os.environ, "PYTHONPATH": pythonpath},
        )
        threading.Thread(target=self._watch, name="training-watcher", daemon=True).start()
        threading.Thread(target=self._guard, name="training-guard", daemon=True).start()

    def stop(self, by: str | None = None) -> None:
        """Ask training to end after the current step; the epoch so far is still reported.

        `by` says who or what stopped it when it was not the owner (BY_TEACHER, ...).
        """
        with self._lock:
            if self._stop_asked is not None or self._process is None or not self.running:
                return
            self._stop_asked = time.monotonic()
            self._stopped_by = by
        try:
            self._process.stdin.write(b"stop\n")
            self._process.stdin.flush()
        except (OSError, ValueError):  # the child has just ended: nothing left to stop
            pass

    @property
    def pid(self) -> int | None:
        """The child's process id, once started."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        """Until the result or the error is known (the child may take a moment more to exit)."""
        return not self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the result or error is known (tests and scripts); False on timeout."""
        return self._finished.wait(timeout)

    def progress(self) -> Progress:
        with self._lock:
            return Progress(
                tuple(self._epochs),
                self.recipe.epochs,
                self._result,
                self._error,
                self._stop_asked is not None and self.running,
                self._stopped_by,
                tuple(self._weights),
            )

    def describe(self) -> str:
        """Where it is: `epoch 12/100` while running, `finished` or `failed` after."""
        progress = self.progress()
        if progress.error is not None:
            return "failed"
        if progress.result is not None:
            return "finished"
        return f"epoch {len(progress.epochs)}/{progress.total}"

    def _watch(self) -> None:
        """Record the child's reports until its last; whatever goes wrong ends the job."""
        process = self._process
        final = False
        try:
            for line in process.stdout:
                final = self._record(line)
                if final:
                    break
        except Exception as error:  # any bad report fails the run; never the watcher silently
            text = " ".join(f"{type(error).__name__}: {error}".split())
            self._finish(
                error=f"the training process sent a report that could not be read ({text[:300]})"
            )
        finally:
            try:
                if not final:
                    process.kill()  # no result will come: do not let it hold the machine
                    code = process.wait()
                    self._finish(error=self._ended_without_result(code))
            finally:
                self._finished.set()  # the slot is free whatever happened above
                _reap(process, self.stop_grace_seconds)

    def _record(self, line: bytes) -> bool:
        """Record one report; True when it was the last (the result or the error)."""
        kind, body = _parse(line)
        if kind == "weights":
            snapshot = decode_epoch(body, INPUTS[self.dataset], N_CLASSES)
            if not (np.isfinite(snapshot[0]).all() and np.isfinite(snapshot[1]).all()):
                raise ValueError("an epoch's weights are not finite")
            with self._lock:
                self._weights.append(snapshot)
            return False
        if kind == "epoch":
            log = _epoch_log(body)
            with self._lock:
                self._epochs.append(log)
                if self._first_report is None:
                    self._first_report = time.monotonic()
            return False
        if kind == "done":
            self._finish(result=_result(body, INPUTS[self.dataset]))
        else:
            self._finish(error=str(body))
        return True

    def _finish(self, result: TrainResult | None = None, error: str | None = None) -> None:
        """Set the outcome, once: the first one wins, and the job stops running."""
        with self._lock:
            if self._finished.is_set():
                return
            self._result, self._error = result, error
            self._finished.set()

    def _ended_without_result(self, code: int) -> str:
        if self._killed:
            return (
                f"stopped {self._stopped_by or 'on request'}: the training process did not "
                f"stop within {self.stop_grace_seconds:g} s and was ended"
            )
        return f"the training process ended without a result (exit code {code})"

    def _guard(self) -> None:
        """Stop a run past its time limit or whose owner left; kill one that will not stop.

        A stop takes effect once training runs (the child reads it between compiled calls), so
        a child still importing TensorFlow or compiling is given until its first epoch's report,
        plus the grace; past its time limit plus the grace it is killed whatever it is doing.
        """
        start = last_seen = time.monotonic()
        while not self._finished.wait(GUARD_SECONDS):
            now = time.monotonic()
            if self.owner_alive is None or self.owner_alive():
                last_seen = now
            if now - start > self.max_seconds:
                self.stop(by=BY_TIME_LIMIT)
            elif now - last_seen > self.orphan_seconds:
                self.stop(by=BY_OWNER_GONE)
            asked, training = self._stop_asked, self._first_report
            ignored = asked is not None and training is not None
            if (ignored and now - max(asked, training) > self.stop_grace_seconds) or (
                now - start > self.max_seconds + self.stop_grace_seconds
            ):
                self._killed = True
                self._process.kill()  # the watcher sees the end and fails the run
                return


def _parse(line: bytes) -> tuple[str, Any]:
    """One report line -> (kind, body); ValueError for anything but a whole, known report."""
    if not line.endswith(b"\n"):
        raise ValueError(f"the last report was cut off after {len(line):,} bytes")
    report = json.loads(line.decode("utf-8"))  # UnicodeDecodeError is a ValueError too
    if not isinstance(report, dict) or len(report) != 1:
        raise ValueError("a report must be one {kind: body} object")
    [(kind, body)] = report.items()
    if kind not in REPORTS:
        raise ValueError(f"unknown report {kind!r}")
    return kind, body


def _epoch_log(body: Any) -> EpochLog:
    """An epoch report as an EpochLog whose fields are all numbers (TypeError otherwise)."""
    log = EpochLog(**body)
    for field in dataclasses.fields(EpochLog):
        value = getattr(log, field.name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"epoch report: {field.name} is {value!r}, not a number")
    return log


def _result(done: dict, n_inputs: int) -> TrainResult:
    """The child's final report as a TrainResult around a (validated) SoftmaxClassifier."""
    classifier = SoftmaxClassifier(done["weights"], done["bias"], done["metadata"])
    if (classifier.n_inputs, classifier.n_classes) != (n_inputs, 10):
        raise ValueError(
            f"the model takes {classifier.n_inputs} inputs to {classifier.n_classes} classes, "
            f"not {n_inputs} to 10"
        )
    history = {str(key): [float(v) for v in values] for key, values in done["history"].items()}
    return TrainResult(
        classifier,
        history,
        float(done["test_accuracy"]),
        float(done["seconds"]),
        bool(done["stopped_early"]),
    )


def _reap(process: subprocess.Popen, grace: float) -> None:
    """Wait for the child to exit (it leaves right after its last report), else kill it."""
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pipe in (process.stdin, process.stdout):
        with contextlib.suppress(OSError):
            pipe.close()


class SlotBusy(RuntimeError):
    """Another training run holds the server's one training slot."""

    def __init__(self, job: TrainingJob, asker: str) -> None:
        self.job = job
        who = "by you, in this session" if job.owner == asker else "by another session"
        super().__init__(
            f"Another training is running (started {who}, {job.describe()}) — "
            "try again when it finishes."
        )


class TrainingSlot:
    """Admits one `TrainingJob` at a time for the whole server.

    `max_seconds`: each run's wall-time limit (default: `max_training_seconds()`, which raises
    ValueError for a bad `SOFTMAX_TRAINING_MAX_SECONDS`). `make_job` builds the jobs (tests
    pass a TrainingJob subclass that runs a stand-in child).
    """

    def __init__(
        self,
        max_seconds: float | None = None,
        make_job: Callable[..., TrainingJob] = TrainingJob,
    ) -> None:
        self.max_seconds = max_training_seconds() if max_seconds is None else max_seconds
        self._make_job = make_job
        self._lock = threading.Lock()
        self._job: TrainingJob | None = None

    def __repr__(self) -> str:
        return f"TrainingSlot({self._job!r})"

    @property
    def busy(self) -> TrainingJob | None:
        """The running job, if any."""
        job = self._job
        return job if job is not None and job.running else None

    def start(
        self,
        recipe: Recipe,
        dataset: str,
        owner: str,
        owner_alive: Callable[[], bool] | None = None,
        **options: Any,
    ) -> TrainingJob:
        """Start a job, or raise SlotBusy (with who and how far) if one is running. `options`
        go to the job (`extra`, `extra_weight`: a class's own digits)."""
        with self._lock:
            running = self.busy
            if running is not None:
                raise SlotBusy(running, owner)
            job = self._make_job(recipe, dataset, owner, self.max_seconds, owner_alive, **options)
            job.start()
            self._job = job
            return job


def _child(
    recipe: Recipe,
    dataset: str,
    commands: IO[str],
    reports: IO[str],
    extra: str | None = None,
    extra_weight: float = 1.0,
) -> None:
    """The child process: fit, writing one JSON line per epoch, then the result or the error.
    `extra` names an .npz of a class's own digits (`x`, `y`) to learn too, each weighing
    `extra_weight` (`train.fit`'s)."""
    from softmax.data import digits_dataset, mnist_dataset
    from softmax.train import fit  # imports TensorFlow

    stop = threading.Event()

    def listen() -> None:  # a "stop" line, or the server closing our stdin, ends training
        for line in commands:
            if line.strip() == "stop":
                break
        stop.set()

    def report(**message) -> None:
        reports.write(json.dumps(message) + "\n")
        reports.flush()

    threading.Thread(target=listen, daemon=True).start()
    try:
        data = mnist_dataset() if dataset == "mnist" else digits_dataset()
        callback = ProgressCallback(
            on_epoch=lambda log: report(epoch=dataclasses.asdict(log)),
            should_stop=stop,
            on_weights=lambda _, weights, bias: report(weights=encode_epoch(weights, bias)),
        )
        more = {}
        if extra is not None:
            with np.load(extra) as arrays:
                more = {"extra": (arrays["x"], arrays["y"]), "extra_weight": extra_weight}
        result = fit(recipe, data, callbacks=[callback], **more)
    except Exception as error:  # the page shows it: the child has no one else to tell
        report(error=f"{type(error).__name__}: {error}")
        return
    model = result.classifier
    report(
        done={
            "weights": model.weights.tolist(),  # float32 -> float -> float32 is exact
            "bias": model.bias.tolist(),
            "metadata": model.metadata,
            "history": result.history,
            "test_accuracy": result.test_accuracy,
            "seconds": result.seconds,
            "stopped_early": result.stopped_early,
        }
    )


if __name__ == "__main__":
    reports = os.fdopen(os.dup(sys.stdout.fileno()), "w")  # the reports' own channel ...
    os.dup2(
        sys.stderr.fileno(), sys.stdout.fileno()
    )  # ... and anything else printed goes to stderr
    # then, for "Teach the model", a class's digits and their weight
    extra, weight = (sys.argv[3], float(sys.argv[4])) if len(sys.argv) > 4 else (None, 1.0)
    _child(Recipe(**json.loads(sys.argv[1])), sys.argv[2], sys.stdin, reports, extra, weight)
    reports.close()
    os._exit(0)  # the last report is out: skip TensorFlow's teardown, which only costs time
