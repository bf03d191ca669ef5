"""What would change the answer: the least ink that flips it, and a model with edited weights.

The smallest flip. To make digit t win on input x with the least change δ (smallest ‖δ‖₂, every
pixel of x + δ within [0, 1]), t's score must beat every other digit's:
s_k(δ) = (w_t − w_k)·(x + δ) + (b_t − b_k) − margin ≥ 0 for each k ≠ t. That is a small convex
quadratic programme, and a softmax makes it exactly solvable: for multipliers μ_k ≥ 0 the best δ
is δ(μ) = clip(Σ_k μ_k (w_t − w_k), −x, 1 − x), pixel by pixel. With one competitor k this is
the ray clip(x + λ(w_t − w_k), 0, 1) − x, and the smallest λ that closes the gap is found
exactly by walking the sorted points where pixels hit 0 or 1. With several competitors,
`smallest_flip` raises one μ_k at a time that way (coordinate ascent on the dual) until the
optimality conditions hold to `TOLERANCE`: every s_k ≥ 0, and s_k = 0 wherever μ_k > 0.
Then δ(μ) is the minimum, not an approximation. When no input in [0, 1]^784 lets t win, the
multipliers grow without bound and their mix proves it (a mix of competitors that beats t on
every possible input; a linear programme settles the slow cases), and the result says
"impossible".

Editing the weights. `edit_weights` returns a new classifier with one digit's weights scaled
inside a region (0 zeroes it, 2 doubles it): a what-if model for one session. The original's
arrays are read-only and shared by every session, so it is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from softmax.explain import check_digit, one_input
from softmax.model import SoftmaxClassifier, softmax

MARGIN = 1e-3  # logits: the target must win by this much, so the argmax is strictly the target
TOLERANCE = 1e-9  # logits: how closely the optimality conditions must hold
NEWTON_STEPS = 10  # Newton steps tried after each sweep, while they raise the dual
LP_AFTER_SWEEPS = 20  # unconverged by then: let a linear programme decide whether it can be done
MAX_SWEEPS = 20_000  # passes over the competitors; MNIST models need one or two

Status = Literal["flipped", "already", "impossible"]


@dataclass(frozen=True)
class Flip:
    """The least change that makes the model answer `target`, and what it gives.

    `status`: "flipped" (`new_x` is read as `target`), "already" (x already was: no change) or
    "impossible" (no input in [0, 1] makes `target` win; `new_x` is `x`). When flipped,
    `multipliers[k]` is how far the change moved along w_target − w_k: non-zero only for the
    digits that had to be overtaken. When impossible, it is the proof: a mix of digits (summing
    to 1) that together outscore `target` on every possible input.
    """

    target: int
    status: Status
    x: np.ndarray  # (28, 28) float32 the input as it was
    new_x: np.ndarray  # (28, 28) float32 in [0, 1]: the input after the change
    probabilities: np.ndarray  # (10,) float32 the model's probabilities for new_x
    multipliers: np.ndarray  # (10,) float64 μ_k ≥ 0, 0 for the target itself

    def __repr__(self) -> str:
        return (
            f"Flip(→{self.target}, {self.status}, ‖δ‖={self.norm:.3f}, "
            f"+{self.ink_added:.2f}/−{self.ink_removed:.2f} ink)"
        )

    @property
    def delta(self) -> np.ndarray:
        """(28, 28) float32 the change: positive adds ink, negative removes it."""
        return self.new_x - self.x

    @property
    def digit(self) -> int:
        """What the model answers for `new_x`."""
        return int(self.probabilities.argmax())

    @property
    def norm(self) -> float:
        """‖δ‖₂, the size of the change (1.0 = one pixel turned fully on or off)."""
        return float(np.linalg.norm(self.delta.astype(np.float64)))

    @property
    def ink_added(self) -> float:
        """Σ of the positive changes, in whole pixels' worth of ink."""
        return float(np.clip(self.delta, 0, None).sum(dtype=np.float64))

    @property
    def ink_removed(self) -> float:
        """Σ of the negative changes, in whole pixels' worth of ink (a positive number)."""
        return float(np.clip(-self.delta, 0, None).sum(dtype=np.float64))

    @property
    def competitors(self) -> list[int]:
        """The digits the target had to overtake (or, when impossible, that block it): those
        whose multiplier is non-zero."""
        return [int(k) for k in np.flatnonzero(self.multipliers > 0)]


