"""What a page shows a person, read back from an AppTest run, and the English left in it.

`visible_text(at)` collects every string a visitor reads: markdown and captions, titles, widget
labels, help and options, metric labels and values, alerts, expander and tab labels, the text of
`st.html` figures, chart titles and axis titles, image captions. `english_left(at)` keeps the
pieces that still hold an English word once code (backticks, <code>), numbers, URLs and the names
in NAMES are taken out: on a page rendered in Korean it must be empty.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator

import pandas
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

# Proto fields whose strings a visitor reads (others are ids, keys, URLs, styles, data).
READ_FIELDS = {
    "body",
    "label",
    "help",
    "placeholder",
    "caption",
    "captions",
    "title",
    "delta",
    "options",
    "text",
    "value",
    "default",
    "description",
}

# Names and code that stay as they are in every language. Add only a proper name, a unit or a
# term of code a Korean lesson writes in Latin letters too, never an English word of a sentence.
NAMES = {
    "MNIST", "Keras", "TensorFlow", "NumPy", "numpy", "softmax", "Softmax", "SGD", "Adam",
    "PNG", "JPEG", "WebP", "GIF", "BMP", "CSV", "npz", "QR", "URL", "PostgreSQL", "SQLite",
    "UCI", "XLA", "ReLU", "argmax", "logit", "logits", "Dense", "Flatten", "one_hot",
    "float32", "uint8", "Enter", "KB", "MB", "ms", "px",
    "BFGS",
    "AdamW", "Nadam", "Adamax", "RMSprop", "Adagrad", "Adadelta", "Lion",
}  # fmt: skip

WORD = re.compile(r"[A-Za-z][A-Za-z']+")
CODE = re.compile(r"`[^`]*`|<code>.*?</code>|<pre>.*?</pre>", re.S)
URL = re.compile(r"https?://\S+|\b[\w.-]+\.(?:py|npz|csv|png|toml|db)\b|/[a-z_-]+\?\S*")
TAG = re.compile(r"<(style|script)\b.*?</\1>|<[^>]+>", re.S)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
MATERIAL_ICON = re.compile(r":material/[a-z_]+:")


def visible_text(at: AppTest) -> list[str]:
    """Every string the page shows, in page order."""
    texts: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if getattr(node, "type", None) in {"table", "dataframe", "arrow_data_frame"}:
            texts.extend(_table_text(node.value))
        elif isinstance(proto, Message):
            texts.extend(_strings(proto))
    return [text for text in texts if text.strip()]


def english_left(at: AppTest, data: Iterable[str] = ()) -> list[str]:
    """The page's texts that still hold an English word (code, numbers, URLs and NAMES aside).

    `data`: strings the page shows as the store made them or a person typed them, which no
    catalogue translates (a class's join code, an example code): taken out before looking."""
    data = sorted({item for item in data if item}, key=len, reverse=True)
    return [text for text in visible_text(at) if _english_words(_without(text, data))]


def _without(text: str, data: list[str]) -> str:
    for item in data:
        text = text.replace(item, " ")
    return text


def _english_words(text: str) -> list[str]:
    text = html.unescape(TAG.sub(" ", CODE.sub(" ", text)))
    text = MATERIAL_ICON.sub(" ", URL.sub(" ", LINK_TARGET.sub("]", text)))
    return [word for word in WORD.findall(text) if word not in NAMES]


def _strings(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        name = field.name
        if field.type == field.TYPE_MESSAGE:
            for item in value if field.is_repeated else [value]:
                yield from _strings(item)
        elif name == "spec" and isinstance(value, str):
            yield from _chart_titles(json.loads(value))
        elif field.type == field.TYPE_STRING and name in READ_FIELDS:
            yield from value if field.is_repeated else [value]


def _table_text(table: pandas.DataFrame) -> Iterator[str]:
    """A table's column names and its cells that are text."""
    yield from (str(name) for name in table.columns)
    for column in table.columns:
        yield from (cell for cell in table[column] if isinstance(cell, str))


def _chart_titles(spec: object) -> Iterator[str]:
    """Titles and text marks of a Vega-Lite spec (its field names are code, not read)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in {"title", "text"} and isinstance(value, str):
                yield value
            elif key == "title" and isinstance(value, list):
                yield from (line for line in value if isinstance(line, str))
            elif key != "datasets":
                yield from _chart_titles(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _chart_titles(item)
