"""softmax.snapshot: the input in a link (round trip, tampering, size, fuzz) and the slide PNG."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zlib
from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from softmax import snapshot
from softmax.drawn import drawn_digits, render_strokes
from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier, shipped_path
from softmax.preprocess import canvas_to_mnist
from softmax.snapshot import LinkError, decode_input, encode_input


@pytest.fixture(scope="session")
def digits() -> np.ndarray:
    """100 held-out drawings, as canvas_to_mnist makes them: what a page would put in a link."""
    return drawn_digits(100, seed=9, split="test")[0]


def forged(payload: bytes) -> str:
    """A token around any payload, with a correct checksum: gets past the damage check."""
    checksum = hashlib.blake2b(payload, digest_size=4, person=b"softmax-link").digest()
    return base64.urlsafe_b64encode(payload + checksum).rstrip(b"=").decode()


def deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


# --- the link ----------------------------------------------------------------------------------


def test_a_drawing_comes_back_from_its_link_within_half_a_grey_level(digits):
    for x in digits[:20]:
        back = decode_input(encode_input(x))
        assert back.shape == (28, 28) and back.dtype == np.float32
        assert np.abs(back - x).max() <= 0.5 / 255 + 1e-7


def test_an_mnist_digit_comes_back_exactly(mnist):
    (_, _), (x_test, _) = mnist
    for pixels in x_test[:50]:
        x = pixels.astype(np.float32) / 255
        np.testing.assert_array_equal(decode_input(encode_input(x)), x)


def test_a_4_bit_link_is_shorter_and_within_half_of_one_of_16_levels(digits):
    for x in digits[:20]:
        short, full = encode_input(x, bits=4), encode_input(x)
        assert len(short) < len(full)
        assert np.abs(decode_input(short) - x).max() <= 0.5 / 15 + 1e-7


def test_a_restored_drawing_gets_the_same_answer(digits):
    classifier = SoftmaxClassifier.load(shipped_path("drawn"))
    restored = np.stack([decode_input(encode_input(x)) for x in digits])
    before = classifier.predict_proba(classifier.prepare(digits))
    after = classifier.predict_proba(classifier.prepare(restored))
    np.testing.assert_array_equal(before.argmax(axis=1), after.argmax(axis=1))
    assert np.abs(before - after).max() < 0.01


def test_a_typical_drawing_makes_a_link_of_about_260_characters(digits):
    lengths = [len(encode_input(x)) for x in digits]
    assert np.median(lengths) < 300
    assert max(lengths) <= 450 < snapshot.MAX_TOKEN


def test_tokens_are_url_safe_as_they_are(digits):
    token = encode_input(digits[0])
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_blank_and_full_inputs_round_trip():
    for x in (np.zeros((28, 28)), np.ones((28, 28))):
        np.testing.assert_array_equal(decode_input(encode_input(x)), x)


def test_changing_any_character_of_a_link_is_caught(digits):
    token = encode_input(digits[3])
    for i in range(len(token)):
        other = "A" if token[i] != "A" else "B"
        with pytest.raises(LinkError):
            decode_input(token[:i] + other + token[i + 1 :])


@pytest.mark.parametrize("cut", [1, 2, 5, 40, 200])
def test_a_link_cut_short_is_caught(digits, cut):
    token = encode_input(digits[4])
    with pytest.raises(LinkError, match="damaged"):
        decode_input(token[:-cut])


@pytest.mark.parametrize(
    ("token", "named"),
    [
        ("", "empty"),
        ("A" * (snapshot.MAX_TOKEN + 1), "too long"),
        ("abc def", "characters"),
        ("abc+/", "characters"),  # standard base64, not base64url
        ("한글", "characters"),
        ("AAAA", "damaged"),
    ],
    ids=["empty", "too-long", "space", "plus-slash", "hangul", "tiny"],
)
def test_a_link_that_is_not_a_drawing_says_so(token, named):
    with pytest.raises(LinkError, match=named):
        decode_input(token)


def test_something_other_than_text_is_refused():
    with pytest.raises(LinkError, match="expected text"):
        decode_input(b"AQhj")  # type: ignore[arg-type]


def test_a_link_from_another_format_version_says_so():
    payload = bytes([2, 8]) + deflated(bytes(784))
    with pytest.raises(LinkError, match="another version"):
        decode_input(forged(payload))


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        (bytes([1, 5]) + deflated(bytes(490)), "depth"),
        (bytes([1, 8]) + deflated(bytes(783)), "28×28"),
        (bytes([1, 8]) + deflated(bytes(785)), "28×28"),
        (
            bytes([1, 8]) + deflated(bytes(500_000)),
            "28×28",
        ),  # 0.5 MB in 0.5 kB: inflating stops at 785
        (bytes([1, 8]) + deflated(bytes(784)) + b"extra", "28×28"),
        (bytes([1, 8]) + b"\xff\xfe not deflate", "unpack"),
        (bytes([1, 4]) + deflated(bytes(784)), "28×28"),  # 4 bits: 392 bytes, not 784
    ],
    ids=["bits-5", "short", "long", "bomb", "trailing", "garbage", "wrong-depth-size"],
)
def test_a_well_formed_link_with_bad_contents_is_caught(payload, named):
    with pytest.raises(LinkError, match=named):
        decode_input(forged(payload))


def test_every_link_error_is_a_value_error_with_a_sentence_for_the_page():
    with pytest.raises(ValueError) as caught:
        decode_input("not a link!")
    message = str(caught.value)
    assert message.startswith("This link") and message.endswith(".")
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("x", "bits", "named"),
    [
        (np.zeros((8, 8)), 8, r"\(8, 8\)"),
        (np.full((28, 28), 1.5), 8, r"\[0, 1\]"),
        (np.full((28, 28), np.nan), 8, r"\[0, 1\]"),
        (np.zeros((28, 28)), 6, "bits"),
    ],
    ids=["shape", "above-1", "nan", "bits"],
)
def test_encoding_refuses_what_a_link_cannot_hold(x, bits, named):
    with pytest.raises(ValueError, match=named):
        encode_input(x, bits)


def test_query_parameters_round_trip_and_are_absent_without_a_drawing(digits):
    params = snapshot.to_query(digits[5])
    assert list(params) == [snapshot.QUERY_KEY]
    np.testing.assert_allclose(snapshot.from_query(params), digits[5], atol=0.5 / 255 + 1e-7)
    assert snapshot.from_query({"page": "draw"}) is None
    listed = {snapshot.QUERY_KEY: ["garbage", params[snapshot.QUERY_KEY]]}  # the last one counts
    np.testing.assert_allclose(snapshot.from_query(listed), digits[5], atol=0.5 / 255 + 1e-7)
    with pytest.raises(LinkError):
        snapshot.from_query({snapshot.QUERY_KEY: "AAAA"})


unit_images = arrays(
    np.float64, (28, 28), elements=st.floats(0, 1, allow_nan=False, allow_subnormal=False)
)


@settings(max_examples=150, deadline=None)
@given(x=unit_images, bits=st.sampled_from(snapshot.BITS))
def test_fuzz_any_input_round_trips_within_half_a_level(x, bits):
    back = decode_input(encode_input(x, bits))
    assert np.abs(back - x).max() <= 0.5 / (2**bits - 1) + 1e-6


@settings(max_examples=200, deadline=None)
@given(token=st.text(max_size=600))
def test_fuzz_any_text_is_a_drawing_or_a_link_error(token):
    try:
        x = decode_input(token)
    except LinkError:
        return
    assert x.shape == (28, 28) and x.min() >= 0 and x.max() <= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.binary(max_size=900), version=st.integers(0, 255), bits=st.integers(0, 255))
def test_fuzz_any_payload_with_a_valid_checksum_is_a_drawing_or_a_link_error(body, version, bits):
    try:
        x = decode_input(forged(bytes([version, bits]) + body))
    except LinkError:
        return
    assert x.shape == (28, 28) and x.min() >= 0 and x.max() <= 1


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_fuzz_any_changed_character_of_a_real_link_is_caught(digits, data):
    token = encode_input(digits[data.draw(st.integers(0, len(digits) - 1))])
    i = data.draw(st.integers(0, len(token) - 1))
    character = data.draw(st.characters().filter(lambda c: c != token[i]))
    with pytest.raises(LinkError):
        decode_input(token[:i] + character + token[i + 1 :])


# --- the picture -------------------------------------------------------------------------------

PANEL, TOP = 364, 200  # the layout's panel size and top, as drawn by snapshot.render
DRAWING_AT, SEES_AT, MAP_AT, BARS_AT = 60, 464, 868, 1272


@pytest.fixture(scope="module")
def moment() -> snapshot.Moment:
    classifier = SoftmaxClassifier.load(shipped_path("drawn"))
    canvas = render_strokes([[(70, 60), (210, 60), (120, 240)]], width=20)
    x = classifier.prepare(canvas_to_mnist(canvas)[None])[0]
    moment = snapshot.Moment.of(classifier, x, "The tricky 7", drawing=canvas)
    return replace(moment, when=datetime(2025, 3, 4, 9, 30))


@pytest.fixture(scope="module")
def slide(moment) -> np.ndarray:
    png = snapshot.render_png(moment)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB")).astype(int)


def region(slide: np.ndarray, left: int, top: int, width: int, height: int) -> np.ndarray:
    return slide[top : top + height, left : left + width]


def has_dark_text(pixels: np.ndarray) -> bool:
    return bool((pixels.sum(axis=2) < 200).sum() > 50)


def test_the_slide_is_a_1600_by_900_png(moment):
    image = Image.open(io.BytesIO(snapshot.render_png(moment)))
    assert image.size == (1600, 900)


def test_the_title_and_date_are_written_at_the_top(slide):
    assert has_dark_text(region(slide, 60, 30, 600, 80))  # the title
    assert (region(slide, 1200, 50, 340, 40).sum(axis=2) < 600).sum() > 50  # the grey date


def test_the_drawing_panel_shows_white_ink_on_black(slide):
    pixels = region(slide, DRAWING_AT, TOP, PANEL, PANEL).mean(axis=2)
    assert (pixels < 10).mean() > 0.5  # mostly black canvas ...
    assert (pixels > 245).mean() > 0.05  # ... with white strokes


def test_the_model_input_panel_is_the_28x28_input_enlarged_exactly(slide, moment):
    pixels = region(slide, SEES_AT, TOP, PANEL, PANEL)[..., 0]
    centres = pixels[6::13, 6::13]  # the middle of each 13×13 square
    np.testing.assert_array_equal(centres, np.round(moment.x * 255).astype(int))


def test_the_explanation_map_has_red_and_blue_votes_and_a_legend(slide):
    pixels = region(slide, MAP_AT, TOP, PANEL, PANEL)
    red, blue = pixels[..., 0], pixels[..., 2]
    assert ((blue - red) > 60).sum() > 100  # votes for a
    assert ((red - blue) > 60).sum() > 100  # votes for b
    legend = region(slide, MAP_AT, TOP + PANEL + 14, PANEL, 14)
    assert (legend[:, 0, 0] > legend[:, 0, 2]).all()  # red at the left end
    assert (legend[:, -1, 2] > legend[:, -1, 0]).all()  # blue at the right


def test_the_predicted_digits_bar_is_drawn_in_the_answer_colour(slide, moment):
    digit = int(np.argmax(moment.probabilities))
    row = PANEL / 10
    bar = region(slide, BARS_AT + 34, int(TOP + row * digit + 10), 120, int(row) - 20)
    assert (np.abs(bar - np.array(snapshot.ANSWER)).sum(axis=2) < 10).mean() > 0.5


def test_the_sentence_is_written_under_the_panels(slide):
    assert has_dark_text(region(slide, 60, 630, 1480, 100))


def test_without_a_drawing_its_panel_says_so(moment):
    blank = replace(moment, drawing=None)
    pixels = np.asarray(snapshot.render(blank)).astype(int)
    panel = region(pixels, DRAWING_AT, TOP, PANEL, PANEL)
    assert (panel.mean(axis=2) > 200).mean() > 0.9  # a light box ...
    assert has_dark_text(panel) or (panel.sum(axis=2) < 450).sum() > 50  # ... with its words


def test_the_font_search_prefers_one_that_draws_hangul():
    font = snapshot.find_font()
    if font is None or ("nanum" not in str(font).lower() and "cjk" not in str(font).lower()):
        pytest.skip("no Hangul font installed: apt-get install fonts-nanum")
    fonts = snapshot._Fonts(font)
    assert not fonts._lacks("예") and not fonts._lacks("측")


def test_a_korean_slide_draws_hangul_not_empty_boxes(moment):
    font = snapshot.find_font()
    if font is None or ("nanum" not in str(font).lower() and "cjk" not in str(font).lower()):
        pytest.skip("no Hangul font installed: apt-get install fonts-nanum")
    title = {}
    for text in ("예측", "측예"):  # missing glyphs would draw the same two boxes both ways
        korean = replace(moment, title=text)
        title[text] = region(np.asarray(snapshot.render(korean)).astype(int), 60, 30, 200, 80)
    assert has_dark_text(title["예측"])
    assert not np.array_equal(title["예측"], title["측예"])


def test_characters_the_font_lacks_get_a_look_alike():
    nanum = snapshot.FONTS["nanum"][0]
    if not snapshot.Path(nanum).is_file():
        pytest.skip("fonts-nanum is not installed")
    assert snapshot._Fonts(snapshot.Path(nanum)).printable("9 − 4") == "9 - 4"
    dejavu = snapshot.Path(snapshot.FONTS["dejavu"][0])
    if dejavu.is_file():
        assert snapshot._Fonts(dejavu).printable("9 − 4") == "9 − 4"  # DejaVu has the minus


def test_the_font_is_configurable_and_a_missing_one_is_named(monkeypatch, tmp_path):
    dejavu = snapshot.FONTS["dejavu"][0]
    if snapshot.Path(dejavu).is_file():
        monkeypatch.setenv(snapshot.FONT_ENV, dejavu)
        assert snapshot.find_font() == snapshot.Path(dejavu)
    monkeypatch.setenv(snapshot.FONT_ENV, str(tmp_path / "none.ttf"))
    with pytest.raises(ValueError, match=r"none\.ttf"):
        snapshot.find_font()


def test_without_any_font_installed_pillows_own_font_is_used(monkeypatch, moment):
    monkeypatch.delenv(snapshot.FONT_ENV, raising=False)
    monkeypatch.setattr(snapshot, "FONTS", {"none": ("/no/such.ttf", "/no/such-bold.ttf")})
    assert snapshot.find_font() is None
    image = snapshot.render(moment)
    assert image.size == (1600, 900)
    assert has_dark_text(region(np.asarray(image).astype(int), 60, 30, 600, 80))


# --- in Korean ---------------------------------------------------------------------------------

KO = Messages("ko")
HANGUL = re.compile(r"[가-힣]")


@pytest.mark.parametrize(
    "token",
    ["", "A" * (snapshot.MAX_TOKEN + 1), "abc def", "AAAA", forged(bytes([2, 8]) + deflated(b""))],
    ids=["empty", "too-long", "characters", "cut", "other-version"],
)
def test_a_link_error_says_why_in_korean_too(token):
    with pytest.raises(LinkError) as caught:
        decode_input(token)
    said = caught.value.in_words(KO)
    assert HANGUL.search(said) and not re.search(r"[A-Za-z]{2,}", said)
    assert str(caught.value).startswith("This link")  # the English, for logs and the CLI


@pytest.fixture(scope="module")
def korean_moment(moment) -> snapshot.Moment:
    classifier = SoftmaxClassifier.load(shipped_path("drawn"))
    korean = snapshot.Moment.of(classifier, moment.x, "까다로운 7", drawing=moment.drawing, t=KO)
    return replace(korean, when=moment.when)


def test_the_korean_sentence_has_the_english_ones_numbers(moment, korean_moment):
    assert HANGUL.search(korean_moment.sentence)
    assert not re.search(r"[A-Za-z]{2,}", korean_moment.sentence)
    numbers = re.compile(r"[+−-]?\d+(?:\.\d+)?%?")
    assert sorted(numbers.findall(korean_moment.sentence)) == sorted(
        numbers.findall(moment.sentence)
    )
    assert korean_moment.explanation_title.startswith(f"{moment.legend[0].split()[-1]} 말고")


def test_a_korean_slide_titles_its_panels_in_korean_and_its_font_draws_every_character(
    moment, korean_moment
):
    font = snapshot.find_font()
    if font is None or ("nanum" not in str(font).lower() and "cjk" not in str(font).lower()):
        pytest.skip("no Hangul font installed: apt-get install fonts-nanum")
    english = np.asarray(snapshot.render(moment)).astype(int)
    korean = np.asarray(snapshot.render(korean_moment, KO)).astype(int)
    titles = region(korean, 60, 146, 1480, 36)
    assert has_dark_text(titles) and not np.array_equal(titles, region(english, 60, 146, 1480, 36))
    fonts = snapshot._Fonts(font)
    written = "".join(
        [KO(f"snapshot.picture.{key}") for key in ("drawing", "no_drawing", "sees")]
        + [korean_moment.explanation_title, korean_moment.sentence, *korean_moment.legend]
    )
    tofu = {c for c in fonts.printable(written) if not c.isspace() and fonts._lacks(c)}
    assert tofu == set()
