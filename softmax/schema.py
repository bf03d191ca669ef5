"""The classroom database's tables, and the versioned script that creates and upgrades them.

`upgrade(engine)` runs on every start of a `Store`: it reads `schema_version`, applies the
migrations after it in one transaction and records the new version, so nobody ever creates or
alters a table by hand. Two server processes starting at once are serialised (a PostgreSQL
advisory lock; SQLite's write lock), so the second finds the work done.

A migration may use the current `Table` objects only while no later migration changes that
table; a migration that alters a table freezes the old definition inside the earlier one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    insert,
    select,
    text,
    update,
)

MIGRATION_LOCK = 0x50F7_3A25  # PostgreSQL advisory lock key held while the schema is upgraded


class SchemaTooNew(ValueError):
    """The database was upgraded by a newer version of this program: this one cannot use it."""


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend. SQLite keeps no time zone, so naive UTC is stored
    there and UTC put back on reading; PostgreSQL stores `timestamp with time zone`."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"times are stored with their time zone; got naive {value}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

classes = Table(
    "classes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(8), nullable=False, unique=True),  # what students type or scan
    Column("name", String(80), nullable=False),
    Column("capacity", Integer, nullable=False),  # students who may join
    Column("created_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime),  # set: no one else may join
)

students = Table(
    "students",
    metadata,
    Column("id", String(32), primary_key=True),  # random, not a count: ids say nothing
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("nickname", String(40)),  # optional: no personal data needed
    Column("joined_at", UTCDateTime, nullable=False),
)

drawings = Table(
    "drawings",
    metadata,
    Column("id", String(36), primary_key=True),  # a UUID made by the page: a retry is no duplicate
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    Column("student_id", ForeignKey("students.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", SmallInteger, nullable=False),  # the digit the student says they drew
    Column("predicted", SmallInteger, nullable=False),  # the digit the model read
    Column("probabilities", LargeBinary(40), nullable=False),  # (10,) float32 little-endian
    Column("model_fingerprint", String(32), nullable=False),  # SoftmaxClassifier.fingerprint
    Column("pixels", LargeBinary(784), nullable=False),  # the model's (28, 28) input, uint8
    Column("created_at", UTCDateTime, nullable=False),  # when the student tapped the label
    Index("drawings_by_class", "class_id", "created_at"),
)

models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("class_id", ForeignKey("classes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("fingerprint", String(32), nullable=False),
    Column("metadata_json", Text, nullable=False),  # readable without unpacking `data`
    Column("data", LargeBinary, nullable=False),  # the .npz bytes SoftmaxClassifier.save writes
    Column("adopted", Boolean, nullable=False),  # the class's model: at most one per class
    Column("created_at", UTCDateTime, nullable=False),
)

leases = Table(
    "leases",
    metadata,
    Column("name", String(40), primary_key=True),  # e.g. "training": one holder per deployment
    Column("token", String(32), nullable=False),  # which acquisition holds it
    Column("holder", String(200), nullable=False),  # what runs, for the refused
    Column("owner", String(200), nullable=False),  # who started it
    Column("since", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),  # renewed by a live holder
    Column("stop_requested", Boolean, nullable=False),  # someone asked the holder to stop
)


def _create(*tables: Table) -> Callable[[Connection], None]:
    return lambda connection: metadata.create_all(connection, tables=tables)


# (what it adds, how): version N is after the N-th. Append only; never edit a released step.
MIGRATIONS: tuple[tuple[str, Callable[[Connection], None]], ...] = (
    ("classes, their students and their labelled drawings", _create(classes, students, drawings)),
    ("class models and cross-process leases (the training slot)", _create(models, leases)),
)
LATEST = len(MIGRATIONS)


def upgrade(engine: Engine, target: int = LATEST) -> int:
    """Bring the database to schema `target` (default: the latest); return the version before.

    Raises SchemaTooNew when the database is ahead of this code, ValueError for a bad target.
    """
    if not 0 <= target <= LATEST:
        raise ValueError(f"schema versions are 0 to {LATEST}; got {target}")
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":  # SQLite: the transaction's write lock
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        schema_version.create(connection, checkfirst=True)
        found = connection.execute(select(schema_version.c.version)).scalar()
        if found is None:
            connection.execute(insert(schema_version).values(version=0))
            found = 0
        if found > LATEST:
            raise SchemaTooNew(
                f"the database has schema version {found}, newer than this program's {LATEST}: "
                "upgrade softmax studio, or point SOFTMAX_DATABASE_URL at another database"
            )
        for _, migrate in MIGRATIONS[found:target]:
            migrate(connection)
        if target > found:
            connection.execute(update(schema_version).values(version=target))
    return found