def smallest_flip(
    classifier: SoftmaxClassifier, x: np.ndarray, target: int, margin: float = MARGIN
) -> Flip:
    """The least change (smallest ‖δ‖₂, x + δ within [0, 1]) that makes the model answer `target`.

    `x` is one model input, (28, 28) or (784,), in [0, 1] (what the model sees: after deskewing,
    for a model that deskews). `margin` (logits, default 1e-3) is how much the target must win by.
    Exact: see the module docstring. Returns a Flip whose status is "impossible" when no input in
    [0, 1] lets `target` win by `margin`. ValueError for a bad `target`, `margin` or `x`.
    """
    x = _unit_input(classifier, x)  # (28, 28) float32
    target = check_digit(classifier, target, "target")
    if not (np.isfinite(margin) and margin > 0):
        raise ValueError(f"margin must be a positive number of logits, got {margin!r}")
    logits = classifier.logits(x)[0]
    unchanged = np.zeros(classifier.n_classes)
    if logits[target] > np.delete(logits, target).max():
        return Flip(target, "already", x, x, softmax(logits), unchanged)
    problem = _Problem.of(classifier, x.reshape(-1).astype(np.float64), target, margin)
    solved, mu = _solve(problem)  # (9,) multipliers, or the certificate of impossibility
    if not solved:
        blockers = np.insert(mu, target, 0.0)
        return Flip(target, "impossible", x, x, softmax(logits), blockers)
    new_x = np.clip(x.reshape(-1) + problem.change(mu), 0.0, 1.0)  # (784,) float64
    new_x = new_x.astype(np.float32).reshape(x.shape)
    multipliers = np.insert(mu, target, 0.0)  # (10,): none for the target itself
    return Flip(target, "flipped", x, new_x, classifier.predict_proba(new_x)[0], multipliers)


def edit_weights(
    classifier: SoftmaxClassifier,
    digit: int,
    region: np.ndarray | tuple[int, int, int, int],
    scale: float,
) -> SoftmaxClassifier:
    """A copy of `classifier` with digit `digit`'s weights multiplied by `scale` inside `region`.

    `region` is a boolean (28, 28) mask, or a rectangle (top, left, bottom, right) in pixels,
    bottom and right exclusive. `scale` 0 zeroes the region, 1 keeps it, 2 doubles it; negative
    values flip its votes. The original is untouched (its arrays are read-only and shared); the
    copy's metadata records the edit, and its fingerprint differs whenever the weights do.
    ValueError for a bad digit, region or scale.
    """
    digit = check_digit(classifier, digit)
    mask = _region_mask(classifier, region)
    if not np.isfinite(scale):
        raise ValueError(f"scale must be a finite number, got {scale!r}")
    weights = np.array(classifier.weights)  # a writable copy: (784, 10)
    weights[mask.reshape(-1), digit] *= np.float32(scale)
    edits = [
        *classifier.metadata.get("edits", []),
        {"digit": digit, "pixels": int(mask.sum()), "scale": float(scale)},
    ]
    return SoftmaxClassifier(weights, classifier.bias, {**classifier.metadata, "edits": edits})


# --- the exact solver --------------------------------------------------------------------------


def _solve(problem: _Problem) -> tuple[bool, np.ndarray]:
    """(True, μ (9,)) solving the flip exactly, or (False, α (9,)): a mix of competitors, α ≥ 0
    summing to 1, that beats the target on every input in [0, 1] (so the flip is impossible).

    Each sweep raises every μ_k in turn to its exact best value with the others fixed (the
    one-competitor problem), then takes Newton steps while they raise the dual objective: the
    sweeps guarantee convergence, the Newton steps make it fast (a sweep or two on MNIST models).
    When the target cannot win, μ grows without bound along the certificate α; if that has not
    shown after LP_AFTER_SWEEPS sweeps, a linear programme decides.
    """
    mu = np.zeros(problem.offsets.size)
    for sweep in range(1, MAX_SWEEPS + 1):
        for k in range(mu.size):
            step = problem.line_step(mu, k)
            if step is None:  # even alone, k beats the target on every input
                return False, np.eye(mu.size)[k]
            mu[k] = step
        mu = problem.newton(mu)
        if problem.solved(mu):
            return True, mu
        if mu.sum() > 0 and problem.beats_target(mu / mu.sum()):
            return False, mu / mu.sum()
        if sweep == LP_AFTER_SWEEPS:
            alpha = problem.lp_certificate()
            if alpha is not None:
                return False, alpha
    raise RuntimeError(f"the flip did not converge in {MAX_SWEEPS} sweeps")  # pragma: no cover


