"""Weights forming: a training run's W and b after every epoch, small enough to keep in a session.

A softmax has 7,850 numbers. In float16 one epoch's W is 15.7 kB, so the notebook's 100 epochs
fit in 1.6 MB, and a slider can replay the ten weight maps forming. float16 keeps 3 significant
digits, far finer than a colour map can show; the biases stay float32 (40 bytes an epoch).

The training child sends each epoch as `encode_epoch(W, b)` (base64 text, 21 kB, one JSON field
beside its EpochLog); the server decodes it with `decode_epoch` and stacks the run with
`WeightHistory.of`. Entry 0 is the weights before training, so entry e is after epoch e.
"""

from __future__ import annotations

import base64
import binascii
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from softmax import explain
from softmax.files import write_atomically
from softmax.model import SoftmaxClassifier


class HistoryFileError(ValueError):
    """A weight history file or message is missing, damaged or not a history; says which."""


@dataclass(frozen=True, eq=False)
class WeightHistory:
    """W and b after each epoch: `weights[e]`, `biases[e]`, e = 0 (before training) … epochs."""

    weights: np.ndarray  # (epochs + 1, n_inputs, n_classes) float16, read-only
    biases: np.ndarray  # (epochs + 1, n_classes) float32, read-only

    def __post_init__(self) -> None:
        with np.errstate(over="ignore"):  # overflow becomes inf, refused just below
            weights = np.array(self.weights, dtype=np.float16)  # a copy: ours alone, then frozen
        biases = np.array(self.biases, dtype=np.float32)
        if weights.ndim != 3 or biases.shape != (weights.shape[0], weights.shape[2]):
            raise ValueError(
                f"weights (epochs + 1, n, k) and biases (epochs + 1, k) expected, "
                f"got {weights.shape} and {biases.shape}"
            )
        if len(weights) == 0:
            raise ValueError("a weight history needs at least the starting weights")
        if not (np.isfinite(weights).all() and np.isfinite(biases).all()):
            raise ValueError("a weight history must be finite (float16 overflows past ±65504)")
        weights.setflags(write=False)
        biases.setflags(write=False)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "biases", biases)

    def __repr__(self) -> str:
        return f"WeightHistory(epochs={self.epochs}, {self.nbytes / 1e6:.2f} MB)"

    @classmethod
    def of(cls, snapshots: Iterable[tuple[np.ndarray, np.ndarray]]) -> WeightHistory:
        """Stack (W, b) pairs, the starting weights first, one per finished epoch after."""
        pairs = list(snapshots)
        if not pairs:
            raise ValueError("a weight history needs at least the starting weights")
        return cls(np.stack([w for w, _ in pairs]), np.stack([b for _, b in pairs]))

    @property
    def epochs(self) -> int:
        """Epochs recorded after the start."""
        return len(self.weights) - 1

    @property
    def nbytes(self) -> int:
        return self.weights.nbytes + self.biases.nbytes

    def classifier_at(self, epoch: int) -> SoftmaxClassifier:
        """The model as it was after `epoch` (0: before training), float32."""
        e = self._index(epoch)
        return SoftmaxClassifier(self.weights[e], self.biases[e], {"epoch": e})

    def maps_at(self, epoch: int) -> np.ndarray:
        """(10, 28, 28) float32 weight maps after `epoch`."""
        return explain.weight_maps(self.classifier_at(epoch))

    def scale(self) -> float:
        """One colour limit for every epoch: the final maps' (explain.weight_scale), so the
        maps visibly sharpen from faint to full colour as training goes on."""
        return explain.weight_scale(self.maps_at(self.epochs))

    def save(self, path: str | os.PathLike) -> Path:
        """Write an .npz (weights float16, biases float32), atomically."""
        path = Path(path)
        if path.suffix != ".npz":
            raise ValueError(f"weight history files end in .npz, got {path.name}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(
            path, lambda f: np.savez(f, weights=self.weights, biases=self.biases), binary=True
        )
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> WeightHistory:
        """Read a history written by `save`; HistoryFileError for a missing or foreign file."""
        path = Path(path)
        try:
            loaded = np.load(path, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):  # a bare .npy array
                raise HistoryFileError(f"{path} is not a weight history: not an .npz archive")
            with loaded as npz:
                if {"weights", "biases"} - set(npz.files):
                    raise HistoryFileError(f"{path} is not a weight history: no weights/biases")
                return cls(npz["weights"], npz["biases"])
        except HistoryFileError:
            raise
        except FileNotFoundError as error:
            raise HistoryFileError(f"no weight history at {path}") from error
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
            raise HistoryFileError(f"{path} is not a readable weight history ({error})") from error

    def _index(self, epoch: int) -> int:
        if isinstance(epoch, bool) or not isinstance(epoch, int | np.integer):
            raise ValueError(f"epoch must be a whole number, got {epoch!r}")
        if not 0 <= epoch <= self.epochs:
            raise ValueError(f"epoch must be 0–{self.epochs}, got {epoch}")
        return int(epoch)


def encode_epoch(weights: np.ndarray, bias: np.ndarray) -> str:
    """One epoch's W (n, k) and b (k,) as ASCII for a JSON line: base64 of W in float16 then b
    in float32, little-endian. 21 kB for MNIST's 784 × 10."""
    w = np.asarray(weights, dtype="<f2")
    b = np.asarray(bias, dtype="<f4")
    if w.ndim != 2 or b.shape != (w.shape[1],):
        raise ValueError(f"weights (n, k) and bias (k,) expected, got {w.shape} and {b.shape}")
    return base64.b64encode(w.tobytes() + b.tobytes()).decode("ascii")


def decode_epoch(
    text: str, n_inputs: int = 784, n_classes: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """(W (n_inputs, n_classes) float16, b (n_classes,) float32) from `encode_epoch`'s text;
    HistoryFileError when it is not exactly one epoch of that shape."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError) as error:
        raise HistoryFileError(f"an epoch's weights are not base64 ({error})") from error
    size = n_inputs * n_classes * 2
    if len(data) != size + n_classes * 4:
        raise HistoryFileError(
            f"an epoch's weights have {len(data)} bytes; {n_inputs}×{n_classes} needs "
            f"{size + n_classes * 4}"
        )
    weights = np.frombuffer(data[:size], dtype="<f2").reshape(n_inputs, n_classes)
    return weights, np.frombuffer(data[size:], dtype="<f4")
