"""What a class is made of: join codes, students, labelled drawings, class models, and the
errors a page turns into sentences. No database here (that is softmax/store.py): these are the
values the store takes and gives, checked when they are made.

A `Drawing` is made on the student's page when they tap the digit they drew, with an id made
there, so the page can keep it and save it again until the store has it, never twice.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

CODE_ALPHABET = "ACDEFHJKMNPRTVWXY3479"  # nothing to confuse: no 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, U/V…
CODE_LENGTH = 5  # 21⁵ ≈ 4 million codes; five characters to type on a phone
DEFAULT_CAPACITY = 60  # students per class, unless the teacher says otherwise
MAX_CAPACITY = 1000
NICKNAME_LENGTH = 24
CLASS_NAME_LENGTH = 80


class ClassroomError(ValueError):
    """Bad input to the store (a wrong code, a closed class, ...); the message says what."""


class UnknownClass(ClassroomError):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"there is no class with the code {code!r}")


class ClassClosed(ClassroomError):
    def __init__(self, code: str, name: str) -> None:
        self.code, self.name = code, name
        super().__init__(f"the class {name!r} ({code}) is closed: no one else can join")


class ClassFull(ClassroomError):
    def __init__(self, code: str, name: str, capacity: int) -> None:
        self.code, self.name, self.capacity = code, name, capacity
        super().__init__(f"the class {name!r} ({code}) is full: {capacity} students have joined")


class UnknownStudent(ClassroomError):
    def __init__(self, student_id: str) -> None:
        self.student_id = student_id
        super().__init__(f"there is no student {student_id!r} (was the class deleted?)")


class UnknownModel(ClassroomError):
    def __init__(self, model_id: object, code: str | None = None) -> None:
        self.model_id = model_id
        where = f" in class {code}" if code else ""
        super().__init__(f"there is no stored model {model_id!r}{where}")


class InvalidDrawing(ClassroomError):
    """A drawing that cannot be stored: the message names the field and its value."""


class InvalidModel(ClassroomError):
    """A model that could not read the canvas (wrong shape, not finite, unserialisable)."""


class InvalidName(ClassroomError):
    """A class name or nickname that is empty, too long or unprintable: `longest` is the limit
    that was broken (None: the name was empty or not text), for a page to say so in its words."""

    def __init__(self, message: str, longest: int | None = None) -> None:
        self.longest = longest
        super().__init__(message)


def normalize_code(code: str) -> str:
    """A join code as typed ("k7m-xr ") in the stored form ("K7MXR")."""
    return "".join(str(code).split()).replace("-", "").upper()


def new_code() -> str:
    """A random join code of CODE_LENGTH characters from CODE_ALPHABET."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_name(student_id: str, nickname: str | None) -> str:
    """What a board or an export calls a student: the nickname, else an anonymous tag."""
    return nickname or f"anonymous-{student_id[:6]}"


def utc_now() -> datetime:
    """Now, as an aware UTC datetime: every time the store keeps is one."""
    return datetime.now(UTC)


def clean_text(value: object, what: str, longest: int, optional: bool) -> str | None:
    """A name as typed, whitespace collapsed; None for nothing when `optional`; InvalidName
    (naming `what`) when empty, longer than `longest` or unprintable."""
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidName(f"{what} must be text; got {value!r}")
    cleaned = " ".join(value.split())
    if not cleaned:
        if optional:
            return None
        raise InvalidName(f"{what} must not be empty")
    if len(cleaned) > longest or not cleaned.isprintable():
        raise InvalidName(
            f"{what} must be at most {longest} printable characters; got {value!r}", longest
        )
    return cleaned


