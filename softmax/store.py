"""The classroom's store: classes, students, their labelled drawings, class models and the
training lease, in one SQL database that every server process shares.

    store = Store()                           # SOFTMAX_DATABASE_URL, else ~/.softmax/studio.db
    room = store.create_class("7B maths")     # room.code: five letters a class can read aloud
    ada = store.join(room.code, "Ada")        # UnknownClass, ClassClosed, ClassFull
    drawing = Drawing(ada.id, label=7, image=x, predicted=1, probabilities=p,
                      model_fingerprint=classifier.fingerprint)
    store.save_drawing(drawing)               # True; the same drawing again: False, no duplicate
    data = store.class_drawings(room.code)    # data.x (n, 28, 28) uint8, data.y (n,) uint8

Why a database: thirty phones save at once, several server processes behind nginx must see one
class, and a restart must lose nothing saved. SQLite (WAL mode: readers never wait for the writer)
needs nothing installed; PostgreSQL through psycopg 3 (`postgresql+psycopg://user:pw@host/db`)
serves several replicas. The schema is created and upgraded by `softmax.schema` on start.

The values it takes and gives (`Drawing`, `ClassInfo`, `Student`, `ClassDrawings`, `ModelInfo`)
are in softmax/classroom.py. What can go wrong, as exceptions a page turns into a sentence:
- `ClassroomError` (a ValueError, softmax/classroom.py) for bad input, naming it: `UnknownClass`,
  `ClassClosed`, `ClassFull`, `UnknownStudent`, `UnknownModel`, `InvalidDrawing`, `InvalidModel`,
  `InvalidName`.
- `StoreUnavailable` (a ConnectionError) when the database does not answer within `timeout`:
  stopped, unreachable, or locked by another writer. A save that raised it may or may not have
  reached the database; keep the `Drawing` and save it again later: its id makes a save that
  did get through a no-op, so retrying never duplicates.
- `LeaseBusy` when another process holds the training slot: it says what runs, who started it
  and since when.

Times are aware UTC datetimes, taken from this process' clock (the lease's expiry too: replicas
on one machine or NTP-synchronised ones agree to well within a lease's minute).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import (
    URL,
    Connection,
    Engine,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    make_url,
    select,
    update,
)
from sqlalchemy import exc as sql_errors

from softmax.classroom import (
    CLASS_NAME_LENGTH,
    DEFAULT_CAPACITY,
    MAX_CAPACITY,
    NICKNAME_LENGTH,
    ClassClosed,
    ClassDrawings,
    ClassFull,
    ClassInfo,
    ClassroomError,
    Drawing,
    InvalidModel,
    ModelInfo,
    Student,
    UnknownClass,
    UnknownModel,
    UnknownStudent,
    clean_text,
    new_code,
    normalize_code,
    utc_now,
)
from softmax.model import SoftmaxClassifier, UnusableModel, check_reads_canvas
from softmax.schema import classes, drawings, leases, models, students, upgrade

DATABASE_URL_ENV = "SOFTMAX_DATABASE_URL"
DEFAULT_DATABASE = Path.home() / ".softmax" / "studio.db"
TRAINING_SLOT = "training"  # the lease every replica's training takes: one run per deployment
LEASE_TTL = 60.0  # s: a holder renews well before; a crashed holder frees the slot after this
DEFAULT_TIMEOUT = 10.0  # s a call waits for the database before StoreUnavailable
_READ_ONLY = "softmax_read_only"  # execution option: SQLite opens a deferred (read) transaction
_UNAVAILABLE = (
    sql_errors.OperationalError,  # refused, dropped, shutting down, locked beyond busy_timeout
    sql_errors.InterfaceError,
    sql_errors.DisconnectionError,
    sql_errors.TimeoutError,  # no pooled connection free in time
)


class StoreUnavailable(ConnectionError):
    """The database did not answer: nothing is known to be written; retry later."""


class LeaseBusy(RuntimeError):
    """Another process holds the lease; `.lease` says what runs, who started it and since when."""

    def __init__(self, lease: LeaseInfo) -> None:
        self.lease = lease
        super().__init__(f"{lease.describe()} — try again when it finishes")


class LeaseLost(RuntimeError):
    """A lease expired (not renewed within its time to live) and someone else took it."""


def database_url(url: str | None = None) -> str:
    """`url`, else $SOFTMAX_DATABASE_URL, else SQLite at ~/.softmax/studio.db (folder created)."""
    url = url or os.environ.get(DATABASE_URL_ENV)
    if url:
        return url
    DEFAULT_DATABASE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DATABASE}"


@dataclass(frozen=True)
class LeaseInfo:
    """Who holds a lease: enough for a refused request to say what runs and whose it is."""

    name: str
    holder: str  # what runs, e.g. "Training on class K7MXR"
    owner: str  # who started it
    since: datetime
    expires: datetime
    stop_requested: bool

    def describe(self, now: datetime | None = None) -> str:
        seconds = ((now or utc_now()) - self.since).total_seconds()
        return f"{self.holder} is running (started by {self.owner} {_ago(seconds)})"


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 0):.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


class Lease:
    """A held lease: renew it well within its time to live, release it when done.

    A holder that dies stops renewing, and the lease expires by itself after `ttl` seconds.
    As a context manager it releases on exit (when the database is down then, expiry frees it).
    """

    def __init__(self, store: Store, info: LeaseInfo, token: str, ttl: float) -> None:
        self.store = store
        self.info = info
        self.ttl = ttl
        self._token = token

    def __repr__(self) -> str:
        return f"Lease({self.info.name!r}, holder={self.info.holder!r}, owner={self.info.owner!r})"

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *exc_info: object) -> None:
        with contextlib.suppress(StoreUnavailable):  # it expires within ttl: nothing stays locked
            self.release()

    def renew(self) -> bool:
        """Push the expiry `ttl` seconds ahead; True if someone has asked the holder to stop.

        Raises LeaseLost if the lease expired and another process took it.
        """
        expires = utc_now() + timedelta(seconds=self.ttl)
        mine = and_(leases.c.name == self.info.name, leases.c.token == self._token)
        with self.store._transaction() as connection:
            renewed = connection.execute(update(leases).where(mine).values(expires_at=expires))
            if renewed.rowcount == 0:
                raise LeaseLost(f"the lease {self.info.name!r} expired and was taken by another")
            stop = bool(connection.execute(select(leases.c.stop_requested).where(mine)).scalar())
        self.info = dataclasses.replace(self.info, expires=expires, stop_requested=stop)
        return stop

    def release(self) -> None:
        """Give the lease up (a no-op if it has already expired and gone to someone else)."""
        mine = and_(leases.c.name == self.info.name, leases.c.token == self._token)
        with self.store._transaction() as connection:
            connection.execute(delete(leases).where(mine))


class Store:
    """The classroom database at `url` (see `database_url`), its schema brought up to date.

    `timeout` (s) bounds how long a call waits for the database (SQLite's lock, PostgreSQL's
    connection) before raising StoreUnavailable. Safe to share between threads; each server
    process opens its own. Raises StoreUnavailable when the database cannot be reached and
    ValueError for a URL that is not a usable database.
    """

    def __init__(self, url: str | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = _parse_url(database_url(url))
        self.timeout = timeout
        self._engine = _create_engine(self.url, timeout)
        self._write_lock = threading.Lock() if self.backend == "sqlite" else None
        with self._unavailable():
            upgrade(self._engine)

    def __repr__(self) -> str:
        return f"Store({self.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        """ "sqlite" or "postgresql" (or another SQLAlchemy dialect's name)."""
        return self._engine.dialect.name

    def close(self) -> None:
        """Close every pooled connection (the store can still be used: it reconnects)."""
        self._engine.dispose()

    # Classes ----------------------------------------------------------------------------------

    def create_class(self, name: str, capacity: int = DEFAULT_CAPACITY) -> ClassInfo:
        """A new open class with a fresh join code. InvalidName / ClassroomError for bad input."""
        name = clean_text(name, "a class name", CLASS_NAME_LENGTH, optional=False)
        if isinstance(capacity, bool) or not isinstance(capacity, int):
            raise ClassroomError(f"capacity must be a whole number; got {capacity!r}")
        if not 1 <= capacity <= MAX_CAPACITY:
            raise ClassroomError(f"capacity must be 1 to {MAX_CAPACITY}; got {capacity}")
        for _ in range(20):  # a clash is one in millions per existing class: retry, never fail
            code = new_code()
            try:
                with self._transaction() as connection:
                    connection.execute(
                        insert(classes).values(
                            code=code, name=name, capacity=capacity, created_at=utc_now()
                        )
                    )
                return self.get_class(code)
            except sql_errors.IntegrityError:
                continue
        raise RuntimeError("could not find a free join code in 20 tries")

    def get_class(self, code: str) -> ClassInfo:
        """The class with join `code` (as typed: case and spaces do not matter). UnknownClass."""
        code = normalize_code(code)
        with self._transaction(read_only=True) as connection:
            row = connection.execute(_class_infos().where(classes.c.code == code)).one_or_none()
        if row is None:
            raise UnknownClass(code)
        return _class_info(row)

    def list_classes(self) -> list[ClassInfo]:
        """Every class, newest first."""
        query = _class_infos().order_by(classes.c.created_at.desc(), classes.c.id.desc())
        with self._transaction(read_only=True) as connection:
            return [_class_info(row) for row in connection.execute(query)]

    def close_class(self, code: str) -> ClassInfo:
        """No one else may join (students already in keep drawing). UnknownClass."""
        return self._set_closed(code, utc_now())

    def reopen_class(self, code: str) -> ClassInfo:
        """Let students join again. UnknownClass."""
        return self._set_closed(code, None)

    def _set_closed(self, code: str, closed: datetime | None) -> ClassInfo:
        code = normalize_code(code)
        with self._transaction() as connection:
            query = update(classes).where(classes.c.code == code)
            if closed is not None:
                query = query.where(classes.c.closed_at.is_(None))  # keep the first close time
            connection.execute(query.values(closed_at=closed))
        return self.get_class(code)

    def delete_class(self, code: str) -> ClassInfo:
        """Delete a class and everything in it (students, drawings, models); returns what it held.

        UnknownClass if there is none (also when it has just been deleted by someone else).
        """
        code = normalize_code(code)
        with self._transaction() as connection:
            row = connection.execute(_class_infos().where(classes.c.code == code)).one_or_none()
            if row is None:
                raise UnknownClass(code)
            connection.execute(delete(classes).where(classes.c.code == code))  # FKs cascade
        return _class_info(row)

    # Students ---------------------------------------------------------------------------------

    def join(self, code: str, nickname: str | None = None) -> Student:
        """A new student in the class `code`, with an optional nickname (no personal data needed).

        Raises UnknownClass, ClassClosed, ClassFull, or InvalidName for a nickname that is too
        long (NICKNAME_LENGTH) or unprintable. Capacity holds under concurrent joins.
        """
        code = normalize_code(code)
        nickname = clean_text(nickname, "a nickname", NICKNAME_LENGTH, optional=True)
        with self._transaction() as connection:
            room = connection.execute(
                select(classes.c.id, classes.c.name, classes.c.capacity, classes.c.closed_at)
                .where(classes.c.code == code)
                .with_for_update()  # PostgreSQL: joins to one class queue here; SQLite: BEGIN IMMEDIATE
            ).one_or_none()
            if room is None:
                raise UnknownClass(code)
            if room.closed_at is not None:
                raise ClassClosed(code, room.name)
            joined = connection.execute(
                select(func.count()).select_from(students).where(students.c.class_id == room.id)
            ).scalar_one()
            if joined >= room.capacity:
                raise ClassFull(code, room.name, room.capacity)
            student = Student(secrets.token_hex(8), code, nickname, utc_now())
            connection.execute(
                insert(students).values(
                    id=student.id, class_id=room.id, nickname=nickname, joined_at=student.joined
                )
            )
        return student

    def get_student(self, student_id: str) -> Student:
        """The student with `student_id` (a page checks its session's student still exists)."""
        query = (
            select(students, classes.c.code)
            .join(classes, classes.c.id == students.c.class_id)
            .where(students.c.id == str(student_id))
        )
        with self._transaction(read_only=True) as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            raise UnknownStudent(str(student_id))
        return Student(row.id, row.code, row.nickname, row.joined_at)

    # Drawings ---------------------------------------------------------------------------------

    def save_drawing(self, drawing: Drawing) -> bool:
        """Store `drawing`; True if stored now, False if it was already (a retry: no duplicate).

        Raises UnknownStudent when its student (or class) no longer exists, StoreUnavailable
        when the database does not answer (keep the drawing and call again).
        """
        try:
            with self._transaction() as connection:
                class_id = connection.execute(
                    select(students.c.class_id).where(students.c.id == drawing.student_id)
                ).scalar()
                if class_id is None:
                    raise UnknownStudent(drawing.student_id)
                connection.execute(
                    insert(drawings).values(
                        id=drawing.id,
                        class_id=class_id,
                        student_id=drawing.student_id,
                        label=drawing.label,
                        predicted=drawing.predicted,
                        probabilities=drawing.probabilities.astype("<f4").tobytes(),
                        model_fingerprint=drawing.model_fingerprint,
                        pixels=drawing.image.tobytes(),
                        created_at=drawing.created,
                    )
                )
            return True
        except sql_errors.IntegrityError:  # the id is taken (a retry), or the student just left
            with self._transaction(read_only=True) as connection:
                found = connection.execute(
                    select(drawings.c.id).where(drawings.c.id == drawing.id)
                ).scalar()
            if found is None:
                raise UnknownStudent(drawing.student_id) from None
            return False

    def undo(self, student_id: str, drawing_id: str) -> bool:
        """Delete one of the student's own drawings; False if it is not there (already undone)."""
        with self._transaction() as connection:
            deleted = connection.execute(
                delete(drawings).where(
                    drawings.c.id == str(drawing_id), drawings.c.student_id == str(student_id)
                )
            )
        return deleted.rowcount > 0

    def class_drawings(self, code: str) -> ClassDrawings:
        """Every drawing of the class `code`, oldest first. UnknownClass."""
        code = normalize_code(code)
        with self._transaction(read_only=True) as connection:
            class_id = self._class_id(connection, code)
            nicknames = dict(
                connection.execute(
                    select(students.c.id, students.c.nickname).where(
                        students.c.class_id == class_id
                    )
                ).all()
            )
            rows = connection.execute(
                select(drawings)
                .where(drawings.c.class_id == class_id)
                .order_by(drawings.c.created_at, drawings.c.id)
            ).all()
        n = len(rows)
        columns = list(zip(*rows, strict=True)) or [()] * len(
            drawings.columns
        )  # one tuple per column
        column = dict(zip(drawings.c.keys(), columns, strict=True))
        pixels = np.frombuffer(b"".join(column["pixels"]), dtype=np.uint8).reshape(n, 28, 28)
        probabilities = np.frombuffer(b"".join(column["probabilities"]), dtype="<f4")
        created = [t.replace(tzinfo=None) for t in column["created_at"]]  # UTC, naive for numpy
        return ClassDrawings(
            code=code,
            ids=np.array(column["id"], dtype=str),
            x=pixels.copy(),
            y=np.array(column["label"], dtype=np.uint8),
            predicted=np.array(column["predicted"], dtype=np.uint8),
            probabilities=probabilities.reshape(n, 10).astype(np.float32),
            student_ids=np.array(column["student_id"], dtype=str),
            created=np.array(created, dtype="datetime64[us]"),
            model_fingerprints=np.array(column["model_fingerprint"], dtype=str),
            nicknames=nicknames,
        )

    # Class models -----------------------------------------------------------------------------

    def save_model(self, code: str, classifier: SoftmaxClassifier) -> ModelInfo:
        """Store a model trained for the class `code` (not adopted yet), so every server process
        can load it. InvalidModel unless it reads the canvas: 784 inputs, 10 classes, finite."""
        data, metadata_json = _model_bytes(classifier)
        code = normalize_code(code)
        with self._transaction() as connection:
            class_id = self._class_id(connection, code)
            created = utc_now()
            inserted = connection.execute(
                insert(models).values(
                    class_id=class_id,
                    fingerprint=classifier.fingerprint,
                    metadata_json=metadata_json,
                    data=data,
                    adopted=False,
                    created_at=created,
                )
            )
            model_id = inserted.inserted_primary_key[0]
        return ModelInfo(
            model_id, code, classifier.fingerprint, json.loads(metadata_json), False, created
        )

    def adopt_model(self, code: str, model_id: int | None) -> ClassInfo:
        """Make a stored model the class's model (None: back to the app's default).

        Every student page of the class, on every server process, reads with it from its next
        stroke. UnknownClass, or UnknownModel if the model is not one of this class's.
        """
        code = normalize_code(code)
        with self._transaction() as connection:
            class_id = self._class_id(connection, code)
            ours = models.c.class_id == class_id
            if model_id is not None:
                found = connection.execute(
                    select(models.c.id).where(ours, models.c.id == model_id)
                ).scalar()
                if found is None:
                    raise UnknownModel(model_id, code)
            adopted = False if model_id is None else (models.c.id == model_id)
            connection.execute(update(models).where(ours).values(adopted=adopted))
        return self.get_class(code)

    def list_models(self, code: str) -> list[ModelInfo]:
        """The class's stored models, newest first. UnknownClass."""
        code = normalize_code(code)
        with self._transaction(read_only=True) as connection:
            class_id = self._class_id(connection, code)
            rows = connection.execute(
                select(
                    models.c.id,
                    models.c.fingerprint,
                    models.c.metadata_json,
                    models.c.adopted,
                    models.c.created_at,
                )
                .where(models.c.class_id == class_id)
                .order_by(models.c.created_at.desc(), models.c.id.desc())
            ).all()
        return [
            ModelInfo(
                r.id, code, r.fingerprint, json.loads(r.metadata_json), r.adopted, r.created_at
            )
            for r in rows
        ]

    def load_model(self, model_id: int) -> SoftmaxClassifier:
        """The stored model `model_id` (pages cache it by id: a stored model never changes)."""
        with self._transaction(read_only=True) as connection:
            data = connection.execute(select(models.c.data).where(models.c.id == model_id)).scalar()
        if data is None:
            raise UnknownModel(model_id)
        return _model_from_bytes(data)

    def class_model(self, code: str) -> SoftmaxClassifier | None:
        """The class's adopted model, or None when it uses the app's default. UnknownClass."""
        model_id = self.get_class(code).model_id
        return None if model_id is None else self.load_model(model_id)

    # Leases -----------------------------------------------------------------------------------

    def acquire_lease(self, name: str, holder: str, owner: str, ttl: float = LEASE_TTL) -> Lease:
        """Take the lease `name` (e.g. TRAINING_SLOT) for every process sharing this database.

        `holder` says what runs and `owner` who started it: a refused request shows both. Raises
        LeaseBusy while another holder's lease is live; an expired one is taken over.
        """
        if not (isinstance(ttl, int | float) and math.isfinite(ttl) and ttl > 0):
            raise ValueError(f"ttl must be a positive number of seconds; got {ttl!r}")
        token = secrets.token_hex(16)
        for _ in range(5):  # each try either wins, meets a live holder, or saw it just freed
            now = utc_now()
            info = LeaseInfo(name, holder, owner, now, now + timedelta(seconds=ttl), False)
            values = {
                "token": token,
                "holder": holder,
                "owner": owner,
                "since": info.since,
                "expires_at": info.expires,
                "stop_requested": False,
            }
            try:
                with self._transaction() as connection:
                    connection.execute(insert(leases).values(name=name, **values))
                return Lease(self, info, token, ttl)
            except sql_errors.IntegrityError:
                pass  # a row exists: live (busy) or expired (take it over)
            with self._transaction() as connection:
                expired = and_(leases.c.name == name, leases.c.expires_at < now)
                taken = connection.execute(update(leases).where(expired).values(**values))
                if taken.rowcount == 1:
                    return Lease(self, info, token, ttl)
                current = connection.execute(
                    select(leases).where(leases.c.name == name)
                ).one_or_none()
            if current is not None:
                raise LeaseBusy(_lease_info(current))
        raise LeaseBusy(self.lease(name) or info)

    def lease(self, name: str) -> LeaseInfo | None:
        """Who holds the lease `name` now, or None when it is free (or expired)."""
        with self._transaction(read_only=True) as connection:
            row = connection.execute(
                select(leases).where(leases.c.name == name, leases.c.expires_at >= utc_now())
            ).one_or_none()
        return None if row is None else _lease_info(row)

    def request_stop(self, name: str) -> bool:
        """Ask the lease's holder, on whichever process, to stop: it learns on its next renew.

        False when nobody holds it. Who may ask is the page's decision (the teacher).
        """
        with self._transaction() as connection:
            asked = connection.execute(
                update(leases)
                .where(leases.c.name == name, leases.c.expires_at >= utc_now())
                .values(stop_requested=True)
            )
        return asked.rowcount > 0

    # Plumbing ---------------------------------------------------------------------------------

    @contextmanager
    def _unavailable(self) -> Iterator[None]:
        """Database-unreachable errors become StoreUnavailable, password hidden."""
        try:
            yield
        except _UNAVAILABLE as error:
            lines = str(getattr(error, "orig", None) or error).strip().splitlines()
            reason = lines[0] if lines else type(error).__name__
            where = self.url.render_as_string(hide_password=True)
            raise StoreUnavailable(f"the database {where} is not answering: {reason}") from error

    @contextmanager
    def _transaction(self, read_only: bool = False) -> Iterator[Connection]:
        """One transaction, committed at the end of the block, rolled back on an exception."""
        with self._unavailable(), self._writer(read_only), self._engine.connect() as connection:
            connection.execution_options(**{_READ_ONLY: read_only})
            with connection.begin():
                yield connection

    @contextmanager
    def _writer(self, read_only: bool) -> Iterator[None]:
        """SQLite takes one writer at a time; this process' writers queue on a lock rather than
        in SQLite's busy handler, which sleeps in growing steps (p95 of 30 students saving at
        once: 570 ms without the lock). Other processes still wait in the busy handler."""
        if read_only or self._write_lock is None:
            yield
            return
        if not self._write_lock.acquire(timeout=self.timeout):
            raise StoreUnavailable(f"the database is busy: no write slot within {self.timeout} s")
        try:
            yield
        finally:
            self._write_lock.release()

    def _class_id(self, connection: Connection, code: str) -> int:
        found = connection.execute(select(classes.c.id).where(classes.c.code == code)).scalar()
        if found is None:
            raise UnknownClass(code)
        return found


def _parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except sql_errors.ArgumentError as error:
        raise ValueError(f"{DATABASE_URL_ENV} is not a database URL: {error}") from error
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ValueError(
            "an in-memory SQLite database would vanish with the process and is not shared by "
            "its threads: give a file, e.g. sqlite:////path/to/studio.db"
        )
    return parsed


def _create_engine(url: URL, timeout: float) -> Engine:
    """An engine that notices dropped connections (a restarted server) and waits at most
    `timeout` for a connection; SQLite in WAL mode with a busy timeout and foreign keys on."""
    connect_args = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        connect_args["connect_timeout"] = max(1, math.ceil(timeout))
    try:
        engine = create_engine(
            url, pool_pre_ping=True, pool_timeout=timeout, connect_args=connect_args
        )
    except (sql_errors.ArgumentError, sql_errors.NoSuchModuleError, ImportError) as error:
        where = url.render_as_string(hide_password=True)
        raise ValueError(f"cannot use the database {where}: {error}") from error
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, timeout)
    return engine


