"""The message catalogues: complete in every language, well-formed, and formatted per language."""

from __future__ import annotations

import re
import string

import pytest

from softmax.i18n import DEFAULT, LANGUAGES, Messages, catalogue, negotiate

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {DEFAULT}))
def test_every_key_is_in_every_catalogue(lang):
    assert set(catalogue(lang)) == set(catalogue(DEFAULT))


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {DEFAULT}))
def test_a_translation_has_the_same_placeholders_as_the_english(lang):
    english = catalogue(DEFAULT)
    assert {
        key: placeholders(text)
        for key, text in catalogue(lang).items()
        if placeholders(text) != placeholders(english[key])
    } == {}


def test_every_korean_message_is_written_in_korean():
    """Code, numbers and names may stay as they are; every message with words has Hangul."""
    no_hangul = {
        key: text
        for key, text in catalogue("ko").items()
        if re.search(r"[A-Za-z]{4,}", _without_code(text)) and not HANGUL.search(text)
    }
    assert no_hangul == {}


def _without_code(text: str) -> str:
    return re.sub(r"`[^`]*`|\{[^}]*\}", "", text)


@pytest.mark.parametrize(
    ("asked", "lang"),
    [("ko", "ko"), ("ko-KR", "ko"), ("ko_KR", "ko"), ("en-GB", "en"), ("fr", "en"), (None, "en")],
)
def test_a_browser_locale_or_url_value_picks_the_closest_language(asked, lang):
    assert negotiate(asked) == lang


def test_numbers_and_percentages_follow_the_language():
    assert Messages("en").percent(0.956) == "96%"
    assert Messages("en").percent(0.956, 1) == "95.6%"
    assert Messages("ko").percent(0.956, 1) == "95.6%"
    assert Messages("en").number(7850) == "7,850"
    assert Messages("ko").number(0.5, 2) == "0.50"


def test_a_message_fills_its_placeholders():
    t = Messages("en")
    key = next(key for key, text in catalogue(DEFAULT).items() if placeholders(text))
    values = {name: "X" for name in placeholders(catalogue(DEFAULT)[key])}
    assert "{" not in t(key, **values)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="languages are en, ko"):
        Messages("fr")


def test_a_count_takes_the_languages_plural_form():
    assert Messages("en").plural("classroom.student_count", 1) == "1 student"
    assert Messages("en").plural("classroom.student_count", 1200) == "1,200 students"
    assert Messages("ko").plural("classroom.student_count", 1) == "학생 1명"
