"""Why a softmax says what it says: its weights as pictures and a logit split into votes.

A softmax scores digit k with one dot product, logit_k = b_k + Σ_i x_i·w_ik, so every score is a
sum of 784 per-pixel votes plus a bias. `weight_maps` shows w_k as a 28×28 picture, `evidence`
shows the votes x ⊙ w_k for one drawing, and `decompose_logits` adds the votes up into what was
for (positive) and against (negative) each digit. `contrast` answers "why A and not B": the gap
logit_A − logit_B is exactly Σ_i x_i·(w_iA − w_iB) + (b_A − b_B), so the map (w_A − w_B) ⊙ x shows
every pixel's share of it, and `contrast_in_words` says which part of the drawing decides.
numpy only: charts live in `softmax.charts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from softmax.i18n import Messages
from softmax.model import SoftmaxClassifier

ENGLISH = Messages("en")  # words when a caller passes no `t` (the CLI, tests)


@dataclass(frozen=True)
class LogitDecomposition:
    """logit_k = bias_k + positive_k + negative_k for every class k.

    `positive` sums the pixel votes x_i·w_ik > 0 (ink where digit k likes ink), `negative` the
    votes < 0 (ink where digit k expects none); blank pixels (x_i = 0) cast no vote.
    """

    bias: np.ndarray  # (10,) b
    positive: np.ndarray  # (10,) Σ_i max(x_i·w_ik, 0)
    negative: np.ndarray  # (10,) Σ_i min(x_i·w_ik, 0)

    def __repr__(self) -> str:
        return f"LogitDecomposition(logits={np.round(self.logits, 2).tolist()})"

    @property
    def logits(self) -> np.ndarray:
        """(10,) the classifier's logits, rebuilt from the three parts."""
        return self.bias + self.positive + self.negative

    def top(self, n: int = 3) -> list[int]:
        """The `n` classes with the largest logits, best first."""
        return [int(k) for k in np.argsort(-self.logits, kind="stable")[:n]]


def weight_maps(classifier: SoftmaxClassifier) -> np.ndarray:
    """(10, 28, 28) W's columns as images: map k is the picture digit k's weights make."""
    height, width = classifier.image_shape
    # (784, 10) -> (10, 784) -> (10, 28, 28)
    return classifier.weights.T.reshape(classifier.n_classes, height, width)


RIM_INKED_SHARE = 0.01  # a pixel is on the rim when fewer than 1% of training digits ink it


def rim_pixels(train_images: np.ndarray) -> np.ndarray:
    """(side, side) bool: the pixels inked (value > 0, any ink at all) in fewer than
    RIM_INKED_SHARE of `train_images` (n, side, side): for MNIST, 291 of the 784, mostly a border."""
    images = np.asarray(train_images)
    return (images > 0).mean(axis=0) < RIM_INKED_SHARE


def rim_share(weights: np.ndarray, train_images: np.ndarray) -> float:
    """The share of the weights' squared magnitude Σw² that sits on the rim.

    The rim is the pixels inked (value > 0) in fewer than 1% of the training digits,
    `rim_pixels(train_images)`: for a 28×28 model, MNIST's training digits, whatever else it was
    trained on. Such pixels hardly ever carry ink, so their weights say almost nothing about a
    digit; on a weight map they show as a speckled frame around the strokes. `weights` is
    (n_inputs, 10), `train_images` (n, side, side) with side² = n_inputs. 0 for all-zero weights.
    """
    squared = np.square(np.asarray(weights, dtype=np.float64)).sum(axis=1)  # (784,) per pixel
    rim = rim_pixels(train_images).reshape(-1)  # (784,)
    if squared.shape != rim.shape:
        raise ValueError(f"weights for {squared.size} pixels, images of {rim.size} pixels")
    total = squared.sum()
    return float(squared[rim].sum() / total) if total > 0 else 0.0


def evidence(classifier: SoftmaxClassifier, x: np.ndarray) -> np.ndarray:
    """(10, 28, 28) per-pixel votes x ⊙ w_k: what each pixel of `x` adds to each digit's logit.

    `x` is one input, (28, 28) or (784,); ValueError for any other shape.
    """
    x = one_input(classifier, x)
    return x[None] * weight_maps(classifier)  # (1, 28, 28) * (10, 28, 28) -> (10, 28, 28)


def decompose_logits(classifier: SoftmaxClassifier, x: np.ndarray) -> LogitDecomposition:
    """Split each of the ten logits of one input into bias, votes for and votes against.

    Sums run in float64, so `logits` matches `classifier.logits(x)` to float32 rounding.
    """
    votes = evidence(classifier, x).reshape(classifier.n_classes, -1)  # (10, 784)
    votes = votes.astype(np.float64)
    positive = np.where(votes > 0, votes, 0.0).sum(axis=1)  # (10,)
    negative = np.where(votes < 0, votes, 0.0).sum(axis=1)  # (10,)
    return LogitDecomposition(
        bias=classifier.bias.astype(np.float64),
        positive=positive,
        negative=negative,
    )