@dataclass(frozen=True)
class _Problem:
    """min ½‖δ‖² over δ in [low, high] with s_k = slack0_k + d_k·δ ≥ 0: the flip's QP.

    For multipliers μ the best δ is clip(Dμ, low, high); the dual objective
    q(μ) = ½‖δ‖² − μ·s(δ) is concave, and its gradient is −s(δ).
    """

    directions: np.ndarray  # (784, 9) D: columns d_k = w_t − w_k
    offsets: np.ndarray  # (9,) c_k = b_t − b_k − margin
    slack0: np.ndarray  # (9,) s_k at δ = 0: negative where k is ahead of the target
    low: np.ndarray  # (784,) −x: the most ink each pixel can lose
    high: np.ndarray  # (784,) 1 − x: the most ink each pixel can gain

    @classmethod
    def of(
        cls, classifier: SoftmaxClassifier, x: np.ndarray, target: int, margin: float
    ) -> _Problem:
        directions = _directions(classifier, target)
        bias = classifier.bias.astype(np.float64)
        offsets = np.delete(bias[target] - bias, target) - margin
        return cls(directions, offsets, x @ directions + offsets, -x, 1.0 - x)

    def change(self, mu: np.ndarray) -> np.ndarray:
        """(784,) δ(μ) = clip(Dμ, low, high)."""
        return np.clip(self.directions @ mu, self.low, self.high)

    def slack(self, mu: np.ndarray) -> np.ndarray:
        """(9,) s_k(δ(μ)): by how much the target beats each competitor (minus the margin)."""
        return self.slack0 + self.change(mu) @ self.directions

    def dual(self, mu: np.ndarray) -> float:
        delta = self.change(mu)
        return float(0.5 * delta @ delta - mu @ (self.slack0 + delta @ self.directions))

    def solved(self, mu: np.ndarray) -> bool:
        """The optimality conditions: every s_k ≥ 0, and s_k = 0 where μ_k > 0."""
        slack = self.slack(mu)
        return bool(slack.min() >= -TOLERANCE and np.all(slack[mu > 0] <= TOLERANCE))

    def line_step(self, mu: np.ndarray, k: int) -> float | None:
        """The best μ_k with the others fixed: the smallest λ ≥ 0 that makes s_k ≥ 0."""
        d = self.directions[:, k]
        rest = self.directions @ mu - mu[k] * d
        return _line_step(d, rest, self.low, self.high, self.slack0[k])

    def newton(self, mu: np.ndarray) -> np.ndarray:
        """μ after up to NEWTON_STEPS damped Newton steps, each kept only if it raises the dual."""
        for _ in range(NEWTON_STEPS):
            newton = self._newton_point(mu)
            if newton is None:
                return mu
            now = self.dual(mu)
            tried = next(
                (
                    t
                    for t in (mu + s * (newton - mu) for s in (1.0, 0.5, 0.25))
                    if self.dual(t) > now
                ),
                None,
            )
            if tried is None:
                return mu
            mu = tried
            if self.solved(mu):
                return mu
        return mu

    def _newton_point(self, mu: np.ndarray) -> np.ndarray | None:
        """Newton for s_A = 0 over the active competitors A, on the piece where μ stands (the
        pixels that are not clipped stay so): μ_A − (D_FAᵀ D_FA)⁻¹ s_A, then μ ≥ 0."""
        slack = self.slack(mu)
        active = (mu > 0) | (slack < 0)
        push = self.directions @ mu
        free = (push > self.low) & (push < self.high)
        d = self.directions[free][:, active]  # (free, A)
        try:
            step = np.linalg.solve(d.T @ d, slack[active])  # (A, A) Gram matrix of this piece
        except np.linalg.LinAlgError:
            return None
        newton = mu.copy()
        newton[active] = np.maximum(mu[active] - step, 0.0)
        return newton

    def beats_target(self, alpha: np.ndarray) -> bool:
        """True when the mix α of competitors beats the target on every input in [0, 1]:
        max over δ of Σ_k α_k s_k(δ) = α·slack0 + Σ_i max(m_i·low_i, m_i·high_i) < 0, m = Dα,
        so no input satisfies every s_k ≥ 0."""
        mixed = self.directions @ alpha  # (784,)
        best = alpha @ self.slack0 + np.maximum(mixed * self.low, mixed * self.high).sum()
        return bool(best < -TOLERANCE)

    def lp_certificate(self) -> np.ndarray | None:
        """The exact answer to "can the target win at all?": maximise L ≤ s_k(δ) for all k over
        the box (a linear programme, SciPy's HiGHS). None when it can (L ≥ 0), else the
        certificate α from the LP's dual values."""
        from scipy.optimize import linprog  # ≈ 1 s to import: only for the rare hard cases

        n, m = self.directions.shape
        cost = np.zeros(n + 1)
        cost[-1] = -1.0  # maximise L
        rows = np.hstack([-self.directions.T, np.ones((m, 1))])  # L − d_k·δ ≤ slack0_k
        bounds = [*zip(self.low, self.high, strict=True), (None, None)]
        result = linprog(cost, A_ub=rows, b_ub=self.slack0, bounds=bounds, method="highs")
        if result.status != 0 or -result.fun >= -TOLERANCE:
            return None
        alpha = np.clip(-result.ineqlin.marginals, 0.0, None)
        return alpha / alpha.sum()


