"""Every sentence the studio shows, in English and in Korean: keyed message catalogues.

A language's catalogue is the TOML files in `softmax/locales/<lang>/`, one per part of the app
(`draw.toml`, `train.toml`, ...); a message's key is the file's name, a dot and the key inside it
(`draw.title`). Messages are whole sentences with named `{placeholders}`, never fragments glued
together, so each language can order its words as it needs. `Messages(lang)` looks them up and
formats numbers for the language (Babel's CLDR data: grouping, decimal mark, percent sign).

The CLI speaks English only and does not use this module; neither does anything that imports
Streamlit (softmax/ui/language.py picks the session's language).
"""

from __future__ import annotations

import functools
import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal, format_percent

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = {"en": "English", "ko": "한국어"}  # code -> the language's own name, for the switch
DEFAULT = "en"
LOG = logging.getLogger(__name__)


class CatalogueError(ValueError):
    """A catalogue file is unreadable or holds something other than strings."""


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every message of `lang`, by dotted key; read once per process."""
    if lang not in LANGUAGES:
        raise ValueError(f"languages are {', '.join(LANGUAGES)}; got {lang!r}")
    messages: dict[str, str] = {}
    for path in sorted((LOCALES / lang).glob("*.toml")):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise CatalogueError(f"cannot read {path}: {error}") from error
        _flatten(table, path.stem, messages, path)
    return messages


def negotiate(preferred: str | None) -> str:
    """The supported language closest to a browser locale or a `?lang=` value ("ko-KR" -> "ko");
    DEFAULT for anything else."""
    code = (preferred or "").replace("_", "-").split("-")[0].strip().lower()
    return code if code in LANGUAGES else DEFAULT


@dataclass(frozen=True)
class Messages:
    """The messages and number formats of one language: `t = Messages("ko"); t("draw.title")`."""

    lang: str = DEFAULT

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"languages are {', '.join(LANGUAGES)}; got {self.lang!r}")

    def __call__(self, key: str, **values: object) -> str:
        """The message `key`, its `{placeholders}` filled from `values`.

        A key missing from this language falls back to English (and is logged); a key missing
        from both is a KeyError: a programming error the catalogue tests catch.
        """
        text = catalogue(self.lang).get(key)
        if text is None:
            LOG.warning("message %r missing in %s; showing English", key, self.lang)
            text = catalogue(DEFAULT)[key]
        return text.format(**values) if values else text

    def plural(self, key: str, n: int, **values: object) -> str:
        """The message `key.one` or `key.other` (the language's plural rule for `n`, from CLDR),
        with `{n}` filled by `n` in this language's digits: "1 drawing", "3 drawings", "그림 3개"."""
        form = Locale.parse(self.lang).plural_form(n)
        chosen = f"{key}.{form}" if f"{key}.{form}" in catalogue(DEFAULT) else f"{key}.other"
        return self(chosen, n=self.number(n), **values)

    def percent(self, share: float, decimals: int = 0) -> str:
        """`share` (0.956) as a percentage in this language (96%, or 95.6% with 1 decimal)."""
        pattern = "#,##0%" if decimals == 0 else f"#,##0.{'0' * decimals}%"
        return format_percent(share, pattern, locale=self.lang)

    def number(self, value: float, decimals: int | None = None) -> str:
        """A number with this language's grouping and decimal mark; `decimals` fixes the digits."""
        if decimals is None:
            return format_decimal(value, locale=self.lang)
        pattern = "#,##0" if decimals == 0 else f"#,##0.{'0' * decimals}"
        return format_decimal(value, pattern, locale=self.lang)


def _flatten(table: dict, prefix: str, into: dict[str, str], path: Path) -> None:
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, dict):
            _flatten(value, key, into, path)
        elif isinstance(value, str):
            into[key] = value
        else:
            raise CatalogueError(f"{path}: {key} must be a string, got {type(value).__name__}")