def symmetric_limit(maps: np.ndarray, quantile: float = 1.0) -> float:
    """One colour scale [-limit, limit] centred on 0 for all `maps`: the `quantile` of |value|.

    1.0 takes the largest |value|; 0.99 lets the rarest 1 % saturate so that typical weights get
    visible colour instead of a washed-out near-white. Never 0, so an all-zero map (an untrained
    model, a blank input) still gets a valid scale.
    """
    if not 0 < quantile <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {quantile}")
    magnitudes = np.abs(np.asarray(maps, dtype=np.float64))
    limit = float(np.quantile(magnitudes, quantile)) if magnitudes.size else 0.0
    return limit if limit > 0 else 1.0


WEIGHT_QUANTILE = 0.99  # weight maps: the rarest 1 % of weights saturate, the rest keep colour


def weight_scale(maps: np.ndarray) -> float:
    """The colour limit every view uses for weight maps, so the same model looks the same."""
    return symmetric_limit(maps, WEIGHT_QUANTILE)


def explain_in_words(decomposition: LogitDecomposition, *, t: Messages = ENGLISH) -> str:
    """One or two plain sentences on why the top digit won, with the numbers behind it, in the
    language of `t` (the `reading.why.sentence` message)."""
    first, second = decomposition.top(2)
    logits = decomposition.logits

    return t(
        "reading.why.sentence",
        first=first,
        score=t.number(logits[first], 1),
        votes_for=signed(decomposition.positive[first], t, 1),
        votes_against=signed(decomposition.negative[first], t, 1),
        bias=signed(decomposition.bias[first], t, 1),
        second=second,
        second_score=t.number(logits[second], 1),
    )


# The drawing's ink box split 3×3, rows top to bottom and columns left to right (row-major):
# each part's name is the message `why_not.part.<id>`, a whole phrase in every language.
PARTS = (
    "top_left",
    "top",
    "top_right",
    "left",
    "middle",
    "right",
    "bottom_left",
    "bottom",
    "bottom_right",
)


@dataclass(frozen=True)
class Contrast:
    """Why digit `a` and not digit `b`: logit_a − logit_b = Σ votes + bias, exactly.

    `votes` is the map (w_a − w_b) ⊙ x: positive pixels push towards a, negative towards b,
    blank pixels are 0. `parts` adds the votes up over the drawing's ink box split 3×3 (the
    edges in `row_edges`/`col_edges`, half-open, for drawing the grid), so parts.sum() equals
    votes.sum(). Sums are float64.
    """

    a: int
    b: int
    votes: np.ndarray  # (28, 28) float64 (w_a − w_b) ⊙ x
    bias: float  # b_a − b_b
    parts: np.ndarray  # (3, 3) float64 votes per part: rows top → bottom, columns left → right
    row_edges: tuple[int, ...]  # 4 edges: part row i spans row_edges[i] : row_edges[i + 1]
    col_edges: tuple[int, ...]

    def __repr__(self) -> str:
        return f"Contrast({self.a} vs {self.b}: gap {self.gap:+.2f} = votes {self.pixel_votes:+.2f} + bias {self.bias:+.2f})"

    @property
    def pixel_votes(self) -> float:
        """Σ_i x_i·(w_ia − w_ib): what the ink adds to the gap."""
        return float(self.votes.sum())

    @property
    def gap(self) -> float:
        """logit_a − logit_b, rebuilt from the votes and the bias difference."""
        return self.pixel_votes + self.bias

    @property
    def winner(self) -> int:
        """The one of the two with the higher score (a on a tie)."""
        return self.a if self.gap >= 0 else self.b

    @property
    def loser(self) -> int:
        return self.b if self.winner == self.a else self.a

    def _towards_winner(self) -> np.ndarray:
        """(9,) part votes signed so that positive favours the winner."""
        return self.parts.ravel() * (1.0 if self.winner == self.a else -1.0)

    @property
    def deciding_part(self) -> int | None:
        """Index into PARTS of the part whose ink favours the winner most; None if none does."""
        towards = self._towards_winner()
        return int(towards.argmax()) if towards.max() > 0 else None

    @property
    def deciding_share(self) -> float:
        """The deciding part's share of all the votes that favour the winner (0 when none do)."""
        towards = self._towards_winner()
        favouring = towards[towards > 0].sum()
        return float(towards.max() / favouring) if favouring > 0 else 0.0

    @property
    def counter_part(self) -> int | None:
        """Index into PARTS of the part whose ink favours the loser most; None if none does."""
        towards = self._towards_winner()
        return int(towards.argmin()) if towards.min() < 0 else None

    def reasons(self) -> list[tuple[str, dict[str, object]]]:
        """The explanation as (reason, its values), in reading order: each reason is a whole
        sentence `why_not.sentence.<reason>` with named placeholders (`contrast_in_words`).

        `part` values are indices into PARTS, so a formatter can name them in any language.
        """
        towards = self.pixel_votes * (1.0 if self.winner == self.a else -1.0)
        bias = self.bias * (1.0 if self.winner == self.a else -1.0)
        pair = {"winner": self.winner, "loser": self.loser}
        numbers = {**pair, "gap": abs(self.gap), "votes": towards, "bias": bias}
        against = {**pair, "against": -towards, "bias": bias}
        if not self.votes.any():
            return [("blank", {**pair, "bias": bias})]
        if towards > 0:
            said = [("decides", {**pair, "part": self.deciding_part, "share": self.deciding_share})]
            if self.counter_part is None:
                said.append(("no_push_back", pair))
            else:
                said.append(("pushes_back", {**pair, "part": self.counter_part}))
        else:
            said = [("bias_decides", against)]
        return [*said, ("sum", numbers)]


