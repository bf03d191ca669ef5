"""Why a softmax says what it says: its weights as pictures and a logit split into votes.

A softmax scores digit k with one dot product, logit_k = b_k + Σ_i x_i·w_ik, so every score is a
sum of 784 per-pixel votes plus a bias. `weight_maps` shows w_k as a 28×28 picture, `evidence`
shows the votes x ⊙ w_k for one drawing, and `decompose_logits` adds the votes up into what was
for (positive) and against (negative) each digit. numpy only: charts live in `softmax.charts`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from softmax.model import SoftmaxClassifier


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


def evidence(classifier: SoftmaxClassifier, x: np.ndarray) -> np.ndarray:
    """(10, 28, 28) per-pixel votes x ⊙ w_k: what each pixel of `x` adds to each digit's logit.

    `x` is one input, (28, 28) or (784,); ValueError for any other shape.
    """
    x = _one_input(classifier, x)
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


def explain_in_words(decomposition: LogitDecomposition) -> str:
    """One or two plain sentences on why the top digit won, with the numbers behind it."""
    first, second = decomposition.top(2)
    logits = decomposition.logits
    return (
        f"**{first}** gets the highest score (logit **{logits[first]:.1f}**): "
        f"your ink lands on pixels that vote for {first} (**{decomposition.positive[first]:+.1f}**) "
        f"more than on pixels that vote against it (**{decomposition.negative[first]:+.1f}**), "
        f"plus its bias ({decomposition.bias[first]:+.1f}). "
        f"The runner-up, {second}, scores {logits[second]:.1f}; "
        "softmax turns the gap between scores into the probabilities above."
    )


def _one_input(classifier: SoftmaxClassifier, x: np.ndarray) -> np.ndarray:
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
