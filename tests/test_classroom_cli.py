"""`python -m softmax classroom ...` as a teacher runs it, on a real database (SQLite here; the
store's own tests cover PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from test_cli import ROOT, assert_one_line_error
from test_store import a_drawing

from softmax.store import Store


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'studio.db'}"


def classroom(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "softmax", "classroom", *map(str, args)],
        cwd=ROOT,
        env={"SOFTMAX_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_ends_with_the_join_code_and_list_shows_the_class(url):
    created = classroom(url, "create", "7B maths", "--capacity", "30")
    assert created.returncode == 0, created.stderr
    code = created.stdout.splitlines()[-1]
    with Store(url) as db:
        room = db.get_class(code)
    assert (room.name, room.capacity, room.is_open) == ("7B maths", 30, True)
    listed = classroom(url, "list")
    assert listed.returncode == 0 and code in listed.stdout and "7B maths" in listed.stdout
    [entry] = json.loads(classroom(url, "list", "--json").stdout)
    assert (entry["code"], entry["students"], entry["open"]) == (code, 0, True)


def test_export_writes_the_class_drawings_and_a_csv_beside_them(url, tmp_path):
    with Store(url) as db:
        room = db.create_class("7B")
        ada = db.join(room.code, "Ada")
        for label in (4, 2):
            db.save_drawing(a_drawing(ada.id, label))
    out = tmp_path / "export" / "7b.npz"
    exported = classroom(url, "export", room.code, "--out", out)
    assert exported.returncode == 0, exported.stderr
    assert "2 drawings" in exported.stdout
    with np.load(out) as npz:
        np.testing.assert_array_equal(npz["y"], [4, 2])
    assert out.with_suffix(".csv").read_text().count("\n") == 3


def test_close_reopen_and_delete_change_the_class(url):
    with Store(url) as db:
        room = db.create_class("7B")
        db.join(room.code)
    assert classroom(url, "close", room.code).returncode == 0
    with Store(url) as db:
        assert not db.get_class(room.code).is_open
    assert classroom(url, "reopen", room.code.lower()).returncode == 0
    deleted = classroom(url, "delete", room.code)
    assert deleted.returncode == 0 and "1 students" in deleted.stdout
    with Store(url) as db:
        assert db.list_classes() == []


@pytest.mark.parametrize(
    ("args", "words"),
    [(["export", "NOPE7", "--out", "x.npz"], "NOPE7"), (["delete", "NOPE7"], "NOPE7"),
     (["create", ""], "empty"), (["create", "7B", "--capacity", "0"], "capacity"),
     (["export", "NOPE7", "--out", "x.csv"], ".npz"), ([], "ACTION")],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(url, args, words):
    assert_one_line_error(classroom(url, *args), words)


def test_an_unreachable_database_is_one_line_without_its_password():
    run = classroom("postgresql+psycopg://teacher:s3cret@127.0.0.1:1/studio", "list")
    assert_one_line_error(run, "not answering")
    assert "s3cret" not in run.stderr


@pytest.mark.parametrize("action", [[], ["create"], ["list"], ["export"], ["delete"]])
def test_every_classroom_command_explains_itself_with_help(url, action):
    run = classroom(url, *action, "--help")
    assert run.returncode == 0 and run.stdout.startswith("usage: python -m softmax classroom")
