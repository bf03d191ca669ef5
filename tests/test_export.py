"""Exporting a class: the .npz reads like MNIST, the CSV matches it row for row."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from test_store import a_drawing

from softmax.classroom import UnknownClass
from softmax.export import CSV_COLUMNS, export_class
from softmax.store import Store


@pytest.fixture
def db(tmp_path) -> Store:
    with Store(f"sqlite:///{tmp_path / 'studio.db'}") as opened:
        yield opened


def test_an_export_round_trips_every_drawing_in_mnist_layout(db, tmp_path):
    room = db.create_class("7B")
    ada, anonymous = db.join(room.code, "Ada"), db.join(room.code)
    drawings = [a_drawing(ada.id, 7), a_drawing(anonymous.id, 2), a_drawing(ada.id, 9)]
    for drawing in drawings:
        db.save_drawing(drawing)
    written = export_class(db, room.code.lower(), tmp_path / "out" / "7b.npz")
    assert written.n == 3 and written.csv == tmp_path / "out" / "7b.csv"
    with np.load(written.npz) as npz:
        assert sorted(npz.files) == ["x", "y"]
        x, y = npz["x"], npz["y"]
    assert (x.dtype, x.shape, y.dtype, y.shape) == (np.uint8, (3, 28, 28), np.uint8, (3,))
    np.testing.assert_array_equal(x, [d.image for d in drawings])
    np.testing.assert_array_equal(y, [7, 2, 9])
    with written.csv.open(newline="") as file:
        rows = list(csv.DictReader(file))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row["drawing_id"] for row in rows] == [d.id for d in drawings]
    assert [row["student"] for row in rows] == ["Ada", anonymous.name, "Ada"]
    assert [int(row["label"]) for row in rows] == [7, 2, 9]
    assert [int(row["predicted"]) for row in rows] == [d.predicted for d in drawings]
    assert rows[0]["created_utc"].endswith("Z")
    assert sorted(p.name for p in written.npz.parent.iterdir()) == ["7b.csv", "7b.npz"]


def test_a_nickname_that_looks_like_a_formula_stays_text_in_a_spreadsheet(db, tmp_path):
    room = db.create_class("7B")
    sly = db.join(room.code, "=HYPERLINK(1)")
    db.save_drawing(a_drawing(sly.id))
    written = export_class(db, room.code, tmp_path / "7b.npz")
    with written.csv.open(newline="") as file:
        assert next(csv.DictReader(file))["student"] == "'=HYPERLINK(1)"


def test_an_empty_class_exports_empty_arrays(db, tmp_path):
    room = db.create_class("7B")
    written = export_class(db, room.code, tmp_path / "empty.npz")
    with np.load(written.npz) as npz:
        assert npz["x"].shape == (0, 28, 28) and npz["y"].shape == (0,)
    assert written.csv.read_text() == ",".join(CSV_COLUMNS) + "\n"


def test_a_failed_export_leaves_the_previous_files_whole(db, tmp_path):
    room = db.create_class("7B")
    target = tmp_path / "7b.npz"
    target.write_bytes(b"previous export")
    with pytest.raises(ValueError, match=r"ends in \.npz"):
        export_class(db, room.code, tmp_path / "7b.txt")
    with pytest.raises(UnknownClass):
        export_class(db, "NOPE7", target)
    assert target.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
