"""The classroom store on real databases: every test runs on SQLite (a temporary file) and on
PostgreSQL (a throwaway cluster), through the `database_url` fixture. Two `Store`s on one URL
stand for two server processes (replicas)."""

from __future__ import annotations

import multiprocessing
import re
import sys
import threading
import time
import types
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy
from services import POSTGRES_MISSING, PostgresCluster, free_port

from softmax import schema, store
from softmax.classroom import (
    CODE_ALPHABET,
    CODE_LENGTH,
    ClassClosed,
    ClassFull,
    Drawing,
    InvalidDrawing,
    InvalidModel,
    InvalidName,
    UnknownClass,
    UnknownModel,
    UnknownStudent,
)
from softmax.model import SoftmaxClassifier
from softmax.store import TRAINING_SLOT, LeaseBusy, LeaseLost, Store, StoreUnavailable


@pytest.fixture
def db(database_url: str) -> Store:
    with Store(database_url) as opened:
        yield opened


def a_drawing(student_id: str, label: int = 3, **changes) -> Drawing:
    """A labelled drawing as a student's page makes it: a random 28×28 input, a guess."""
    rng = np.random.default_rng(label)
    probabilities = rng.dirichlet(np.ones(10)).astype(np.float32)
    fields = {
        "label": label,
        "image": rng.integers(0, 256, (28, 28), dtype=np.uint8),
        "predicted": int(probabilities.argmax()),
        "probabilities": probabilities,
        "model_fingerprint": "0123456789abcdef01234567",
    }
    return Drawing(student_id, **{**fields, **changes})