def _line_step(
    d: np.ndarray, rest: np.ndarray, low: np.ndarray, high: np.ndarray, slack0: float
) -> float | None:
    """The smallest λ ≥ 0 with s(λ) = slack0 + d·clip(rest + λd, low, high) ≥ 0; None if none.

    s(λ) is piecewise linear and non-decreasing: pixel i adds slope d_i² while rest_i + λ·d_i
    lies inside (low_i, high_i). Walk the sorted points where pixels enter or leave that range.
    """
    s = slack0 + d @ np.clip(rest, low, high)
    if s >= 0:
        return 0.0
    moving = d != 0
    d, rest, low, high = d[moving], rest[moving], low[moving], high[moving]
    ends = np.sort(np.stack([(low - rest) / d, (high - rest) / d]), axis=0)  # (2, m) enter, leave
    times = np.maximum(np.concatenate([ends[0], ends[1]]), 0.0)  # (2m,) clipped to λ ≥ 0
    slope_change = np.concatenate([d * d, -d * d])
    order = np.argsort(times, kind="stable")
    times, slope_change = times[order], slope_change[order]
    slope = np.cumsum(slope_change)  # the slope after each event
    gained = np.concatenate([[0.0], np.cumsum(slope[:-1] * np.diff(times))])  # s rise by event i
    reached = np.flatnonzero(s + gained >= 0)
    if reached.size == 0:
        return None
    i = reached[0]  # the first event with s ≥ 0 (never 0, as s < 0): the root lies just before
    return float(times[i - 1] - (s + gained[i - 1]) / slope[i - 1])


def _directions(classifier: SoftmaxClassifier, target: int) -> np.ndarray:
    """(784, 9) float64 columns w_t − w_k for every k ≠ t, in digit order."""
    weights = classifier.weights.astype(np.float64)
    return np.delete(weights[:, [target]] - weights, target, axis=1)


# --- checks ------------------------------------------------------------------------------------


def _unit_input(classifier: SoftmaxClassifier, x: np.ndarray) -> np.ndarray:
    """One input as (side, side) float32, refusing other shapes and values outside [0, 1]."""
    x = one_input(classifier, x)
    if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError("the input must lie in [0, 1], as the model reads it")
    return x


def _region_mask(classifier: SoftmaxClassifier, region: object) -> np.ndarray:
    """A boolean (side, side) mask from a mask or a (top, left, bottom, right) rectangle."""
    shape = classifier.image_shape
    if isinstance(region, np.ndarray) and region.dtype == bool:
        if region.shape != shape:
            raise ValueError(f"a region mask must be {shape}, got {region.shape}")
        return region
    if (
        isinstance(region, tuple | list)
        and len(region) == 4
        and all(isinstance(v, int | np.integer) for v in region)
    ):
        top, left, bottom, right = (int(v) for v in region)
        if not (0 <= top < bottom <= shape[0] and 0 <= left < right <= shape[1]):
            raise ValueError(
                f"a rectangle (top, left, bottom, right) must lie inside {shape} and not be empty; got {tuple(region)}"
            )
        mask = np.zeros(shape, dtype=bool)
        mask[top:bottom, left:right] = True
        return mask
    raise ValueError(
        f"region must be a boolean {shape} mask or a (top, left, bottom, right) rectangle; got {region!r}"
    )
