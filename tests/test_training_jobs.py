"""The training slot with real child processes: stand-ins that send bad reports, and real fits.

A stand-in child is a few lines of Python run as the job's child process in place of
`python -m softmax.training_jobs`: it writes exactly the report under test to the real pipe,
so the watcher, the guard and the slot are exercised as in class, only faster.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import pytest

from softmax.history import WeightHistory
from softmax.recipes import get_recipe
from softmax.training_jobs import (
    BY_OWNER_GONE,
    BY_TIME_LIMIT,
    MAX_SECONDS_ENV,
    TrainingJob,
    TrainingSlot,
    max_training_seconds,
)

JOB_TIMEOUT = 180  # s: a real child imports TensorFlow on a busy 2-core machine
RECIPE = get_recipe("default", "digits", epochs=3)
STAND_IN = r"""
import json, os, signal, sys, time

out = sys.stdout.buffer


def send(data):
    out.write(data)
    out.flush()


def line(kind, body):
    return (json.dumps({kind: body}) + "\n").encode()


epoch = {"epoch": 1, "epochs": 3, "loss": 0.5, "accuracy": 0.8, "val_loss": 0.6,
         "val_accuracy": 0.75, "seconds": 0.1}
done = {"weights": [[0.0] * 10] * 64, "bias": [0.0] * 10, "metadata": {"recipe": "stand-in"},
        "history": {"loss": [0.5]}, "test_accuracy": 0.75, "seconds": 0.1,
        "stopped_early": False}
mode = sys.argv[1]
if mode == "never-starts":
    time.sleep(120)
if mode == "slow-start-obeys-stop":
    time.sleep(3)  # longer than the grace: the stop was asked before training began
send(line("epoch", epoch))
if mode == "not-json":
    send(b"Traceback (most recent call last): oops\n")
elif mode == "cut-off":
    send(line("done", done)[:100])
    sys.exit(0)
elif mode == "unknown-field":
    send(line("epoch", {**epoch, "momentum": 0.9}))
elif mode == "unknown-kind":
    send(line("hello", 1))
elif mode == "bad-weights":
    send(line("weights", "not base64 at all!"))
elif mode == "short-weights":
    send(line("weights", "AAAA"))
elif mode == "nan-weights":
    send(line("done", {**done, "weights": [[float("nan")] * 10] * 64}))
elif mode == "not-utf8":
    send(b'{"error": "\xff\xfe"}\n')
elif mode == "killed-mid-report":
    send(line("done", done)[:200])
    os.kill(os.getpid(), signal.SIGKILL)
elif mode == "exit-3":
    sys.exit(3)
elif mode == "done-then-linger":
    send(line("done", done))
elif mode in ("obeys-stop", "slow-start-obeys-stop"):
    sys.stdin.readline()
    send(line("done", {**done, "stopped_early": True}))
    sys.exit(0)
time.sleep(120)  # still running: the watcher must not wait for it
"""


def stand_in(mode: str, **settings) -> type[TrainingJob]:
    """A TrainingJob whose child is the stand-in script in `mode` (class attributes: settings)."""

    def command(self) -> list[str]:
        return [sys.executable, "-c", STAND_IN, mode]

    return type(f"StandIn[{mode}]", (TrainingJob,), {"command": command, **settings})


def gone(pid: int, within: float = 10) -> bool:
    """True once no process `pid` exists (killed and reaped), polling up to `within` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("not-json", "JSONDecodeError"),
        ("cut-off", "cut off"),
        ("unknown-field", "unexpected keyword argument 'momentum'"),
        ("unknown-kind", "unknown report 'hello'"),
        ("nan-weights", "must be finite"),
        ("bad-weights", "not base64"),
        ("short-weights", "needs 1320"),
        ("not-utf8", "UnicodeDecodeError"),
        ("killed-mid-report", "cut off"),
    ],
)
def test_a_report_that_cannot_be_read_fails_the_run_kills_the_child_and_frees_the_slot(
    mode, reason
):
    slot = TrainingSlot(max_seconds=60, make_job=stand_in(mode))
    job = slot.start(RECIPE, "digits", owner="student")
    assert job.wait(JOB_TIMEOUT)
    progress = job.progress()
    assert progress.result is None
    assert progress.error.startswith("the training process sent a report that could not be read")
    assert reason in progress.error
    assert len(progress.epochs) == 1  # what came before the bad report is kept
    assert gone(job.pid)
    assert slot.busy is None
    again = slot.start(RECIPE, "digits", owner="next student")  # the slot takes the next run
    assert again is not job


def test_a_child_that_ends_without_a_result_is_a_failure_with_its_exit_code():
    job = stand_in("exit-3")(RECIPE, "digits", "student")
    job.start()
    assert job.wait(JOB_TIMEOUT)
    assert job.progress().error == "the training process ended without a result (exit code 3)"


