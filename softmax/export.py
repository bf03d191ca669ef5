"""A class's drawings as files to keep: `.npz` in MNIST's layout, and a CSV of who drew what.

    python -m softmax classroom export K7MXR --out 7b.npz     # writes 7b.npz and 7b.csv

The `.npz` holds `x` (n, 28, 28) uint8 — exactly what the model read — and `y` (n,) uint8, the
digits the students said they drew, so `np.load` and any MNIST code read it. The CSV has one row
per drawing, in the same order (`index` is the row in `x`): its id, the student (nickname, else
an anonymous tag; never more than the student typed), label, prediction, time and the model that
read it. Each file is written to a temporary file and renamed into place: a reader never sees
half an export.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from softmax.classroom import ClassDrawings
from softmax.files import write_atomically
from softmax.store import Store

CSV_COLUMNS = ("index", "drawing_id", "student", "student_id", "label", "predicted",
               "created_utc", "model_fingerprint")  # fmt: skip
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run these as formulas


@dataclass(frozen=True)
class Export:
    """What `export_class` wrote."""

    npz: Path
    csv: Path
    n: int  # drawings


def export_class(store: Store, code: str, out: str | os.PathLike) -> Export:
    """Write the class `code`'s drawings to `out` (.npz) and the CSV beside it (same name, .csv).

    Raises ValueError for an `out` not ending in .npz, UnknownClass, StoreUnavailable, OSError.
    """
    out = Path(out)
    if out.suffix != ".npz":
        raise ValueError(f"the export file name ends in .npz; got {out.name}")
    data = store.class_drawings(code)
    out.parent.mkdir(parents=True, exist_ok=True)
    csv_path = out.with_suffix(".csv")
    write_atomically(out, lambda file: np.savez_compressed(file, x=data.x, y=data.y), binary=True)
    write_atomically(csv_path, lambda file: _write_csv(file, data))
    return Export(out, csv_path, len(data))


def _write_csv(file, data: ClassDrawings) -> None:
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for index in range(len(data)):
        student_id = str(data.student_ids[index])
        writer.writerow(
            (
                index,
                data.ids[index],
                _inert(data.student_name(student_id)),
                student_id,
                int(data.y[index]),
                int(data.predicted[index]),
                np.datetime_as_string(data.created[index], unit="ms") + "Z",
                data.model_fingerprints[index],
            )
        )


def _inert(text: str) -> str:
    """A nickname as plain text in a spreadsheet: "=1+1" would otherwise be run as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text
