"""Download MNIST once into Keras' cache, where `data.load_mnist` finds it: Keras' file, Keras' rules.

    python -m softmax fetch                 # ~/.keras/datasets/mnist.npz, or $KERAS_HOME/datasets
    path = fetch_mnist(on_progress=print)   # on_progress(bytes_done, bytes_total or None)

What `keras.datasets.mnist.load_data()` does, with the same origin, sha256 and folder
(`KERAS_HOME`, else ~/.keras, else /tmp/.keras when home is not writable; then `datasets/`), and
the same hash rule (64 hex digits: sha256, else md5). Two differences, both for the app: it
reports progress to a callback (the pages draw an `st.progress` bar; Keras' `get_file` prints its
own bar to stdout), and it imports no Keras, so the server never loads TensorFlow (≈ 4 s,
650 MB) to fetch a file. The download goes to a temporary file beside the target, is checked
(hash, then the four arrays) and only then renamed into place: a failed or interrupted download
leaves nothing behind, and a reader never sees half a file.

`SOFTMAX_MNIST_URL` and `SOFTMAX_MNIST_SHA256` override the origin and the hash (a mirror, or a
local server in tests).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from softmax.data import DataError, keras_cache, read_mnist_npz

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
URL_ENV = "SOFTMAX_MNIST_URL"
SHA256_ENV = "SOFTMAX_MNIST_SHA256"
SIZE_MB = 11  # Keras' mnist.npz is 11,490,434 bytes
TIMEOUT_SECONDS = 30  # per network operation (connect, each read), not for the whole download
CHUNK = 1 << 16

Progress = Callable[[int, int | None], None]  # (bytes so far, total bytes or None if unknown)


class FetchError(DataError):
    """The download failed or gave the wrong file; the message says how to get MNIST by hand.

    For a page that words it in another language: `kind` (`folder`, `hash`, `not_mnist`, `cut`,
    `unreachable`), `details` (the message's values: url, reason, ...) and `target`, where the
    file belongs (`manual_steps(target)`).
    """

    def __init__(self, message: str, kind: str, target: Path, **details: str) -> None:
        super().__init__(message)
        self.kind, self.target, self.details = kind, target, details


def origin() -> str:
    return os.environ.get(URL_ENV) or KERAS_ORIGIN


def expected_hash() -> str:
    return (os.environ.get(SHA256_ENV) or KERAS_SHA256).strip().lower()


def manual_steps(target: Path | None = None) -> str:
    """How to get MNIST without this download (offline, or behind a proxy)."""
    target = target or keras_cache()
    return (
        f"To get it by hand: download {origin()} on a machine that can, check that its sha256 is "
        f"{expected_hash()}, and copy it to {target} (or point SOFTMAX_MNIST at it)."
    )


def fetch_mnist(on_progress: Progress | None = None) -> Path:
    """MNIST in Keras' cache: the file already there if its hash matches, else downloaded.

    Returns its path. Raises FetchError (a DataError) saying what went wrong and the manual
    steps when the origin cannot be reached, the hash differs, or the file is not MNIST; the
    cache is then left as it was.
    """
    target = keras_cache()
    wanted = expected_hash()
    if target.is_file() and _hash_of(target, wanted) == wanted:
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FetchError(
            f"cannot create {target.parent} ({error}). {manual_steps()}",
            "folder",
            target,
            folder=str(target.parent),
            reason=str(error),
        ) from error
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".mnist.npz.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            _download(origin(), file, on_progress, target)
        got = _hash_of(Path(temporary), wanted)
        if got != wanted:
            raise FetchError(
                f"the file from {origin()} has hash {got}, not the expected {wanted}: "
                f"not MNIST, or damaged on the way. {manual_steps(target)}",
                "hash",
                target,
                url=origin(),
                got=got,
                wanted=wanted,
            )
        read_mnist_npz(temporary)  # the four arrays, right shapes: before anyone can find it
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except FetchError:
        raise
    except DataError as error:
        raise FetchError(
            f"{error}. {manual_steps(target)}", "not_mnist", target, reason=str(error)
        ) from error
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def _download(url: str, file, on_progress: Progress | None, target: Path) -> None:
    """Stream `url` into `file`, calling `on_progress` after every chunk."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            if on_progress is not None:
                on_progress(done, total)
            while chunk := response.read(CHUNK):
                file.write(chunk)
                done += len(chunk)
                if on_progress is not None:
                    on_progress(done, total)
            if total is not None and done != total:
                raise FetchError(
                    f"the download from {url} stopped after {done:,} of {total:,} bytes. "
                    f"{manual_steps()}",
                    "cut",
                    target,
                    url=url,
                    done=f"{done:,}",
                    total=f"{total:,}",
                )
    except FetchError:
        raise
    except (urllib.error.URLError, OSError, ValueError) as error:  # offline, refused, timeout
        reason = getattr(error, "reason", None) or error
        raise FetchError(
            f"could not download MNIST from {url} ({reason}). {manual_steps()}",
            "unreachable",
            target,
            url=url,
            reason=str(reason),
        ) from error


def _hash_of(path: Path, expected: str) -> str:
    """Hex digest of `path` by Keras' rule: sha256 for a 64-digit expected hash, else md5."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256" if len(expected) == 64 else "md5").hexdigest()