def test_the_result_counts_as_soon_as_it_arrives_not_when_the_child_exits():
    job = stand_in("done-then-linger", stop_grace_seconds=2)(RECIPE, "digits", "student")
    job.start()
    assert job.wait(JOB_TIMEOUT)
    progress = job.progress()
    assert progress.done and not job.running and progress.error is None
    assert progress.result.test_accuracy == 0.75
    assert alive(job.pid)  # still lingering: the page did not wait for it ...
    assert gone(job.pid, within=20)  # ... and it does not linger for ever


def test_a_run_past_its_time_limit_is_stopped_and_says_so():
    job = stand_in("obeys-stop")(RECIPE, "digits", "student", max_seconds=1)
    job.start()
    assert job.wait(JOB_TIMEOUT)
    progress = job.progress()
    assert progress.result.stopped_early
    assert progress.stopped_by == BY_TIME_LIMIT


def test_a_run_whose_owner_left_is_stopped():
    job = stand_in("obeys-stop", orphan_seconds=1)(
        RECIPE, "digits", "student", owner_alive=lambda: False
    )
    job.start()
    assert job.wait(JOB_TIMEOUT)
    assert job.progress().stopped_by == BY_OWNER_GONE


def test_a_run_whose_owner_is_still_there_is_not_stopped():
    job = stand_in("obeys-stop", orphan_seconds=0.5)(
        RECIPE, "digits", "student", owner_alive=lambda: True
    )
    job.start()
    assert not job.wait(2)
    job.stop()
    assert job.wait(JOB_TIMEOUT)
    assert job.progress().stopped_by is None


def test_a_child_that_ignores_a_stop_is_killed_after_the_grace_period():
    job = stand_in("not-stopping", stop_grace_seconds=1)(RECIPE, "digits", "student")
    job.start()
    job.stop(by="by the teacher")
    assert job.wait(JOB_TIMEOUT)
    assert job.progress().error == (
        "stopped by the teacher: the training process did not stop within 1 s and was ended"
    )
    assert gone(job.pid)


def test_a_stop_before_training_began_waits_for_training_to_begin():
    job = stand_in("slow-start-obeys-stop", stop_grace_seconds=1)(RECIPE, "digits", "student")
    job.start()
    job.stop()  # while the child is still "importing TensorFlow"
    assert job.wait(JOB_TIMEOUT)
    progress = job.progress()
    assert progress.error is None and progress.result.stopped_early


def test_a_child_that_never_starts_is_killed_past_its_time_limit():
    job = stand_in("never-starts", stop_grace_seconds=1)(RECIPE, "digits", "s", max_seconds=1)
    job.start()
    assert job.wait(JOB_TIMEOUT)
    assert job.progress().error == (
        "stopped at the time limit: the training process did not stop within 1 s and was ended"
    )
    assert gone(job.pid)


def test_the_time_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(MAX_SECONDS_ENV, "90")
    assert max_training_seconds() == 90
    assert TrainingSlot().max_seconds == 90
    monkeypatch.delenv(MAX_SECONDS_ENV)
    assert max_training_seconds() == 600


@pytest.mark.parametrize("value", ["ten", "0", "-5", "nan", "inf"])
def test_a_bad_time_limit_is_an_error_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(MAX_SECONDS_ENV, value)
    with pytest.raises(ValueError, match=rf"{MAX_SECONDS_ENV} must be .*{value!r}"):
        max_training_seconds()


@pytest.mark.slow
def test_a_real_run_is_stopped_at_its_time_limit_with_the_model_so_far():
    job = TrainingJob(get_recipe("default", "digits", epochs=500, batch_size=16), "digits", "s")
    job.max_seconds = 8  # TensorFlow's import is part of the run's time: a stop may come first
    job.stop_grace_seconds = 60  # a loaded 2-core machine can take 20 s+ to import TensorFlow
    job.start()
    assert job.wait(JOB_TIMEOUT)
    progress = job.progress()
    assert progress.error is None, progress.error
    assert progress.stopped_by == BY_TIME_LIMIT and progress.result.stopped_early
    assert len(progress.result.history["loss"]) < 500
    assert gone(job.pid)


def test_a_real_run_sends_its_weights_before_training_and_after_every_epoch():
    """What the Train page replays: epochs + 1 snapshots, the last the trained model's own."""
    job = TrainingJob(RECIPE, "digits", "s")
    job.start()
    assert job.wait(JOB_TIMEOUT)
    progress = job.progress()
    assert progress.error is None, progress.error
    assert len(progress.weights) == len(progress.epochs) + 1 == RECIPE.epochs + 1
    history = WeightHistory.of(progress.weights)
    trained = progress.result.classifier
    assert history.weights.shape == (RECIPE.epochs + 1, 64, 10)
    np.testing.assert_allclose(history.weights[-1], trained.weights, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(history.biases[-1], trained.bias)
    assert not np.array_equal(history.weights[0], history.weights[-1])  # it learned
