"""softmax.lab_figures in both languages: every word of the lab's pictures (labels, tooltips,
legends, the strip's step names) comes from the catalogue, whole, with numbers in its form."""

from __future__ import annotations

import re

import numpy as np
import pytest
from visible_text import _english_words as english_in

from softmax import explain, lab_figures, preprocess
from softmax.counterfactual import smallest_flip
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier, shipped_path

EN, KO = Messages("en"), Messages("ko")


@pytest.fixture(scope="module")
def classifier() -> SoftmaxClassifier:
    return SoftmaxClassifier.load(shipped_path("default"))


@pytest.fixture(scope="module")
def seven() -> np.ndarray:
    x = np.zeros((28, 28), np.float32)
    x[6:9, 6:22] = 1.0
    x[9:23, 15:18] = 1.0
    return x


def test_the_contrast_map_names_each_part_whole_with_its_votes(classifier, seven):
    contrast = explain.contrast(classifier, seven, 7, 1)
    html = lab_figures.contrast_map(contrast, t=KO)
    tips = re.findall(r'title="([^"]+)"', html)
    assert [tip.rsplit(": ", 1)[0] for tip in tips] == [
        KO(f"why_not.part.{part}") for part in explain.PARTS
    ]
    votes = [tip.rsplit(": ", 1)[1] for tip in tips]
    assert votes == [explain.signed(v, KO).replace("-", "−") for v in contrast.parts.ravel()]
    assert 'aria-label="7 대 1' in html and "1 쪽" in html and "7 쪽" in html
    assert english_in(html) == []
    assert 'aria-label="Why 7 and not 1' in lab_figures.contrast_map(contrast, t=EN)


def test_the_change_overlay_and_the_edit_maps_in_korean(classifier, seven):
    flip = smallest_flip(classifier, seven, 1)
    html = lab_figures.change_overlay(flip, t=KO)
    assert KO("lab_figures.change.added") in html and KO("lab_figures.change.removed") in html
    assert english_in(html) == []
    maps = explain.weight_maps(classifier)[[7, 7]]
    pair = lab_figures.region_maps(maps, ["7", "7"], (8, 8, 20, 20), 0.5, "가중치 지도", t=KO)
    assert "<em>가중치</em>" in pair and "−0.50" in pair and "+0.50" in pair
    assert english_in(pair) == []


def test_the_strip_names_each_step_and_says_which_is_off():
    canvas = np.zeros((280, 280), np.float32)
    canvas[60:200, 120:150] = 1.0
    stages = preprocess.steps(canvas, crop=True, fit=False, centre=True, deskew=False)
    html = lab_figures.stage_strip(stages, t=KO)
    captions = re.findall(r"<figcaption>(.*?)<br>", html)
    names = [KO(f"lab_figures.stage.{stage.name}") for stage in stages]
    assert captions == [
        name if stage.on else KO("lab_figures.strip.off", name=name)
        for name, stage in zip(names, stages, strict=True)
    ]
    assert "20×20에 맞추기 (꺼짐)" in captions
    assert english_in(html) == []