def contrast(
    classifier: SoftmaxClassifier, x: np.ndarray, a: int | None = None, b: int | None = None
) -> Contrast:
    """Why the model scores `a` and not `b` on one input `x`: the exact split of their gap.

    `a` defaults to the predicted digit and `b` to the runner-up (or, when only `a` is given, the
    best other digit). ValueError for a digit outside 0–9, a == b, or an input that is not one
    (28, 28) or (784,) image.
    """
    x = one_input(classifier, x).astype(np.float64)  # (28, 28)
    weights = classifier.weights.astype(np.float64)  # (784, 10)
    logits = x.reshape(-1) @ weights + classifier.bias  # (784,) @ (784, 10) -> (10,)
    ranked = [int(k) for k in np.argsort(-logits, kind="stable")]
    a = ranked[0] if a is None else check_digit(classifier, a, "a")
    b = next(k for k in ranked if k != a) if b is None else check_digit(classifier, b, "b")
    if a == b:
        raise ValueError(f"a and b must be two different digits, got {a} twice")
    direction = (weights[:, a] - weights[:, b]).reshape(x.shape)  # (28, 28) w_a − w_b
    votes = x * direction  # (28, 28)
    row_edges, col_edges = _part_edges(x)
    parts = np.array(
        [
            [votes[top:bottom, left:right].sum() for left, right in pairwise(col_edges)]
            for top, bottom in pairwise(row_edges)
        ]
    )  # (3, 3)
    bias = float(classifier.bias[a]) - float(classifier.bias[b])
    return Contrast(a, b, votes, bias, parts, row_edges, col_edges)


def contrast_in_words(contrast: Contrast, *, t: Messages) -> str:
    """`contrast.reasons()` as plain sentences in `t`'s language: each reason one whole message
    (`why_not.sentence.<reason>`), its part named whole (`why_not.part.<id>`), its numbers in
    the language's format."""
    said = []
    for reason, values in contrast.reasons():
        words = {name: _in_words(reason, name, value, t) for name, value in values.items()}
        said.append(t(f"why_not.sentence.{reason}", **words))
    return " ".join(said)


def _in_words(reason: str, name: str, value: object, t: Messages) -> str:
    """One placeholder of a contrast sentence, written for `t`'s language."""
    if name == "part":
        return t(f"why_not.part.{PARTS[value]}")
    if name == "share":
        return t.percent(value)
    if reason == "sum" and name in {"votes", "bias"}:
        return signed(value, t)
    if name == "gap":
        return t.number(value, 2)
    if name in {"against", "bias"}:
        return t.number(value, 1)
    return str(value)  # the two digits


def signed(value: float, t: Messages, decimals: int = 2) -> str:
    """`value` with its sign always written ("+1.25", "-0.40"), in `t`'s number format."""
    text = t.number(round(float(value), decimals) + 0.0, decimals)  # + 0.0: no "-0.00"
    return text if text.startswith("-") else f"+{text}"


def _part_edges(x: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Edges splitting the ink's bounding box (x > 0) into thirds; the whole image when blank."""
    edges = []
    for axis in (1, 0):  # rows: any ink along each row; then columns
        inked = np.flatnonzero(x.max(axis=axis) > 0)
        low, high = (inked[0], inked[-1] + 1) if inked.size else (0, x.shape[1 - axis])
        edges.append(tuple(int(e) for e in np.round(np.linspace(low, high, 4))))
    return edges[0], edges[1]


def check_digit(classifier: SoftmaxClassifier, k: object, name: str = "digit") -> int:
    """`k` as an int when it is one of the classifier's classes; ValueError naming `name` if not."""
    if (
        isinstance(k, bool)
        or not isinstance(k, int | np.integer)
        or not 0 <= k < classifier.n_classes
    ):
        raise ValueError(f"{name} must be a digit 0–{classifier.n_classes - 1}, got {k!r}")
    return int(k)


def one_input(classifier: SoftmaxClassifier, x: np.ndarray) -> np.ndarray:
    """One model input as (side, side) float32; ValueError for any other shape (e.g. a batch)."""
    x = np.asarray(x, dtype=np.float32)
    if x.shape == (classifier.n_inputs,):
        x = x.reshape(classifier.image_shape)
    if x.shape != classifier.image_shape:
        height, width = classifier.image_shape
        raise ValueError(
            f"expected one input of shape ({height}, {width}) or ({classifier.n_inputs},), "
            f"got {x.shape}"
        )
    return x
