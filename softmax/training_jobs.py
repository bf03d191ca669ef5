"""One training run at a time per server, in a child process that a background thread watches.

A training run takes seconds to a minute, so it must not block the page: `TrainingJob` starts it
and a watcher thread records each finished epoch, which the Train page polls from a fragment, so
its Stop button, other tabs and other sessions stay responsive.

`train.fit` runs in a child Python process (`python -m softmax.training_jobs`), not in a thread
of the server, because Streamlit calls `keras.backend.clear_session()` and a full `gc.collect()`
after every script run of every session (`script_runner._clean_problem_modules`): a thread
training beside a page that reruns twice a second went 10–25 times slower and had Keras' global
state reset under it. The child imports TensorFlow when training starts and frees it when it
ends; the server never imports it. The child reports one JSON line per epoch on stdout and ends
with the trained W and b; a "stop" line on its stdin sets the `threading.Event` its
`ProgressCallback` reads (so does the server going away: stdin closes).

`TrainingSlot` admits one job at a time for the whole server (the Train page keeps one in
`st.cache_resource`): two fits at once would halve each other's speed on a small machine, so a
second request is refused with `SlotBusy`, which says who holds the slot and how far it got,
never queued silently. This module does not import Streamlit.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from softmax.model import QUIET_TENSORFLOW, SoftmaxClassifier
from softmax.recipes import Recipe
from softmax.train import EpochLog, ProgressCallback, TrainResult

DATASETS = ("mnist", "digits")  # MNIST from data.load_mnist's sources, or the 8×8 digits
PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # so the child imports this same softmax


@dataclass(frozen=True)
class Progress:
    """What a job has done so far: a consistent snapshot for one page render."""

    epochs: tuple[EpochLog, ...]  # the finished epochs, in order
    total: int  # epochs the recipe asks for
    result: TrainResult | None  # set once training has finished
    error: str | None  # set if training failed
    stopping: bool  # Stop was pressed and the current epoch is ending

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

    `dataset` is "mnist" or "digits"; `owner` names the browser session that started the job.
    Raises ValueError for another dataset name.
    """

    def __init__(self, recipe: Recipe, dataset: str, owner: str) -> None:
        if dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {dataset!r}")
        self.recipe = recipe
        self.dataset = dataset
        self.owner = owner
        self.started = time.time()
        self._lock = threading.Lock()
        self._epochs: list[EpochLog] = []
        self._result: TrainResult | None = None
        self._error: str | None = None
        self._stopping = False
        self._finished = threading.Event()
        self._process: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"TrainingJob({self.recipe.name!r} on {self.dataset}, {self.describe()})"

    def start(self) -> None:
        """Start the child process and the thread that reads its reports."""
        pythonpath = os.pathsep.join(
            filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])
        )
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                __name__,
                json.dumps(dataclasses.asdict(self.recipe)),
                self.dataset,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**QUIET_TENSORFLOW, **os.environ, "PYTHONPATH": pythonpath},
        )
        threading.Thread(target=self._watch, name="training-watcher", daemon=True).start()

    def stop(self) -> None:
        """Ask training to end after the current batch; the epoch so far is still reported."""
        with self._lock:
            if self._stopping or self._process is None or not self.running:
                return
            self._stopping = True
        try:
            self._process.stdin.write("stop\n")
            self._process.stdin.flush()
        except OSError:  # the child has just ended: nothing left to stop
            pass

    @property
    def running(self) -> bool:
        return not self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until training ends (tests and scripts); False on timeout."""
        return self._finished.wait(timeout)

    def progress(self) -> Progress:
        with self._lock:
            return Progress(
                tuple(self._epochs),
                self.recipe.epochs,
                self._result,
                self._error,
                self._stopping and self.running,
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
        """Record the child's reports until it ends; a child that dies is reported as failed."""
        process = self._process
        for line in process.stdout:
            report = json.loads(line)
            with self._lock:
                if "epoch" in report:
                    self._epochs.append(EpochLog(**report["epoch"]))
                elif "done" in report:
                    self._result = _result(report["done"])
                else:
                    self._error = report["error"]
        code = process.wait()
        process.stdin.close()
        with self._lock:
            if self._result is None and self._error is None:
                self._error = f"the training process ended unexpectedly (exit code {code})"
        self._finished.set()


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
    """Admits one `TrainingJob` at a time for the whole server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._job: TrainingJob | None = None

    def __repr__(self) -> str:
        return f"TrainingSlot({self._job!r})"

    @property
    def busy(self) -> TrainingJob | None:
        """The running job, if any."""
        job = self._job
        return job if job is not None and job.running else None

    def start(self, recipe: Recipe, dataset: str, owner: str) -> TrainingJob:
        """Start a job, or raise SlotBusy (with who and how far) if one is running."""
        with self._lock:
            running = self.busy
            if running is not None:
                raise SlotBusy(running, owner)
            job = TrainingJob(recipe, dataset, owner)
            job.start()
            self._job = job
            return job


def _result(done: dict) -> TrainResult:
    """The child's final report as a TrainResult around a (validated) SoftmaxClassifier."""
    classifier = SoftmaxClassifier(done["weights"], done["bias"], done["metadata"])
    return TrainResult(
        classifier, done["history"], done["test_accuracy"], done["seconds"], done["stopped_early"]
    )


def _child(recipe: Recipe, dataset: str, commands: IO[str], reports: IO[str]) -> None:
    """The child process: fit, writing one JSON line per epoch, then the result or the error."""
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
            on_epoch=lambda log: report(epoch=dataclasses.asdict(log)), should_stop=stop
        )
        result = fit(recipe, data, callbacks=[callback])
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
    _child(Recipe(**json.loads(sys.argv[1])), sys.argv[2], sys.stdin, reports)
