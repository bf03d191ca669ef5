"""Text that Streamlit must show exactly as written, inside Markdown.

Every `st.error`, `st.warning`, caption and image caption renders Markdown: a file name such as
`![x](https://example.org/p.png).png` would load a picture from anywhere, `:red[...]` would
colour it and `$...$` would set it as maths. `literal` wraps such text in a code span, inside
which Markdown (links, images, emphasis, Streamlit's directives, maths) means nothing.
"""

from __future__ import annotations

import re


def literal(text: str) -> str:
    """`text` as a Markdown code span: shown verbatim (in a code font), one line.

    The fence is one backtick longer than the longest run of backticks in `text`, so no backtick
    inside can close it; line breaks become spaces, as Markdown does inside a code span anyway.
    """
    text = " ".join(str(text).splitlines()) or " "
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padding = " " if text[0] in "` " or text[-1] in "` " else ""  # stripped again by Markdown
    return f"{fence}{padding}{text}{padding}{fence}"


def plain(text: str) -> str:
    """`text` as ordinary Markdown text, every punctuation mark escaped: shown as written, in the
    surrounding font (a class name in a heading), with no link, emphasis, directive or maths."""
    text = " ".join(str(text).splitlines())
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)