def table_counts(url: str) -> dict[str, int]:
    """Rows per table, read with a separate engine (what is really in the database)."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.execute(
                    sqlalchemy.select(sqlalchemy.func.count()).select_from(table)
                ).scalar_one()
                for table in (schema.classes, schema.students, schema.drawings, schema.models)
            }
    finally:
        engine.dispose()


def a_classifier(seed: int = 0, **metadata) -> SoftmaxClassifier:
    rng = np.random.default_rng(seed)
    return SoftmaxClassifier(
        rng.normal(0, 0.01, (784, 10)), rng.normal(0, 0.1, 10), {"recipe": "class", **metadata}
    )


# Classes ------------------------------------------------------------------------------------


def test_a_new_class_is_open_and_empty_with_a_short_unambiguous_code(db):
    room = db.create_class("  7B   maths ")
    assert len(room.code) == CODE_LENGTH and set(room.code) <= set(CODE_ALPHABET)
    assert not set(room.code) & set("0O1IL2Z5S8B")
    assert room.name == "7B maths" and room.is_open
    assert (room.students, room.drawings, room.model_id) == (0, 0, None)
    assert room.created.tzinfo is not None
    assert abs(room.created - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_class_is_found_by_its_code_as_typed(db):
    room = db.create_class("7B")
    typed = f" {room.code[:2].lower()}-{room.code[2:]} "
    assert db.get_class(typed) == room


def test_a_wrong_code_names_itself(db):
    with pytest.raises(UnknownClass, match="'NOPE7'"):
        db.get_class("nope7")


@pytest.mark.parametrize(
    ("name", "capacity", "error"),
    [("", 30, InvalidName), ("x" * 81, 30, InvalidName), ("a\x00b", 30, InvalidName),
     ("7B", 0, ValueError), ("7B", 10_000, ValueError), ("7B", 2.5, ValueError)],
)  # fmt: skip
def test_bad_class_names_and_capacities_are_refused(db, name, capacity, error):
    with pytest.raises(error):
        db.create_class(name, capacity=capacity)
    assert db.list_classes() == []


def test_classes_are_listed_newest_first_with_their_counts(db):
    first, second = db.create_class("first"), db.create_class("second")
    ada = db.join(first.code, "Ada")
    db.save_drawing(a_drawing(ada.id))
    listed = db.list_classes()
    assert [c.code for c in listed] == [second.code, first.code]
    assert (listed[1].students, listed[1].drawings) == (1, 1)
    assert (listed[0].students, listed[0].drawings) == (0, 0)


def test_a_closed_class_turns_new_students_away_until_reopened(db):
    room = db.create_class("7B")
    db.join(room.code)
    closed = db.close_class(room.code)
    assert not closed.is_open and closed.closed is not None
    with pytest.raises(ClassClosed, match=room.code):
        db.join(room.code)
    assert db.reopen_class(room.code).is_open
    db.join(room.code)
    assert db.get_class(room.code).students == 2


# Students -----------------------------------------------------------------------------------


def test_a_student_joins_with_or_without_a_nickname(db):
    room = db.create_class("7B")
    ada = db.join(room.code.lower(), "  Ada  L. ")
    anonymous = db.join(room.code, "   ")
    assert (ada.nickname, ada.name, ada.class_code) == ("Ada L.", "Ada L.", room.code)
    assert anonymous.nickname is None and anonymous.name.startswith("anonymous-")
    assert ada.id != anonymous.id
    assert db.get_student(ada.id) == ada


@pytest.mark.parametrize("nickname", ["x" * 25, "bell\x07", 42])
def test_a_nickname_too_long_or_unprintable_is_refused(db, nickname):
    room = db.create_class("7B")
    with pytest.raises(InvalidName):
        db.join(room.code, nickname)
    assert db.get_class(room.code).students == 0


def test_joining_a_wrong_code_says_so(db):
    with pytest.raises(UnknownClass):
        db.join("ZZZZZ", "Ada")


def test_a_full_class_holds_its_capacity_under_simultaneous_joins(db, database_url):
    room = db.create_class("small", capacity=5)
    with Store(database_url) as replica:
        stores = [db, replica] * 6

        def join(index: int) -> str:
            try:
                stores[index].join(room.code, f"s{index}")
                return "joined"
            except ClassFull:
                return "full"

        with ThreadPoolExecutor(max_workers=6) as pool:
            outcomes = list(pool.map(join, range(12)))
    assert outcomes.count("joined") == 5 and outcomes.count("full") == 7
    assert db.get_class(room.code).students == 5


# Drawings -----------------------------------------------------------------------------------


def test_a_saved_drawing_comes_back_exactly_as_arrays(db):
    room = db.create_class("7B")
    ada, bo = db.join(room.code, "Ada"), db.join(room.code)
    saved = [a_drawing(ada.id, 7), a_drawing(bo.id, 1), a_drawing(ada.id, 0)]
    for drawing in saved:
        assert db.save_drawing(drawing) is True
    data = db.class_drawings(room.code)
    assert len(data) == 3 and data.x.dtype == np.uint8 and data.y.dtype == np.uint8
    assert data.x.shape == (3, 28, 28) and data.probabilities.shape == (3, 10)
    np.testing.assert_array_equal(data.x, [d.image for d in saved])  # oldest first
    np.testing.assert_array_equal(data.y, [7, 1, 0])
    np.testing.assert_array_equal(data.predicted, [d.predicted for d in saved])
    np.testing.assert_array_equal(data.probabilities, [d.probabilities for d in saved])
    assert list(data.ids) == [d.id for d in saved]
    assert list(data.student_ids) == [ada.id, bo.id, ada.id]
    assert set(data.model_fingerprints) == {saved[0].model_fingerprint}
    assert data.student_name(ada.id) == "Ada" and data.student_name(bo.id) == bo.name
    expected = np.array([d.created.replace(tzinfo=None) for d in saved], dtype="datetime64[us]")
    np.testing.assert_array_equal(data.created, expected)


def test_an_empty_class_gives_empty_arrays_of_the_right_shape(db):
    room = db.create_class("7B")
    data = db.class_drawings(room.code)
    assert data.x.shape == (0, 28, 28) and data.y.shape == (0,) and len(data) == 0


def test_a_float_canvas_input_is_stored_as_uint8(db):
    room = db.create_class("7B")
    ada = db.join(room.code)
    image = np.linspace(0, 1, 784, dtype=np.float32).reshape(28, 28)
    db.save_drawing(a_drawing(ada.id, image=image))
    stored = db.class_drawings(room.code).x[0]
    np.testing.assert_array_equal(stored, np.rint(image * 255).astype(np.uint8))


def test_saving_the_same_drawing_again_never_duplicates_it(db, database_url):
    room = db.create_class("7B")
    ada = db.join(room.code)
    drawing = a_drawing(ada.id)
    assert db.save_drawing(drawing) is True
    assert db.save_drawing(drawing) is False  # the page retried
    with Store(database_url) as replica:  # ... or another replica did
        assert replica.save_drawing(drawing) is False
    assert db.get_class(room.code).drawings == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [({"label": 10}, "label"), ({"label": True}, "label"), ({"predicted": -1}, "predicted"),
     ({"image": np.zeros((28, 27))}, "(28, 27)"), ({"image": np.full((28, 28), 2.0)}, "[0, 1]"),
     ({"probabilities": [np.nan] * 10}, "probabilities"), ({"probabilities": [0.1] * 9}, "10"),
     ({"id": "not-a-uuid"}, "UUID"), ({"model_fingerprint": ""}, "fingerprint"),
     ({"created": datetime(2026, 1, 1)}, "aware")],
)  # fmt: skip
def test_a_malformed_drawing_is_refused_before_the_database(change, words):
    with pytest.raises(InvalidDrawing, match=re.escape(words)):
        a_drawing("student", **change)


def test_a_drawing_of_an_unknown_student_is_refused(db):
    with pytest.raises(UnknownStudent):
        db.save_drawing(a_drawing("nobody"))


def test_saves_from_many_threads_on_two_replicas_all_land_once(db, database_url):
    room = db.create_class("busy")
    with Store(database_url) as replica:
        students = [db.join(room.code, f"s{i}") for i in range(8)]
        drawings = [a_drawing(s.id, label) for s in students for label in range(10)]

        def save(index: int) -> None:
            target = (db, replica)[index % 2]
            assert target.save_drawing(drawings[index])
            assert not (replica, db)[index % 2].save_drawing(drawings[index])  # a retry

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(save, range(len(drawings))))
    data = db.class_drawings(room.code)
    assert sorted(data.ids) == sorted(d.id for d in drawings)


def _save_from_a_process(url: str, student_id: str, n: int) -> None:
    with Store(url) as own:
        for label in range(n):
            drawing = Drawing(
                student_id,
                label=label % 10,
                image=np.full((28, 28), label, np.uint8),
                predicted=0,
                probabilities=np.full(10, 0.1),
                model_fingerprint="f" * 24,
                id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{student_id}-{label}")),
            )
            own.save_drawing(drawing)
            own.save_drawing(drawing)  # retried: still one


def test_saves_from_several_processes_all_land_once(db, database_url, monkeypatch):
    room = db.create_class("busy")
    students = [db.join(room.code) for _ in range(3)]
    # A spawned child re-runs the parent's __main__; after an AppTest in this process that is a
    # deleted temporary script. The children need nothing from it.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_save_from_a_process, args=(database_url, s.id, 25))
        for s in students
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    data = db.class_drawings(room.code)
    assert len(data) == 75 and len(set(data.ids)) == 75
    assert all((data.student_ids == s.id).sum() == 25 for s in students)


def test_undo_deletes_only_the_students_own_drawing_once(db):
    room = db.create_class("7B")
    ada, bo = db.join(room.code), db.join(room.code)
    first, second = a_drawing(ada.id, 1), a_drawing(ada.id, 2)
    db.save_drawing(first)
    db.save_drawing(second)
    assert db.undo(bo.id, second.id) is False  # not Bo's to undo
    assert db.undo(ada.id, second.id) is True
    assert db.undo(ada.id, second.id) is False  # undone already (a retried tap)
    assert list(db.class_drawings(room.code).ids) == [first.id]


def test_deleting_a_class_deletes_everything_in_it_and_nothing_else(db, database_url):
    doomed, kept = db.create_class("doomed"), db.create_class("kept")
    for room in (doomed, kept):
        for _ in range(2):
            student = db.join(room.code)
            db.save_drawing(a_drawing(student.id, 4))
        db.adopt_model(room.code, db.save_model(room.code, a_classifier()).id)
    deleted = db.delete_class(doomed.code)
    assert (deleted.code, deleted.students, deleted.drawings) == (doomed.code, 2, 2)
    assert table_counts(database_url) == {"classes": 1, "students": 2, "drawings": 2, "models": 1}
    with pytest.raises(UnknownClass):
        db.get_class(doomed.code)
    with pytest.raises(UnknownClass):
        db.delete_class(doomed.code)
    assert db.get_class(kept.code).drawings == 2


def test_a_student_of_a_deleted_class_is_told_so_on_saving(db):
    room = db.create_class("7B")
    ada = db.join(room.code)
    db.delete_class(room.code)
    with pytest.raises(UnknownStudent, match="deleted"):
        db.save_drawing(a_drawing(ada.id))


# Class models -------------------------------------------------------------------------------


def test_an_adopted_class_model_is_served_by_every_replica(db, database_url):
    room = db.create_class("7B")
    classifier = a_classifier(1, test_accuracy=0.95)
    stored = db.save_model(room.code, classifier)
    assert stored.fingerprint == classifier.fingerprint and not stored.adopted
    assert db.class_model(room.code) is None  # stored is not adopted
    adopted = db.adopt_model(room.code, stored.id)
    assert (adopted.model_id, adopted.model_fingerprint) == (stored.id, classifier.fingerprint)
    with Store(database_url) as replica:
        served = replica.class_model(room.code)
    np.testing.assert_array_equal(served.weights, classifier.weights)
    np.testing.assert_array_equal(served.bias, classifier.bias)
    assert served.metadata == classifier.metadata and served.fingerprint == classifier.fingerprint


def test_a_class_has_at_most_one_adopted_model_and_can_go_back_to_the_default(db):
    room = db.create_class("7B")
    first, second = (db.save_model(room.code, a_classifier(seed)) for seed in (1, 2))
    db.adopt_model(room.code, first.id)
    assert db.adopt_model(room.code, second.id).model_id == second.id
    assert [m.adopted for m in db.list_models(room.code)] == [True, False]  # newest first
    assert db.adopt_model(room.code, None).model_id is None
    assert db.class_model(room.code) is None


def test_a_model_of_another_class_cannot_be_adopted(db):
    mine, theirs = db.create_class("mine"), db.create_class("theirs")
    stored = db.save_model(theirs.code, a_classifier())
    with pytest.raises(UnknownModel):
        db.adopt_model(mine.code, stored.id)
    with pytest.raises(UnknownModel):
        db.load_model(10_000)


@pytest.mark.parametrize(
    ("classifier", "words"),
    [
        (SoftmaxClassifier(np.zeros((64, 10)), np.zeros(10)), "28×28"),
        (SoftmaxClassifier(np.zeros((784, 3)), np.zeros(3)), "3 classes"),
        (SoftmaxClassifier(np.full((784, 10), 3e38), np.zeros(10)), "overflow"),
        (SoftmaxClassifier(np.zeros((784, 10)), np.zeros(10), {"when": datetime.now()}), "JSON"),
    ],
)
def test_only_a_model_that_reads_the_canvas_is_stored(db, classifier, words):
    room = db.create_class("7B")
    with pytest.raises(InvalidModel, match=words):
        db.save_model(room.code, classifier)
    assert db.list_models(room.code) == []


# The training lease -------------------------------------------------------------------------


def test_the_training_lease_is_held_across_replicas_and_says_who_holds_it(db, database_url):
    with Store(database_url) as replica:
        held = db.acquire_lease(TRAINING_SLOT, "Teach the model (class K7MXR)", "the teacher")
        with pytest.raises(LeaseBusy) as refused:
            replica.acquire_lease(TRAINING_SLOT, "Train page", "a student")
        assert refused.value.lease.owner == "the teacher"
        assert "Teach the model (class K7MXR) is running (started by the teacher" in str(
            refused.value
        )
        assert replica.lease(TRAINING_SLOT).holder == "Teach the model (class K7MXR)"
        held.release()
        assert replica.lease(TRAINING_SLOT) is None
        with replica.acquire_lease(TRAINING_SLOT, "Train page", "a student"):
            assert db.lease(TRAINING_SLOT).owner == "a student"
        assert db.lease(TRAINING_SLOT) is None  # released on leaving the block


def test_an_expired_lease_is_taken_over_and_its_old_holder_learns_it(db, database_url):
    with Store(database_url) as replica:
        crashed = db.acquire_lease(TRAINING_SLOT, "run A", "A", ttl=0.3)
        time.sleep(0.4)  # A stopped renewing (its process died)
        assert db.lease(TRAINING_SLOT) is None
        taken = replica.acquire_lease(TRAINING_SLOT, "run B", "B", ttl=30)
        with pytest.raises(LeaseLost):
            crashed.renew()
        crashed.release()  # a no-op: it is B's now
        assert db.lease(TRAINING_SLOT).holder == "run B"
        taken.release()


def test_a_renewed_lease_outlives_its_first_expiry(db):
    held = db.acquire_lease(TRAINING_SLOT, "run", "me", ttl=0.5)
    for _ in range(3):
        time.sleep(0.25)
        assert held.renew() is False
    with pytest.raises(LeaseBusy):
        db.acquire_lease(TRAINING_SLOT, "other", "you")
    held.release()


def test_a_stop_request_from_another_replica_reaches_the_holder(db, database_url):
    held = db.acquire_lease(TRAINING_SLOT, "run", "student")
    with Store(database_url) as replica:
        assert replica.request_stop(TRAINING_SLOT) is True
    assert held.renew() is True and held.info.stop_requested
    held.release()
    assert db.request_stop(TRAINING_SLOT) is False  # nobody to stop


def test_only_one_of_many_simultaneous_requests_gets_the_lease(db, database_url):
    with Store(database_url) as replica:
        stores = [db, replica] * 4

        def ask(index: int) -> bool:
            try:
                stores[index].acquire_lease(TRAINING_SLOT, f"run {index}", f"owner {index}")
                return True
            except LeaseBusy:
                return False

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert sum(pool.map(ask, range(8))) == 1


# Schema -------------------------------------------------------------------------------------


def test_an_older_database_is_upgraded_on_start_and_keeps_its_data(database_url):
    engine = sqlalchemy.create_engine(database_url)
    assert schema.upgrade(engine, target=1) == 0  # what the first release created
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.insert(schema.classes).values(
                id=1, code="KKKKK", name="old", capacity=30, created_at=now
            )
        )
        connection.execute(
            sqlalchemy.insert(schema.students).values(
                id="s1", class_id=1, nickname="Ada", joined_at=now
            )
        )
    engine.dispose()
    with Store(database_url) as upgraded:
        assert upgraded.get_class("KKKKK").students == 1
        upgraded.save_model("KKKKK", a_classifier())  # version 2's table exists
        with upgraded.acquire_lease(TRAINING_SLOT, "run", "me"):
            pass
    engine = sqlalchemy.create_engine(database_url)
    with engine.connect() as connection:
        found = connection.execute(sqlalchemy.select(schema.schema_version.c.version)).all()
    engine.dispose()
    assert found == [(schema.LATEST,)]


def test_a_database_from_a_newer_program_is_refused(database_url):
    Store(database_url).close()
    engine = sqlalchemy.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.update(schema.schema_version).values(version=99))
    engine.dispose()
    with pytest.raises(schema.SchemaTooNew, match="99"):
        Store(database_url)


# Configuration and unavailability -----------------------------------------------------------


def test_the_default_database_is_sqlite_in_wal_mode_with_foreign_keys(tmp_path, monkeypatch):
    monkeypatch.delenv(store.DATABASE_URL_ENV, raising=False)
    monkeypatch.setattr(store, "DEFAULT_DATABASE", tmp_path / "home" / ".softmax" / "studio.db")
    with Store() as default:
        assert default.backend == "sqlite"
        assert default.url.database == str(store.DEFAULT_DATABASE)
        with default._engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


def test_the_environment_variable_chooses_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv(store.DATABASE_URL_ENV, f"sqlite:///{tmp_path / 'chosen.db'}")
    with Store() as chosen:
        chosen.create_class("7B")
    assert (tmp_path / "chosen.db").is_file()


@pytest.mark.parametrize("url", ["not a url", "sqlite://", "nosuchdb://x/y"])
def test_an_unusable_database_url_is_a_clear_value_error(url):
    with pytest.raises(ValueError):
        Store(url)


def test_an_unreachable_server_raises_store_unavailable_without_the_password():
    url = f"postgresql+psycopg://teacher:s3cret@127.0.0.1:{free_port()}/studio"
    started = time.perf_counter()
    with pytest.raises(StoreUnavailable) as raised:
        Store(url, timeout=2)
    assert time.perf_counter() - started < 10
    assert "not answering" in str(raised.value) and "s3cret" not in str(raised.value)


def test_a_sqlite_database_locked_too_long_is_unavailable_then_saves(tmp_path):
    url = f"sqlite:///{tmp_path / 'studio.db'}"
    db = Store(url, timeout=0.3)
    room = db.create_class("7B")
    ada = db.join(room.code)
    drawing = a_drawing(ada.id)
    blocker = sqlalchemy.create_engine(url).raw_connection()
    blocker.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    with pytest.raises(StoreUnavailable, match="locked"):
        db.save_drawing(drawing)
    blocker.rollback()
    blocker.close()
    assert db.save_drawing(drawing) is True
    assert db.get_class(room.code).drawings == 1
    db.close()


@pytest.fixture
def own_postgres():
    """A cluster of the test's own, to stop and start without disturbing other tests."""
    if POSTGRES_MISSING:
        pytest.skip(POSTGRES_MISSING)
    cluster = PostgresCluster()
    yield cluster
    cluster.destroy()


@pytest.mark.parametrize("stop", ["fast", "immediate"])  # an administrator's stop; a crash
def test_postgresql_stopped_during_saves_loses_and_duplicates_nothing(own_postgres, stop):
    url = own_postgres.create_database()
    db = Store(url, timeout=2)
    room = db.create_class("7B")
    students = [db.join(room.code) for _ in range(4)]
    drawings = [[a_drawing(s.id, label % 10) for label in range(30)] for s in students]
    unavailable = []

    def student(own: list[Drawing]) -> None:
        """Like a page: a drawing not saved yet stays pending and is retried until it is."""
        for drawing in own:
            while True:
                try:
                    db.save_drawing(drawing)
                    break
                except StoreUnavailable:
                    unavailable.append(drawing.id)
                    time.sleep(0.1)
            time.sleep(0.01)

    threads = [threading.Thread(target=student, args=(own,)) for own in drawings]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    own_postgres.stop(stop)  # the database goes away mid-lesson...
    time.sleep(1.0)
    own_postgres.start()  # ...and comes back
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive()
    assert unavailable, "no save met the stopped database: the test proved nothing"
    saved = db.class_drawings(room.code)
    assert sorted(saved.ids) == sorted(d.id for own in drawings for d in own)
    db.close()
