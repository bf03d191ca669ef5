"""The notebook walkthrough through AppTest: each step on MNIST and on the 8×8 digits, in English
and in Korean."""

from __future__ import annotations

import pytest
from conftest import needs_mnist
from streamlit.testing.v1 import AppTest
from visible_text import english_left

from softmax.ui import state
from softmax.ui.language import LANG_KEY
from softmax.ui.walkthrough import digits_softmax


def page() -> None:
    from softmax.ui import walkthrough

    walkthrough.render()


def open_lesson(
    dataset: str | None = None, sample: int | None = None, lang: str | None = None
) -> AppTest:
    at = AppTest.from_function(page, default_timeout=60)
    if lang is not None:
        at.query_params["lang"] = lang
    at.run()
    if dataset is not None:
        at.radio(key="walkthrough_dataset").set_value(dataset).run()
    if sample is not None:
        at.number_input(key="walkthrough_sample").set_value(sample).run()
    assert not at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


@pytest.fixture(scope="module")
def mnist_lesson(mnist) -> AppTest:
    return open_lesson("mnist")


@needs_mnist
def test_the_model_step_counts_7850_parameters(mnist_lesson):
    assert metrics(mnist_lesson)["Parameters"] == "7,850"


@needs_mnist
def test_the_data_step_shows_the_notebooks_shapes(mnist_lesson):
    shapes = mnist_lesson.table[0].value.set_index("array")["shape"]
    assert shapes["`x_train`"] == "(60,000, 28, 28)"
    assert shapes["`x_test`"] == "(10,000, 28, 28)"


@needs_mnist
def test_the_chosen_sample_is_followed_with_its_label_and_one_hot_vector(mnist):
    (_, y_train), _ = mnist
    at = open_lesson("mnist", sample=7)
    label = int(y_train[7])
    assert metrics(at)["Label"] == str(label)
    digits = [str(digit) for digit in range(10)]
    one_hot = next(t.value for t in at.table if list(t.value.columns) == digits)
    assert one_hot.iloc[0].tolist() == [int(digit == label) for digit in range(10)]


@needs_mnist
def test_the_recipe_step_shows_the_notebooks_code_and_result(mnist_lesson):
    code = "\n".join(block.value for block in mnist_lesson.code)
    assert 'optimizer="sgd"' in code and "batch_size=2048, epochs=100" in code
    assert metrics(mnist_lesson)["Notebook's test accuracy"] == "≈ 0.89"


def test_the_8x8_lesson_has_64_inputs_and_650_parameters():
    at = open_lesson("digits")
    assert metrics(at)["Parameters"] == "650"
    assert any("(1,437, 8, 8)" in str(frame.value) for frame in at.table)


def test_the_8x8_lesson_shows_weights_fitted_to_those_digits():
    at = open_lesson("digits")
    assert any("fitted to the 8×8 digits" in block.value for block in at.markdown)


def test_without_mnist_the_lesson_runs_on_the_8x8_digits_and_says_how_to_get_mnist(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("SOFTMAX_MNIST", str(tmp_path / "missing.npz"))
    at = open_lesson()
    assert at.radio(key="walkthrough_dataset").value == "digits"
    assert metrics(at)["Parameters"] == "650"
    at.radio(key="walkthrough_dataset").set_value("mnist").run()
    assert not at.exception
    assert "SOFTMAX_MNIST" in at.info[0].value


@pytest.mark.slow
def test_without_mnist_the_lesson_offers_it_and_switches_to_it_once_fetched(mnist_to_fetch):
    at = open_lesson()
    assert at.radio(key="walkthrough_dataset").value == "digits"
    at.button(key="walkthrough_get_mnist").click().run()
    assert not at.exception
    assert mnist_to_fetch.is_file()
    assert at.radio(key="walkthrough_dataset").value == "mnist"
    assert metrics(at)["Parameters"] == "7,850"


@needs_mnist
def test_every_step_on_mnist_speaks_korean(mnist):
    at = open_lesson("mnist", sample=3, lang="ko")
    assert english_left(at) == []
    assert at.header[0].value == "1 · 데이터 불러오기"
    assert len(at.header) == 8
    assert metrics(at)["파라미터 수"] == "7,850"
    assert metrics(at)["노트북의 테스트 정확도"] == "≈ 0.89"
    assert any("원-핫 인코딩" in header.value for header in at.header)


def test_every_step_on_the_8x8_digits_speaks_korean():
    at = open_lesson("digits", lang="ko")
    assert english_left(at) == []
    assert len(at.header) == 8
    assert metrics(at)["파라미터 수"] == "650"
    code = "\n".join(block.value for block in at.code)
    assert "# 이미지 1,797개, 픽셀 값 0–16" in code  # the code stays code, its comments Korean
    assert any("`scikit-learn`(L-BFGS)" in block.value for block in at.markdown)


def test_without_mnist_the_korean_lesson_says_how_to_get_it_in_korean(monkeypatch, tmp_path):
    monkeypatch.setenv("SOFTMAX_MNIST", str(tmp_path / "missing.npz"))
    at = open_lesson(lang="ko")
    assert at.radio(key="walkthrough_dataset").value == "digits"
    assert english_left(at) == []
    at.radio(key="walkthrough_dataset").set_value("mnist").run()
    assert not at.exception
    assert english_left(at) == []
    assert "`SOFTMAX_MNIST`" in at.info[0].value and "MNIST를 쓸 수 없습니다" in at.info[0].value
    assert "missing.npz" in at.expander[0].code[0].value  # the loader's error, as a log line


def test_switching_language_keeps_the_data_set_and_the_image_followed():
    at = open_lesson("digits", sample=12, lang="en")
    label = metrics(at)["Label"]
    at.query_params["lang"] = "ko"
    at.run()
    assert not at.exception
    assert at.session_state[LANG_KEY] == "ko"
    assert at.radio(key="walkthrough_dataset").value == "digits"
    assert at.number_input(key="walkthrough_sample").value == 12
    assert metrics(at)["레이블"] == label
    assert english_left(at) == []


@needs_mnist
def test_a_model_trained_on_the_8x8_digits_is_named_in_korean_in_both_lessons():
    at = AppTest.from_function(page, default_timeout=60)
    at.query_params["lang"] = "ko"
    at.session_state[state.TRAINED_KEY] = digits_softmax()
    at.session_state[state.CHOICE_KEY] = state.SESSION
    at.run()
    at.radio(key="walkthrough_dataset").set_value("mnist").run()
    assert at.info[0].value.startswith("사이드바에서 고른 모델은 8×8 이미지를 읽습니다.")
    assert english_left(at) == []
    at.radio(key="walkthrough_dataset").set_value("digits").run()
    assert any(block.value.startswith("학습 페이지에서 직접 학습한") for block in at.markdown)
    assert english_left(at) == []
