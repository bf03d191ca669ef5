"""The upload page through AppTest: a photographed digit is read like a drawing; junk is refused.

AppTest cannot fill a file uploader, so the tests call `show_upload(bytes, name)`, the function
the page hands the uploaded file's bytes to.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from tests.visible_text import english_left


def upload_page(data: bytes, name: str) -> None:
    from softmax.ui import upload

    upload.show_upload(data, name)


def empty_page() -> None:
    from softmax.ui import upload

    upload.render()


def shown(data: bytes, name: str = "digit.png") -> AppTest:
    at = AppTest.from_function(upload_page, args=(data, name), default_timeout=30).run()
    assert not at.exception
    return at


def photo(draw_ink, fmt: str = "PNG") -> bytes:
    """A 'photo' of paper (slightly grey, 600×800) with dark ink drawn by `draw_ink`."""
    image = Image.new("RGB", (600, 800), (236, 233, 225))
    draw_ink(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_photo_of_a_one_is_predicted_as_1(fmt):
    data = photo(lambda pen: pen.line([(310, 120), (290, 680)], fill=(30, 30, 40), width=45), fmt)
    prediction = next(m for m in shown(data).metric if m.label == "Prediction")
    assert prediction.value == "1"


def test_the_page_shows_the_28x28_input_the_model_reads():
    data = photo(lambda pen: pen.ellipse([(180, 150), (420, 650)], outline=(20, 20, 20), width=40))
    charts = shown(data).get("vega_lite_chart")
    sizes = [
        len(dataframe_util.convert_arrow_bytes_to_pandas_df(c.proto.datasets[0].data.data))
        for c in charts
        if c.proto.datasets
    ]
    assert 28 * 28 in sizes


def test_bytes_that_are_not_an_image_give_an_error_not_a_traceback():
    at = shown(b"%PDF-1.4 this is not a picture", "notes.pdf")
    assert "not an image" in at.error[0].value
    assert not at.metric


def test_a_blank_page_is_reported_as_no_digit():
    at = shown(photo(lambda pen: None))
    assert "No digit found" in at.warning[0].value
    assert not at.metric


def test_before_an_upload_the_page_asks_for_one():
    at = AppTest.from_function(empty_page, default_timeout=30).run()
    assert not at.exception
    assert at.info[0].value.startswith("No picture yet")


TRAP = "![x](http://127.0.0.1:9/spy.png) :red[**loud**] $x^2$ `tick`.png"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (photo(lambda pen: None), "warning"),  # nothing drawn
        (b"not a picture at all", "error"),
        (
            photo(lambda pen: pen.line([(310, 120), (290, 680)], fill=(30, 30, 40), width=45)),
            "caption",
        ),
    ],
    ids=["blank", "junk", "photo"],
)
def test_a_file_name_is_shown_as_written_never_as_markdown(data, where):
    """In a code span (its fence longer than any backtick run in the name) Markdown's links,
    images, emphasis, colours and maths are plain text; the e2e test checks nothing loads."""
    at = shown(data, TRAP)
    if where == "caption":
        texts = [caption for image in at.get("image") for caption in image.captions]
    else:
        texts = [element.value for element in at.get(where)]
    assert any(f"``{TRAP}``" in text for text in texts), texts


# --- in Korean ------------------------------------------------------------------------------------

ONE = photo(lambda pen: pen.line([(310, 120), (290, 680)], fill=(30, 30, 40), width=45))


def shown_in_korean(data: bytes, name: str = "digit.png") -> AppTest:
    at = AppTest.from_function(upload_page, args=(data, name), default_timeout=30)
    at.query_params["lang"] = "ko"
    at.run()
    assert not at.exception
    return at


def test_in_korean_an_upload_is_read_with_no_english_left():
    at = shown_in_korean(ONE)
    assert [m.value for m in at.metric if m.label == "예측"] == ["1"]
    assert english_left(at) == []


def test_in_korean_a_file_that_is_not_an_image_is_refused_in_korean():
    at = shown_in_korean(b"%PDF-1.4 this is not a picture", "notes.pdf")
    assert "파일을 쓸 수 없습니다" in at.error[0].value
    assert "``notes.pdf``" in at.error[0].value or "`notes.pdf`" in at.error[0].value
    assert not at.metric
    assert english_left(at) == []


def test_in_korean_a_blank_page_is_reported_in_korean():
    at = shown_in_korean(photo(lambda pen: None))
    assert "숫자를 찾지 못했습니다" in at.warning[0].value
    assert english_left(at) == []


def test_in_korean_before_an_upload_the_page_asks_for_one_in_korean():
    at = AppTest.from_function(empty_page, default_timeout=30)
    at.query_params["lang"] = "ko"
    at.run()
    assert not at.exception
    assert at.title[0].value == "숫자 사진 올리기"
    assert english_left(at) == []


@pytest.mark.parametrize(
    ("reason", "values", "words"),
    [
        ("too_big", {"limit": 10.0}, "10 MB"),
        ("too_many_pixels", {"width": 9000, "height": 6000, "limit": 40.0}, "9000×6000"),
        ("too_costly", {}, "메모리"),
        ("other", {}, "숫자로 읽을 수 없습니다"),
    ],
)
def test_every_reason_a_file_is_refused_has_korean_words(reason, values, words):
    from softmax.i18n import Messages
    from softmax.preprocess import ImageError
    from softmax.ui import upload

    said = upload._reason(ImageError("English for the log", reason, **values), Messages("ko"))
    assert words in said and english_left_of(said) == []


def english_left_of(text: str) -> list[str]:
    from tests.visible_text import _english_words

    return _english_words(text)