def _digit(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value <= 9:
        raise InvalidDrawing(f"{what} must be a digit 0–9; got {value!r}")
    return int(value)


@dataclass(frozen=True, eq=False)
class Drawing:
    """One labelled drawing, made (and checked) when a student taps the digit they drew.

    Keep it until `save_drawing` returns: its `id` (a UUID made here, on the page) makes saving
    it again a no-op, so a retry after StoreUnavailable never stores it twice. `image` is the
    model's (28, 28) input, float 0–1 or uint8 0–255; it is kept as uint8 (what MNIST stores).
    Raises InvalidDrawing naming a bad field.
    """

    student_id: str
    label: int  # what the student says they drew
    image: np.ndarray  # (28, 28) uint8 after construction
    predicted: int  # what the model read
    probabilities: np.ndarray  # (10,) float32
    model_fingerprint: str  # SoftmaxClassifier.fingerprint of the model that read it
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: datetime = field(default_factory=utc_now)  # the tap, not the (maybe later) save

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "label", _digit(self.label, "label"))
        set_(self, "predicted", _digit(self.predicted, "predicted"))
        try:
            set_(self, "id", str(uuid.UUID(str(self.id))))
        except ValueError as error:
            raise InvalidDrawing(f"a drawing id is a UUID; got {self.id!r}") from error
        image = np.asarray(self.image)
        if image.shape != (28, 28):
            raise InvalidDrawing(f"image must be (28, 28); got shape {image.shape}")
        if image.dtype != np.uint8:
            if image.dtype.kind != "f" or not np.isfinite(image).all():
                raise InvalidDrawing(f"image must be uint8 or float 0–1; got {image.dtype}")
            if image.min() < 0 or image.max() > 1:
                raise InvalidDrawing(
                    f"a float image must be in [0, 1]; got {image.min()} to {image.max()}"
                )
            image = np.rint(image * 255).astype(np.uint8)
        image = np.array(image, dtype=np.uint8)  # our own copy, frozen with the drawing
        image.setflags(write=False)
        set_(self, "image", image)
        probabilities = np.array(self.probabilities, dtype=np.float32)
        if probabilities.shape != (10,) or not np.isfinite(probabilities).all():
            raise InvalidDrawing(
                f"probabilities must be 10 finite numbers; got {self.probabilities!r}"
            )
        probabilities.setflags(write=False)
        set_(self, "probabilities", probabilities)
        if not (isinstance(self.student_id, str) and 0 < len(self.student_id) <= 32):
            raise InvalidDrawing(f"student_id must be a student's id; got {self.student_id!r}")
        if not (isinstance(self.model_fingerprint, str) and 0 < len(self.model_fingerprint) <= 32):
            raise InvalidDrawing(
                f"model_fingerprint must be a model's fingerprint; got {self.model_fingerprint!r}"
            )
        if not isinstance(self.created, datetime) or self.created.tzinfo is None:
            raise InvalidDrawing(f"created must be an aware datetime; got {self.created!r}")

    def __repr__(self) -> str:
        return f"Drawing({self.id}, student={self.student_id}, label={self.label})"


@dataclass(frozen=True)
class ClassInfo:
    """A class as its teacher sees it: identity, state, and how much it holds."""

    code: str
    name: str
    capacity: int
    created: datetime
    closed: datetime | None  # when it was closed; None while students may join
    students: int
    drawings: int
    model_id: int | None  # the adopted class model; None: students use the app's default
    model_fingerprint: str | None

    @property
    def is_open(self) -> bool:
        return self.closed is None


@dataclass(frozen=True)
class Student:
    """Someone who joined a class; the page keeps `id` in its session to save drawings."""

    id: str
    class_code: str
    nickname: str | None
    joined: datetime

    @property
    def name(self) -> str:
        return display_name(self.id, self.nickname)


@dataclass(frozen=True, eq=False)
class ClassDrawings:
    """Every drawing of a class, oldest first, as arrays (MNIST's layout for x and y)."""

    code: str
    ids: np.ndarray  # (n,) str, the drawings' UUIDs
    x: np.ndarray  # (n, 28, 28) uint8: what the model read
    y: np.ndarray  # (n,) uint8: what the students said they drew
    predicted: np.ndarray  # (n,) uint8: what the model read it as, then
    probabilities: np.ndarray  # (n, 10) float32
    student_ids: np.ndarray  # (n,) str
    created: np.ndarray  # (n,) datetime64[us], UTC
    model_fingerprints: np.ndarray  # (n,) str
    nicknames: dict[str, str | None]  # every student of the class, id -> nickname

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"ClassDrawings({self.code}, drawings={len(self)}, students={len(self.nicknames)})"

    def student_name(self, student_id: str) -> str:
        return display_name(student_id, self.nicknames.get(student_id))


@dataclass(frozen=True)
class ModelInfo:
    """A class model in the store (load it with `Store.load_model(info.id)`)."""

    id: int
    class_code: str
    fingerprint: str
    metadata: dict[str, Any]
    adopted: bool
    created: datetime
