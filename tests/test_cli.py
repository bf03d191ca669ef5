"""`python -m softmax` as a user runs it: in a subprocess, reading only its output and exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_mnist
from PIL import Image

from softmax.drawn import drawings as held_out_drawings
from softmax.drawn import render_strokes
from softmax.model import SoftmaxClassifier, default_path, shipped_path
from softmax.preprocess import canvas_to_mnist

ROOT = Path(__file__).resolve().parents[1]
ONE = [[(140, 40), (140, 240)]]  # one vertical stroke on the 280 canvas
SEVEN = [[(80, 50), (200, 50), (120, 240)]]


def softmax_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "softmax", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_one_line_error(run: subprocess.CompletedProcess, *words: str) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    for word in words:
        assert word in lines[0]


@pytest.fixture(scope="module")
def drawings(tmp_path_factory) -> dict[str, Path]:
    """PNG files as a user would have them: a 1, a 7 (canvas-like), a blank and a text file."""
    folder = tmp_path_factory.mktemp("images")
    paths = {name: folder / f"{name}.png" for name in ("one", "seven", "blank", "text")}
    Image.fromarray(render_strokes(ONE, width=20)).save(paths["one"])
    Image.fromarray(render_strokes(SEVEN, width=20)).save(paths["seven"])
    Image.fromarray(np.zeros((280, 280), dtype=np.uint8)).save(paths["blank"])
    paths["text"].write_text("not a picture\n")
    return paths


@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["predict"], ["bench"]])
def test_every_command_explains_itself_with_help(command):
    run = softmax_cli(*command, "--help")
    assert run.returncode == 0 and run.stdout.startswith("usage: python -m softmax")


def test_predict_json_lists_every_image_in_input_order(drawings):
    run = softmax_cli("predict", "--json", drawings["seven"], drawings["one"])
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert [r["path"] for r in results] == [str(drawings["seven"]), str(drawings["one"])]
    assert all(set(r) == {"path", "digit", "probabilities"} for r in results)
    assert [r["digit"] for r in results] == [7, 1]
    assert all(len(r["probabilities"]) == 10 for r in results)
    assert sum(results[0]["probabilities"]) == pytest.approx(1, abs=1e-4)


def test_predict_prints_the_digit_and_its_confidence(drawings):
    run = softmax_cli("predict", drawings["one"])
    assert run.returncode == 0, run.stderr
    path, _, answer = run.stdout.strip().rpartition(": ")
    assert path == str(drawings["one"])
    assert answer.startswith("1 (") and answer.endswith("%)")


def test_predict_with_the_deskew_model_reads_the_drawing_too(drawings):
    model = ROOT / "softmax" / "assets" / "deskew.npz"
    run = softmax_cli("predict", "--json", "--model", model, drawings["one"])
    assert json.loads(run.stdout)[0]["digit"] == 1


def test_predict_without_a_model_gives_the_default_models_reading_of_the_canvas(drawings):
    run = softmax_cli("predict", "--json", drawings["seven"])
    assert run.returncode == 0, run.stderr
    default = SoftmaxClassifier.load()
    canvas = render_strokes(SEVEN, width=20)
    expected = default.predict(canvas_to_mnist(canvas, deskew=default.deskew))
    [result] = json.loads(run.stdout)
    assert result["digit"] == expected.digit
    np.testing.assert_allclose(result["probabilities"], expected.probabilities, atol=1e-6)


def test_predict_reads_held_out_drawings_exactly_as_the_app_does(tmp_path):
    """The floor: canvas-like PNGs through `predict` (no --model) read as well as through the
    app's own path (canvas_to_mnist and the app's default model): the same answer for each."""
    drawn = list(held_out_drawings(100, split="test"))
    paths = []
    for i, drawing in enumerate(drawn):
        paths.append(tmp_path / f"{i:03d}.png")
        Image.fromarray(drawing.canvas()).save(paths[-1])
    run = softmax_cli("predict", "--json", *paths)
    assert run.returncode == 0, run.stderr
    by_cli = [result["digit"] for result in json.loads(run.stdout)]
    app = SoftmaxClassifier.load(default_path())
    by_app = [app.predict(canvas_to_mnist(d.canvas(), deskew=app.deskew)).digit for d in drawn]
    assert by_cli == by_app
    labels = [drawing.digit for drawing in drawn]
    assert np.mean(np.equal(by_cli, labels)) >= np.mean(np.equal(by_app, labels))


def test_a_model_whose_scores_overflow_is_one_line_and_exit_2_never_nan(drawings, tmp_path):
    huge = tmp_path / "huge.npz"
    np.savez(huge, weights=np.full((784, 10), 3e38, np.float32), bias=np.zeros(10, np.float32))
    for command in (["predict", "--json", drawings["one"]], ["evaluate", "--json"]):
        assert_one_line_error(softmax_cli(*command, "--model", huge), "scores overflow")


def test_predict_refuses_an_8x8_model_in_one_line(drawings, tmp_path):
    small = tmp_path / "small.npz"
    SoftmaxClassifier(np.zeros((64, 10)), np.zeros(10)).save(small)
    assert_one_line_error(softmax_cli("predict", "--model", small, drawings["one"]), "8×8")


def test_a_missing_image_is_one_line_and_exit_2(drawings):
    assert_one_line_error(softmax_cli("predict", drawings["one"], "/no/such.png"), "/no/such.png")


def test_a_file_that_is_not_an_image_is_one_line_and_exit_2(drawings):
    assert_one_line_error(softmax_cli("predict", drawings["text"]), "not an image")


def test_an_empty_image_is_one_line_and_exit_2(drawings):
    assert_one_line_error(softmax_cli("predict", drawings["blank"]), "no ink")


def test_a_corrupt_model_is_one_line_and_exit_2(drawings, tmp_path):
    corrupt = tmp_path / "model.npz"
    corrupt.write_bytes(b"PK\x03\x04" + bytes(100))
    assert_one_line_error(softmax_cli("predict", "--model", corrupt, drawings["one"]), "model.npz")
    assert_one_line_error(softmax_cli("evaluate", "--model", corrupt), "model.npz")


def test_an_unknown_recipe_is_one_line_and_exit_2():
    assert_one_line_error(softmax_cli("train", "--recipe", "fast"), "fast")


@pytest.mark.parametrize(
    "option", [["--epochs", "0"], ["--epochs", "ten"], ["--learning-rate", "-1"]]
)
def test_a_bad_number_is_one_line_and_exit_2(option):
    assert_one_line_error(softmax_cli("train", *option), option[0].lstrip("-").replace("-", "_"))


def test_wrongly_shaped_data_is_one_line_and_exit_2(tmp_path):
    data = tmp_path / "mnist.npz"
    np.savez(data, x_train=np.zeros((5, 28, 28), np.uint8))
    assert_one_line_error(softmax_cli("train", "--data", data), "lacks y_train")


def test_a_missing_command_is_one_line_and_exit_2():
    assert_one_line_error(softmax_cli(), "COMMAND")


def test_predict_and_evaluate_never_import_tensorflow(drawings):
    code = (
        "import sys\n"
        "from softmax.cli import main\n"
        f"main(['predict', {str(drawings['one'])!r}])\n"
        "main(['evaluate'])  # the whole evaluation when MNIST is reachable\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.stdout.splitlines()[-1] == "False False"


@needs_mnist
@pytest.mark.slow
def test_evaluate_json_has_a_confusion_matrix_of_all_10000_test_digits():
    run = softmax_cli("evaluate", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    confusion = np.array(report["confusion_matrix"])
    assert confusion.shape == (10, 10) and confusion.sum() == 10000
    assert report["accuracy"] == pytest.approx(np.trace(confusion) / 10000)
    assert len(report["per_class_accuracy"]) == 10


@needs_mnist
def test_evaluate_without_a_model_scores_the_default_model():
    run = softmax_cli("evaluate", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["model"] == str(default_path())


@needs_mnist
@pytest.mark.slow
def test_evaluate_prints_a_table_with_a_row_per_digit():
    run = softmax_cli("evaluate", "--model", ROOT / "softmax" / "assets" / "deskew.npz")
    assert run.returncode == 0, run.stderr
    rows = [line.split() for line in run.stdout.splitlines()[-10:]]
    assert [int(row[0]) for row in rows] == list(range(10))
    assert sum(int(count) for row in rows for count in row[2:]) == 10000


@needs_mnist
@pytest.mark.slow
def test_train_ends_with_the_test_accuracy_and_saves_a_loadable_model(tmp_path):
    out = tmp_path / "model.npz"
    run = softmax_cli("train", "--epochs", "1", "--verbose", "0", "--out", out)
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith("test_accuracy=0.") and len(last) == len("test_accuracy=0.xxxx")
    model = SoftmaxClassifier.load(out)
    assert f"{model.metadata['test_accuracy']:.4f}" == last.split("=")[1]
    assert model.metadata["epochs_run"] == 1


@pytest.mark.slow
def test_bench_json_times_the_app_path_against_keras():
    run = softmax_cli("bench", "--json", "--runs", "5", "--no-train")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    for key in ("preprocess", "predict", "end_to_end", "keras_predict", "keras_call"):
        assert report[key]["runs"] == 5 and report[key]["p50_ms"] > 0
    assert report["ratio"] == pytest.approx(
        report["keras_predict"]["p50_ms"] / report["end_to_end"]["p50_ms"]
    )
    assert report["train_seconds"] is None and report["train_note"].startswith("skipped")


@pytest.mark.slow
def test_bench_times_the_model_it_is_given_with_that_models_preprocessing():
    run = softmax_cli(
        "bench", "--json", "--runs", "5", "--no-train", "--model", str(shipped_path("drawn"))
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["model"] == "drawn (inputs deskewed)"
