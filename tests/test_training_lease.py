"""Training under the store's lease: real child processes (the stand-ins of
test_training_jobs.py) and a real database, SQLite and PostgreSQL, as two replicas share it."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, update
from test_training_jobs import JOB_TIMEOUT, RECIPE, stand_in

from softmax.classroom import utc_now
from softmax.schema import leases
from softmax.store import TRAINING_SLOT, Store
from softmax.training_jobs import BY_TEACHER, TrainingSlot
from softmax.training_lease import BY_LEASE_LOST, TrainingRefused, start

HOLDER, STARTED_BY = "Training “default” on the 8×8 digits", "a visitor on server a:8501"


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store(database_url) as opened:
        yield opened


def start_waiting(store: Store, **options) -> tuple:
    """A run whose stand-in child waits for a stop; returns (job, slot, ends), `ends` counting
    the calls of on_end."""
    slot = TrainingSlot(max_seconds=60, make_job=stand_in("obeys-stop"))
    ends = []
    job = start(
        slot, store, RECIPE, "digits", "session-1", holder=HOLDER, started_by=STARTED_BY,
        on_end=lambda: ends.append(1), **options,
    )  # fmt: skip
    return job, slot, ends


def released(store: Store, within: float = 10) -> bool:
    deadline = time.monotonic() + within
    while store.lease(TRAINING_SLOT) is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_run_holds_the_lease_while_it_runs_and_releases_it_when_it_ends(store):
    job, _, ends = start_waiting(store)
    held = store.lease(TRAINING_SLOT)
    assert (held.holder, held.owner) == (HOLDER, STARTED_BY)
    job.stop()
    assert job.wait(JOB_TIMEOUT)
    assert released(store)
    assert ends == [1]
    store.acquire_lease(TRAINING_SLOT, "the next run", "someone").release()  # free for the next


def test_a_failed_run_releases_the_lease_too(store):
    slot = TrainingSlot(max_seconds=60, make_job=stand_in("exit-3"))
    job = start(slot, store, RECIPE, "digits", "s", holder=HOLDER, started_by=STARTED_BY)
    assert job.wait(JOB_TIMEOUT)
    assert "exit code 3" in job.progress().error
    assert released(store)


def test_a_lease_held_by_another_process_refuses_the_start_saying_what_whose_and_since_when(
    database_url,
):
    with Store(database_url) as other, Store(database_url) as store:  # two replicas
        lease = other.acquire_lease(TRAINING_SLOT, "Teaching the model class K7MXR", "the teacher")
        slot = TrainingSlot(max_seconds=60, make_job=stand_in("obeys-stop"))
        ends = []
        with pytest.raises(TrainingRefused) as refused:
            start(slot, store, RECIPE, "digits", "s", holder=HOLDER, started_by=STARTED_BY,
                  on_end=lambda: ends.append(1))  # fmt: skip
        assert re.fullmatch(
            r"Teaching the model class K7MXR is running \(started by the teacher \d+ s ago\) — "
            r"try again when it finishes\.",
            str(refused.value),
        )
        assert slot.busy is None and ends == [1]  # no child started; its files cleaned up
        lease.release()
        job, _, _ = start_waiting(store)
        job.stop()
        assert job.wait(JOB_TIMEOUT)


def test_a_run_on_this_server_refuses_the_next_with_whose_it_is(store):
    job, slot, _ = start_waiting(store)
    with pytest.raises(TrainingRefused, match=r"started by another session, epoch \d+/3"):
        start(slot, store, RECIPE, "digits", "session-2", holder="x", started_by="y")
    job.stop()
    assert job.wait(JOB_TIMEOUT)


def test_a_stop_asked_through_the_store_from_another_replica_stops_the_run(database_url):
    with Store(database_url) as other, Store(database_url) as store:
        job, _, _ = start_waiting(store, renew_seconds=0.2)
        assert other.request_stop(TRAINING_SLOT)
        assert job.wait(JOB_TIMEOUT)
        assert job.progress().stopped_by == BY_TEACHER
        assert released(store)


def test_a_run_whose_lease_expired_and_was_taken_stops(database_url):
    """The database did not answer for a whole lease's life; another replica took the slot."""
    with Store(database_url) as other, Store(database_url) as store:
        job, _, _ = start_waiting(store, renew_seconds=0.5)
        engine = create_engine(database_url)
        with engine.begin() as connection:  # as if a minute had passed without a renewal
            past = utc_now() - timedelta(seconds=1)
            connection.execute(update(leases).values(expires_at=past))
        engine.dispose()
        theirs = other.acquire_lease(TRAINING_SLOT, "their run", "another replica")
        assert job.wait(JOB_TIMEOUT)
        assert job.progress().stopped_by == BY_LEASE_LOST
        assert store.lease(TRAINING_SLOT).holder == "their run"  # ours did not release theirs
        theirs.release()


def test_an_unanswering_database_refuses_the_start_with_a_sentence(tmp_path):
    path = tmp_path / "studio.db"
    with Store(f"sqlite:///{path}", timeout=0.3) as store:
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        slot = TrainingSlot(max_seconds=60, make_job=stand_in("obeys-stop"))
        try:
            with pytest.raises(TrainingRefused, match=r"^Training cannot start now: the database"):
                start(slot, store, RECIPE, "digits", "s", holder=HOLDER, started_by=STARTED_BY)
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert slot.busy is None
