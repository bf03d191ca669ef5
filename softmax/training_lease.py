"""One training run at a time across every server process: the store's training lease around the
server's training slot.

`start` is the one way a page starts a training run (the Train page, the Classroom's "Teach the
model"). It asks the server's own slot first (`SlotBusy` says whose run it is and how far it
got), then takes the store's `TRAINING_SLOT` lease, which every replica sharing the database
sees (`LeaseBusy` says what runs elsewhere, who started it and since when), and only then starts
the child. A thread renews the lease while the child runs and releases it when the run ends,
however it ends: finished, failed, stopped, or stopped because its owner's page was closed. A
stop asked through the store (`Store.request_stop`, from any replica) stops the run; so does
finding the lease taken by another process (it expired: the database did not answer for a
whole `LEASE_TTL`), so two runs never go on at once. A server process that dies stops renewing
and its lease expires by itself. No Streamlit here.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from softmax.recipes import Recipe
from softmax.store import (
    TRAINING_SLOT,
    Lease,
    LeaseBusy,
    LeaseInfo,
    LeaseLost,
    Store,
    StoreUnavailable,
)
from softmax.training_jobs import BY_TEACHER, SlotBusy, TrainingJob, TrainingSlot

RENEW_SECONDS = 20.0  # the lease lives LEASE_TTL (60 s): renewed well before it expires
BY_LEASE_LOST = "because another server took over the training slot"


class TrainingRefused(RuntimeError):
    """Training cannot start now; the message is the sentence a page shows, in English.

    What refused it, for a page that words it in another language: `job`, this server's run
    (`mine` when the asker started it); `lease`, another server's (what, whose, since when); or
    `reason`, what the database said (`setting`: a bad setting's error instead).
    """

    def __init__(
        self,
        message: str,
        *,
        job: TrainingJob | None = None,
        mine: bool = False,
        lease: LeaseInfo | None = None,
        reason: str | None = None,
        setting: bool = False,
    ) -> None:
        super().__init__(message)
        self.job, self.mine, self.lease = job, mine, lease
        self.reason, self.setting = reason, setting


def start(
    slot: TrainingSlot,
    store: Store,
    recipe: Recipe,
    dataset: str,
    owner: str,
    *,
    holder: str,
    started_by: str,
    owner_alive: Callable[[], bool] | None = None,
    on_end: Callable[[], None] | None = None,
    renew_seconds: float = RENEW_SECONDS,
    **options: Any,
) -> TrainingJob:
    """Start `recipe` on `dataset` for the session `owner` under the slot and the lease.

    `holder` says what runs ("Training “default” on MNIST") and `started_by` who started it, on
    which server: another replica's refusal shows both. `on_end` is called once, when the run
    is over or at once when it is refused (a run's temporary files). Raises TrainingRefused with
    the sentence to show; `options` go to the job (`extra`, `extra_weight`).
    """
    try:
        if slot.busy is not None:
            busy = SlotBusy(slot.busy, owner)
            raise _slot_taken(busy, owner) from busy
        try:
            lease = store.acquire_lease(TRAINING_SLOT, holder, started_by)
        except LeaseBusy as held:
            raise TrainingRefused(f"{held}.", lease=held.lease) from held
        except StoreUnavailable as error:
            raise unavailable(error) from error
        try:
            job = slot.start(recipe, dataset, owner, owner_alive=owner_alive, **options)
        except BaseException as error:
            _release(lease)
            if isinstance(error, SlotBusy):  # another session of this server won the race
                raise _slot_taken(error, owner) from error
            raise
    except BaseException:
        if on_end is not None:
            on_end()
        raise
    threading.Thread(
        target=_hold, args=(lease, job, on_end, renew_seconds), name="training-lease", daemon=True
    ).start()
    return job


def unavailable(error: Exception) -> TrainingRefused:
    """The refusal when the database that shares the slot between servers does not answer."""
    return TrainingRefused(
        "Training cannot start now: the database that keeps one run at a time across the "
        f"studio's servers is not answering ({error}). Try again in a moment.",
        reason=str(error),
    )


def _slot_taken(busy: SlotBusy, owner: str) -> TrainingRefused:
    """The refusal when this server's slot runs another job: whose, and whether it is `owner`'s."""
    return TrainingRefused(str(busy), job=busy.job, mine=busy.job.owner == owner)


def _hold(
    lease: Lease, job: TrainingJob, on_end: Callable[[], None] | None, renew_seconds: float
) -> None:
    """Renew the lease while the job runs; stop the job if asked through the store or if the
    lease went to someone else; release it when the job ends."""
    try:
        while not job.wait(renew_seconds):
            try:
                if lease.renew():
                    job.stop(by=BY_TEACHER)
            except LeaseLost:
                job.stop(by=BY_LEASE_LOST)
            except StoreUnavailable:
                pass  # the job runs on; the next renewal tries again within the lease's life
    finally:
        _release(lease)
        if on_end is not None:
            on_end()


def _release(lease: Lease) -> None:
    with contextlib.suppress(StoreUnavailable):  # else it expires by itself within its ttl
        lease.release()
