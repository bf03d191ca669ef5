"""The studio's colours, each with one meaning, for the Altair charts and the HTML figures alike.

Blue is a vote for a digit, red a vote against, violet the model's answer. Signed maps (weights,
x ⊙ w evidence) use Vega's "redblue" scheme; `REDBLUE` holds its stops so that pictures made
without Vega (softmax.figures) colour each value exactly as the charts do.
"""

from __future__ import annotations

import numpy as np

ANSWER = "#7c3aed"  # violet: the predicted digit, distinct from the red/blue of the votes
OTHER = "#cbd5e1"  # slate: every other digit
FOR, AGAINST, BIAS = "#2563eb", "#dc2626", "#94a3b8"
INK = "#1e293b"  # text: darker than Streamlit's grey, which fades on a projector
DIVERGING = "redblue"  # Vega scheme: low (negative) red, high (positive) blue, white at 0
# Vega's "redblue", low to high: interpolated linearly in RGB, as Vega does.
REDBLUE = ("#8c0d25", "#bf363a", "#df745e", "#f4ae91", "#fbdbc9", "#f2efee",
           "#d2e5ef", "#9dcae1", "#5da2cb", "#2f78b3", "#134b85")  # fmt: skip
_STOPS = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in REDBLUE], dtype=np.float64)


def diverging(values: np.ndarray, limit: float) -> np.ndarray:
    """`values` as (..., 3) uint8 RGB on the red–blue scale [-limit, limit]; beyond it, clamped."""
    t = (np.asarray(values, dtype=np.float64) / max(float(limit), 1e-12) + 1) / 2  # 0 … 1
    position = np.clip(t, 0, 1) * (len(_STOPS) - 1)
    low = np.minimum(position.astype(int), len(_STOPS) - 2)
    weight = (position - low)[..., None]
    rgb = _STOPS[low] * (1 - weight) + _STOPS[low + 1] * weight
    return np.rint(rgb).astype(np.uint8)