def _configure_sqlite(engine: Engine, timeout: float) -> None:
    """WAL (readers never wait for the one writer), a busy timeout instead of instant 'database
    is locked', foreign keys enforced (they are off by default), and transactions SQLAlchemy
    begins itself: writes with BEGIN IMMEDIATE, which takes the write lock up front, so a
    read-then-write transaction (a join checking capacity) cannot be overtaken."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not issue BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {round(timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _class_infos():
    """SELECT of every column ClassInfo needs (add a WHERE / ORDER BY)."""
    n_students = (
        select(func.count())
        .select_from(students)
        .where(students.c.class_id == classes.c.id)
        .scalar_subquery()
    )
    n_drawings = (
        select(func.count())
        .select_from(drawings)
        .where(drawings.c.class_id == classes.c.id)
        .scalar_subquery()
    )
    adopted = and_(models.c.class_id == classes.c.id, models.c.adopted)
    return select(
        classes,
        n_students.label("students"),
        n_drawings.label("drawings"),
        models.c.id.label("model_id"),
        models.c.fingerprint.label("model_fingerprint"),
    ).select_from(classes.outerjoin(models, adopted))


def _class_info(row) -> ClassInfo:
    return ClassInfo(
        code=row.code,
        name=row.name,
        capacity=row.capacity,
        created=row.created_at,
        closed=row.closed_at,
        students=row.students,
        drawings=row.drawings,
        model_id=row.model_id,
        model_fingerprint=row.model_fingerprint,
    )


def _lease_info(row) -> LeaseInfo:
    return LeaseInfo(
        row.name, row.holder, row.owner, row.since, row.expires_at, bool(row.stop_requested)
    )


def _model_bytes(classifier: SoftmaxClassifier) -> tuple[bytes, str]:
    """The bytes of the .npz file `SoftmaxClassifier.save` writes (so one format everywhere), and
    the metadata JSON. InvalidModel unless the model can read the canvas (`check_reads_canvas`:
    784 inputs, 10 classes, finite probabilities) and its metadata is plain JSON."""
    if not isinstance(classifier, SoftmaxClassifier):
        raise InvalidModel(f"a class model is a SoftmaxClassifier; got {type(classifier).__name__}")
    try:
        check_reads_canvas(classifier)
    except UnusableModel as error:
        raise InvalidModel(f"this model cannot be a class model: {error}") from error
    try:
        metadata_json = json.dumps(classifier.metadata, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InvalidModel(f"the model's metadata is not plain JSON: {error}") from error
    with tempfile.TemporaryDirectory(prefix="softmax-model-") as folder:
        path = classifier.save(Path(folder) / "model.npz", sidecar=False)
        return path.read_bytes(), metadata_json


def _model_from_bytes(data: bytes) -> SoftmaxClassifier:
    """A model from the bytes `_model_bytes` stored, read by `SoftmaxClassifier.load` itself."""
    with tempfile.TemporaryDirectory(prefix="softmax-model-") as folder:
        path = Path(folder) / "model.npz"
        path.write_bytes(data)
        return SoftmaxClassifier.load(path)
